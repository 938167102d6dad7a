"""
The command that needs no account: ``demo``.

(``emulator``, the other, is in ``_emulator_cmd``.)

Strictly private.
"""

from __future__ import annotations

import click

from ._demo import run_demo
from ._options import BULK_DEFAULTS, run_async
from ._output import current_output, output_options


__all__ = ["demo"]


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
