"""
The commands that need no account: ``demo`` and ``emulator``.

Strictly private.
"""

from __future__ import annotations

import click

from ._demo import run_demo
from ._emulator_cmd import emulator
from ._options import BULK_DEFAULTS, run_async


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
def demo(key_count: int, latency: float, concurrency: int) -> int:
    """
    Import generated keys into an in-process emulator; no account needed.

    Starts the emulator, creates a workspace and a project, registers the
    keys (a few are invalid on purpose, to show skips) with a live
    progress bar, then prints the summary and the emulator's own counters
    as proof.
    """
    return run_async(
        lambda: run_demo(
            key_count=key_count, latency=latency, concurrency=concurrency
        )
    )
