"""
``maiu-async emulator``: the emulator's flags as a click command.

The options are built from the emulator's one table of flags
(``maiu_async.emulator._flags.FLAGS``), which also builds the argparse
parser of ``python -m maiu_async.emulator``: no option is written twice,
and both make their configuration with the same function.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from maiu_async.emulator._cli import (
    ConfigError,
    build_config,
    has_s3_client,
    serve,
)
from maiu_async.emulator._flags import (
    BOUNDS,
    DESCRIPTION,
    FLAGS,
    Flag,
    Kind,
    parse_certain,
)

from ._options import CONTEXT_SETTINGS


if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = ["emulator"]


def _pairs(
    _ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_certain(text) for text in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def _click_type(flag: Flag) -> click.ParamType[Any, Any] | None:
    if flag.kind is Kind.TEXT:
        return None
    if flag.kind is Kind.CHOICE:
        return click.Choice(flag.choices)
    number, low, high, open_low = BOUNDS[flag.kind]
    if number is int:
        return click.IntRange(
            None if low is None else int(low),
            None if high is None else int(high),
        )
    return click.FloatRange(low, high, min_open=open_low)


def _option(flag: Flag) -> Callable[[Any], Any]:
    help_text = f"[{flag.section}] {flag.help}"
    if flag.kind is Kind.SWITCH:
        return click.option(flag.name, flag.dest, is_flag=True, help=help_text)
    if flag.kind is Kind.FAULT_PAIRS:
        return click.option(
            flag.name,
            flag.dest,
            multiple=True,
            metavar=flag.value_name,
            callback=_pairs,
            help=help_text,
        )
    return click.option(
        flag.name,
        flag.dest,
        type=_click_type(flag),
        default=flag.default,
        envvar=flag.env,
        show_envvar=False,
        metavar=flag.value_name,
        help=help_text,
    )


def _command(**values: Any) -> int:  # noqa: ANN401 -- one per flag
    try:
        config, generated = build_config(values)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if config.object_storage is not None and not has_s3_client():
        raise click.UsageError(
            "--s3-endpoint needs aiobotocore: pip install 'maiu-async[s3]'"
        )
    return serve(config, values["host"], values["port"], generated=generated)


def _build() -> click.Command:
    callback: Callable[..., Any] = _command
    for flag in reversed(FLAGS):
        callback = _option(flag)(callback)
    return click.command(
        "emulator",
        context_settings=CONTEXT_SETTINGS,
        help=(
            f"{DESCRIPTION}\n\n"
            "Without keys, it makes a pair for the run and prints the "
            "export lines a client needs, such as `eval` can read; a "
            "secret you give is never printed. It serves until Ctrl-C or "
            "SIGTERM.\n\n"
            "`python -m maiu_async.emulator` is the same command, and "
            "runs without the 'cli' extra."
        ),
        short_help="Serve a local emulator of the API.",
    )(callback)


emulator = _build()
