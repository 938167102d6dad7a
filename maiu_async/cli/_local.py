"""
The commands that need no account: ``demo`` and ``emulator``.

Strictly private.
"""

from __future__ import annotations

import click

from ._demo import run_demo
from ._options import BULK_DEFAULTS, run_async
from ._output import current_output, output_options
from ._passthrough import run_emulator


__all__ = ["demo", "emulator"]


@click.command()
@click.option(
    "--keys",
    "key_count",
    type=click.IntRange(1, 1_000_000),
    default=10_000,
    show_default=True,
    help="How many keys to register.",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.02,
    show_default=True,
    help="Seconds the emulator waits before each answer.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1024),
    default=BULK_DEFAULTS.concurrency,
    show_default=True,
    help="Requests in flight at most.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the import's summary as one JSON object on stdout.",
)
@output_options
def demo(
    key_count: int,
    latency: float,
    concurrency: int,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Import generated keys into an in-process emulator; no account needed.

    Starts the emulator, creates a workspace and a project, registers the
    keys (a few are invalid on purpose, to show skips) with a live
    progress bar (plain progress lines when stderr is not a terminal),
    then prints the summary and the emulator's own counters as proof.
    """
    output = current_output()
    with output.logging() as log_handler:
        return run_async(
            lambda: run_demo(
                key_count=key_count,
                latency=latency,
                concurrency=concurrency,
                output=output,
                log_handler=log_handler,
                as_json=as_json,
            )
        )


@click.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    },
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> int:
    """
    Serve a local emulator of the API (see `maiu-async emulator --help`).

    The same as `python -m maiu_async.emulator`; it needs no extra.
    """
    return run_emulator(args)
