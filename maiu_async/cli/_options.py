"""
What every command shares: settings, connection options, the client.

Also the small helpers of all commands: one-line errors on stderr, JSON
output, and running a coroutine to completion.

Strictly private.
"""

from __future__ import annotations

import asyncio
import json

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import click

from maiu_async import ConnectionLimits, Credentials, MaiuClient
from maiu_async._credentials import ENV_PROFILE
from maiu_async.bulk import BulkOptions, PollPolicy

from ._errors import EXIT_USAGE


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from attrs import AttrsInstance


__all__ = [
    "CONTEXT_SETTINGS",
    "PROG",
    "CommandFailed",
    "Settings",
    "connection_options",
    "credentials",
    "echo_json",
    "err",
    "json_option",
    "jsonable",
    "make_client",
    "run_async",
    "workspace_option",
]

PROG: Final = "maiu-async"
CONTEXT_SETTINGS: Final = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
}

#: The bulk engine's defaults, shown by the commands that run a job.
BULK_DEFAULTS: Final = BulkOptions()

T = TypeVar("T")
F = TypeVar("F", bound="Callable[..., Any]")


class CommandFailed(Exception):
    """
    An expected failure outside the SDK: one line, one exit code.
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        self.exit_code = exit_code
        super().__init__(message)


@attrs.define
class Settings:
    """
    Options shared by every command; ``ctx.obj``.

    One instance per run, so that nothing outlives it.
    """

    argv: list[str] = attrs.Factory(list)
    endpoint: str | None = None
    access_key: str | None = None
    profile: str | None = None


def err(message: str) -> None:
    """
    Print *message* on stderr after the program's name.
    """
    click.echo(f"{PROG}: {message}", err=True)


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """
    Run the coroutine *make* returns in a new event loop.
    """

    async def main() -> T:
        return await make()

    return asyncio.run(main())


def _set_endpoint(
    ctx: click.Context, _param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        ctx.ensure_object(Settings).endpoint = value


def _set_access_key(
    ctx: click.Context, _param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        ctx.ensure_object(Settings).access_key = value


def _set_profile(
    ctx: click.Context, _param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        ctx.ensure_object(Settings).profile = value


def connection_options(f: F) -> F:
    """
    Add ``--endpoint``, ``--access-key`` and ``--profile`` to a command.

    All are accepted before and after the command's name, and land in
    the run's `Settings`.
    """
    f = click.option(
        "--profile",
        metavar="NAME",
        expose_value=False,
        callback=_set_profile,
        help=(
            "Read the keys from this section of ~/.ncloud/configure, and "
            f"only there. Default: ${ENV_PROFILE} (after the key "
            "variables), else [DEFAULT]."
        ),
    )(f)
    f = click.option(
        "--access-key",
        metavar="KEY",
        expose_value=False,
        callback=_set_access_key,
        help=(
            "NCP access key id. Its own secret is read from "
            "$NCLOUD_SECRET_ACCESS_KEY or $NCLOUD_SECRET_KEY (when the "
            "matching key variable is unset or this key), else from the "
            "section of ~/.ncloud/configure that holds this key; no option "
            "takes a secret, since command lines are visible to other users."
        ),
    )(f)
    return click.option(
        "--endpoint",
        metavar="URL",
        expose_value=False,
        callback=_set_endpoint,
        help=(
            "API base URL. Default: $MAIU_ENDPOINT, else the real API "
            "(https://mi.apigw.ntruss.com)."
        ),
    )(f)


workspace_option: Final = click.option(
    "--workspace", "-w", required=True, metavar="NAME", help="Workspace."
)
json_option: Final = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON."
)


def credentials(
    access_key: str | None, profile: str | None = None
) -> Credentials:
    """
    Resolve credentials for ``--access-key`` and ``--profile``.

    ``--access-key`` is paired with its own secret, never another key's
    (see `maiu_async.Credentials.from_environment`).
    """
    return Credentials.from_environment(profile=profile, access_key=access_key)


def make_client(
    settings: Settings, concurrency: int | None = None
) -> MaiuClient:
    """
    The client of one command, sized for *concurrency* if given.
    """
    # A pool smaller than the concurrency makes requests queue for a
    # connection, and aiohttp counts that wait against the connect
    # timeout: at high latency keys would fail with "timed out
    # connecting" for no fault of the server.
    limits = (
        None
        if concurrency is None
        else ConnectionLimits(
            max_connections=max(
                ConnectionLimits().max_connections, concurrency
            )
        )
    )
    return MaiuClient(
        credentials(settings.access_key, settings.profile),
        endpoint=settings.endpoint,
        limits=limits,
    )


def jsonable(obj: AttrsInstance) -> dict[str, Any]:
    """
    An attrs instance as a JSON-ready dict (times in ISO 8601).
    """

    def serialize(_inst: object, _field: object, value: object) -> object:
        return value.isoformat() if isinstance(value, datetime) else value

    return attrs.asdict(obj, value_serializer=serialize)


def echo_json(data: object) -> None:
    """
    Print *data* as indented JSON on stdout.
    """
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def pacing_options(f: F) -> F:
    """
    Add ``--concurrency`` and ``--rate``, as every bulk command has them.

    The default comes from `BulkOptions`, the one home of bulk defaults.
    """
    f = click.option(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        metavar="RPS",
        help="Ceiling on requests per second (429s lower the pace anyway).",
    )(f)
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 1024),
        default=BULK_DEFAULTS.concurrency,
        show_default=True,
        help="Requests in flight at most.",
    )(f)


def wait_policy(
    wait: bool,  # noqa: FBT001 -- a flag's value
    timeout: float | None,
) -> PollPolicy | None:
    """
    The `PollPolicy` of ``--wait`` and ``--wait-timeout``, or ``None``.

    Raises:
        click.UsageError: ``--wait-timeout`` without ``--wait``.

    """
    if timeout is not None and not wait:
        raise click.UsageError("--wait-timeout goes with --wait")
    if not wait:
        return None
    return PollPolicy() if timeout is None else PollPolicy(timeout=timeout)
