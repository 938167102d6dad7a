"""
``python -m maiu_async.emulator`` and what ``maiu-async emulator`` shares.

Both front ends parse the flags of one table (``_flags.FLAGS``): this
module builds the argparse parser of ``python -m maiu_async.emulator``,
which runs on a bare install (without click), and ``maiu_async.cli``
the click command.  Both hand their values, by ``dest``, to
`build_config`, and serve with `serve`.

Without keys, the emulator makes a pair for the run and prints the
``export`` lines a client needs; a secret the user gave is never
printed.

Strictly private.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import secrets
import shlex
import signal
import sys

from typing import TYPE_CHECKING, Any

from maiu_async import limits

from .._credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_EMULATOR_ACCESS_KEY,
    ENV_EMULATOR_S3_SECRET_KEY,
    ENV_EMULATOR_SECRET_KEY,
    ENV_ENDPOINT,
    ENV_SECRET_ACCESS_KEY,
)
from ._config import EmulatorConfig, Faults, Knobs, ObjectStorageCheck
from ._flags import (
    BOUNDS,
    DESCRIPTION,
    FAULT_FLAGS,
    FLAG_OF,
    FLAGS,
    Flag,
    Kind,
    check_value,
    parse_certain,
)
from ._server import run


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


__all__ = [
    "ConfigError",
    "build_config",
    "export_lines",
    "has_s3_client",
    "main",
    "serve",
]

_LISTENING = "maiu-async emulator listening on "


class ConfigError(ValueError):
    """
    The flags do not make a configuration; the message says why.

    Strictly private.
    """


def _generated_keys() -> tuple[str, str]:
    return f"local-{secrets.token_hex(6)}", secrets.token_urlsafe(24)


def _object_storage(
    values: Mapping[str, Any], environ: Mapping[str, str]
) -> ObjectStorageCheck | None:
    if values.get("s3_endpoint") is None:
        return None
    access = values.get("s3_access_key") or None
    secret = environ.get(ENV_EMULATOR_S3_SECRET_KEY) if access else None
    if access and not secret:
        raise ConfigError(
            f"--s3-access-key needs ${ENV_EMULATOR_S3_SECRET_KEY}"
        )
    try:
        return ObjectStorageCheck(
            endpoint=values["s3_endpoint"],
            region=values.get("s3_region") or limits.OBJECT_STORAGE_REGION,
            access_key=access,
            secret_key=secret,
            concurrency=values.get("s3_check_concurrency", 8),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"--s3-endpoint: {exc}") from None


def build_config(
    values: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> tuple[EmulatorConfig, bool]:
    """
    The configuration *values* (by flag ``dest``) describe.

    Returns:
        The configuration, and whether its key pair was made here (no
        ``--access-key`` and ``--secret-key`` given).

    Raises:
        ConfigError: The values do not fit together; the message names
            the flags.

    Strictly private.
    """
    env = os.environ if environ is None else environ
    access, secret = values.get("access_key"), values.get("secret_key")
    generated = not access and not secret
    if generated:
        access, secret = _generated_keys()
    elif not access or not secret:
        raise ConfigError(
            "--access-key and --secret-key (or "
            f"${ENV_EMULATOR_ACCESS_KEY} and ${ENV_EMULATOR_SECRET_KEY}) go "
            "together; give both, or neither to have a pair made"
        )
    try:
        faults = Faults(
            retry_after=values.get("fault_retry_after"),
            keyed=bool(values.get("fault_keyed")),
            certain=dict(values.get("fault_certain") or ()),
            **{dest: values.get(dest) or 0.0 for _, dest, _ in FAULT_FLAGS},
        )
        plain = {
            name: values[name]
            for name in Knobs.__annotations__
            if values.get(name) is not None
        }
        config = EmulatorConfig(
            access_key=access,
            secret_key=secret,
            faults=faults,
            object_storage=_object_storage(values, env),
            **plain,
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(_flag_names(str(exc))) from None
    return config, generated


def _flag_names(message: str) -> str:
    # What is left for the config's own checks is a relation between
    # flags (probabilities adding up to more than 1, say): name them.
    if "fault probabilities" in message:
        return f"--fault-* options: {message}"
    for dest, name in FLAG_OF.items():
        message = message.replace(f"'{dest}'", name)
    return message


def has_s3_client() -> bool:
    """
    Whether aiobotocore (the ``s3`` extra) is installed.

    Strictly private.
    """
    try:
        return importlib.util.find_spec("aiobotocore") is not None
    except (ImportError, ValueError):  # pragma: no cover -- broken install
        return False


def export_lines(url: str, config: EmulatorConfig, *, generated: bool) -> str:
    """
    The lines that point a client at the emulator.

    The secret is printed only when it was made for this run.

    Strictly private.
    """
    lines = [
        "# Point a client at it (in another shell):",
        f"export {ENV_ENDPOINT}={shlex.quote(url)}",
        f"export {ENV_ACCESS_KEY_ID}={shlex.quote(config.access_key)}",
    ]
    if generated:
        secret = shlex.quote(config.secret_key)
        lines.append(f"export {ENV_SECRET_ACCESS_KEY}={secret}")
    else:
        lines.append(
            f"# and {ENV_SECRET_ACCESS_KEY}: the secret key you gave the "
            "emulator"
        )
    return "\n".join(lines) + "\n"


def _announcer(
    config: EmulatorConfig, *, generated: bool
) -> Callable[[str], None]:
    def announce(url: str) -> None:
        # The first line is a contract: scripts read the URL from it.
        sys.stdout.write(f"{_LISTENING}{url}\n")
        sys.stdout.write(export_lines(url, config, generated=generated))
        sys.stdout.flush()

    return announce


async def _serve(
    config: EmulatorConfig,
    host: str,
    port: int,
    announce: Callable[[str], None],
) -> None:
    task = asyncio.current_task()
    if task is not None:
        # SIGTERM stops the server as cleanly as Ctrl-C.  Only the main
        # thread may handle signals.
        with contextlib.suppress(
            NotImplementedError, RuntimeError, ValueError
        ):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, task.cancel
            )
    await run(config, host=host, port=port, ready=announce)


def serve(
    config: EmulatorConfig,
    host: str,
    port: int,
    *,
    generated: bool,
) -> int:
    """
    Serve until Ctrl-C or SIGTERM; return the exit status.

    Returns:
        0 after Ctrl-C or SIGTERM, 1 if the address cannot be bound.

    Strictly private.
    """
    try:
        asyncio.run(
            _serve(config, host, port, _announcer(config, generated=generated))
        )
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0
    except OSError as exc:
        sys.stderr.write(f"cannot listen on {host}:{port}: {exc}\n")
        return 1
    return 0


# -- argparse: python -m maiu_async.emulator --------------------------------


def _argparse_type(flag: Flag) -> Callable[[str], Any]:
    if flag.kind is Kind.FAULT_PAIRS:

        def pairs(text: str) -> tuple[str, str]:
            try:
                return parse_certain(text)
            except ValueError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None

        return pairs
    number, *_ = BOUNDS[flag.kind]

    def convert(text: str) -> Any:  # noqa: ANN401 -- int or float
        try:
            value = number(text)
        except ValueError:
            kind = "an integer" if number is int else "a number"
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {kind}"
            ) from None
        reason = check_value(flag.kind, value)
        if reason is not None:
            raise argparse.ArgumentTypeError(f"{text} {reason}")
        return value

    return convert


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m maiu_async.emulator", description=DESCRIPTION
    )
    groups: dict[str, Any] = {}
    for flag in FLAGS:
        group = groups.get(flag.section)
        if group is None:
            group = groups[flag.section] = parser.add_argument_group(
                flag.section
            )
        default = (
            os.environ.get(flag.env, flag.default)
            if flag.env
            else flag.default
        )
        options: dict[str, Any] = {
            "dest": flag.dest,
            "help": flag.help.replace("%", "%%"),
        }
        if flag.kind is Kind.SWITCH:
            group.add_argument(
                flag.name, action="store_true", default=False, **options
            )
            continue
        options["metavar"] = flag.value_name
        if flag.kind is Kind.CHOICE:
            options["choices"] = flag.choices
        elif flag.kind is not Kind.TEXT:
            options["type"] = _argparse_type(flag)
        if flag.kind is Kind.FAULT_PAIRS:
            group.add_argument(
                flag.name, action="append", default=[], **options
            )
        else:
            group.add_argument(flag.name, default=default, **options)
    return parser


def _config(args: argparse.Namespace) -> EmulatorConfig:
    """
    The configuration of parsed arguments (for tests).

    Strictly private.
    """
    return build_config(vars(args))[0]


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the emulator until interrupted.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if
            omitted.

    Returns:
        The exit status: 0 after Ctrl-C or SIGTERM, 1 if the address
        cannot be bound, 2 for bad arguments.

    """
    parser = _parser()
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        config, generated = build_config(vars(args))
    except ConfigError as exc:
        parser.error(str(exc))
    if config.object_storage is not None and not has_s3_client():
        parser.error(
            "--s3-endpoint needs aiobotocore: pip install 'maiu-async[s3]'"
        )
    return serve(config, args.host, args.port, generated=generated)
