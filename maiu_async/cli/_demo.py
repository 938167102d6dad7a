"""
``maiu-async demo``: a whole import against an in-process emulator.

It needs no account and no network: the emulator is started on loopback
with throwaway credentials (a fresh random secret each run, never shown)
and some latency, so that the progress bar has something to show.

Strictly private.
"""

from __future__ import annotations

import os
import secrets
import sys

from typing import TYPE_CHECKING, Final

from rich.rule import Rule
from rich.text import Text

from maiu_async import ConnectionLimits, MaiuClient
from maiu_async.bulk import BulkOptions
from maiu_async.emulator import Emulator

from ._errors import EXIT_INTERRUPTED
from ._importer import run_import
from ._render import (
    ImportProgress,
    make_console,
    print_counters,
    print_summary,
)


if TYPE_CHECKING:
    from collections.abc import Iterator


__all__ = ["demo_keys", "run_demo"]

WORKSPACE: Final = "demo-media"
BUCKET: Final = "demo-bucket"
PROJECT: Final = "Spring campaign"
_ACCESS_KEY: Final = "DEMO0ACCESS0KEY0"

#: Keys that cannot be registered, mixed into the input on purpose.
INVALID_KEYS: Final = (
    "videos/2026/",  # a folder
    "notes.txt",  # an unsupported extension
    "exports/report.pdf",
    "raw/README",  # no extension
)


def _valid_key(i: int) -> str:
    if i % 10 == 3:
        return f"images/2026/thumb-{i:06d}.png"
    if i % 10 == 7:
        return f"images/2026/photo-{i:06d}.jpg"
    if i % 25 == 11:
        return f"videos/2026/interview-{i:06d}.mov"
    return f"videos/2026/clip-{i:06d}.mp4"


def demo_keys(count: int) -> Iterator[str]:
    """
    Yield *count* realistic keys, a few of them invalid or repeated.

    Mostly videos, some images, and about one in a thousand (at least
    two) that is skipped: a folder, a ``.txt``, a repeat.

    Strictly private.
    """
    odd = max(2, count // 1000)
    step = max(1, count // odd)
    # One odd key per stretch of the input, the first one early so that
    # it shows at once.
    offset = min(5, step // 2)
    for i in range(count):
        k, r = divmod(i, step)
        if r == offset and k < odd:
            if k % 5 == 4:
                yield _valid_key(i - 1)  # a repeat of the key before
            else:
                yield INVALID_KEYS[k % len(INVALID_KEYS)]
        else:
            yield _valid_key(i)


async def run_demo(*, key_count: int, latency: float, concurrency: int) -> int:
    """
    Run the demo; return the exit status.

    Strictly private.
    """
    console = make_console()
    console.print(Rule("[bold]maiu-async demo[/]"))
    async with Emulator(
        access_key=_ACCESS_KEY,
        secret_key=secrets.token_urlsafe(32),
        latency=latency,
        jitter=latency / 2,
    ) as emu:
        console.print(
            f"Started a local emulator of the Media Intelligence API at "
            f"[cyan]{emu.url}[/] ({latency * 1000:.0f} ms latency, plus up "
            f"to {latency * 500:.0f} ms jitter)."
        )
        async with MaiuClient(
            access_key=emu.config.access_key,
            secret_key=emu.config.secret_key,
            endpoint=emu.url,
            limits=ConnectionLimits(max_connections=max(100, concurrency)),
        ) as client:
            await client.workspaces.create(WORKSPACE, bucket_name=BUCKET)
            console.print(
                f"[green]✓[/] created workspace [bold]{WORKSPACE}[/] "
                f"(bucket {BUCKET})"
            )
            project = await client.projects.create(WORKSPACE, PROJECT)
            console.print(
                f"[green]✓[/] created project [bold]{PROJECT}[/] "
                f"(id {project.project_id})"
            )
            console.print(
                f"Registering {key_count:,} keys, {concurrency} at a time; "
                "a few are invalid on purpose:"
            )
            display = ImportProgress(make_console(stderr=True), key_count)

            def hard_exit() -> None:
                display.stop()
                sys.stderr.write("maiu-async: demo interrupted\n")
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)

            with display:
                summary = await run_import(
                    client,
                    workspace=WORKSPACE,
                    project_id=project.project_id,
                    bucket=BUCKET,
                    keys=demo_keys(key_count),
                    total=key_count,
                    options=BulkOptions(concurrency=concurrency),
                    report_file=None,
                    report_path=None,
                    display=display,
                    hard_exit=hard_exit,
                )
        console.print()
        print_summary(console, summary, title="Import summary")
        stats = emu.stats
        console.print()
        print_counters(
            console,
            "The emulator's own counters",
            {
                "API requests received": stats.requests,
                "Registration requests": stats.by_route.get(
                    "register_asset", 0
                ),
                "Assets created": stats.assets_created,
                "429s sent": stats.rate_limited,
                "Signatures refused": stats.auth_failures,
            },
        )
        registered = summary.report.registered
        if stats.assets_created == registered:
            console.print(
                f"[green]✓[/] {registered:,} keys registered, "
                f"{stats.assets_created:,} assets created: "
                "each exactly once."
            )
        else:  # pragma: no cover -- would be a bug worth seeing
            console.print(
                Text(
                    f"✗ {registered:,} keys registered but "
                    f"{stats.assets_created:,} assets created",
                    style="bold red",
                )
            )
    console.print()
    console.print(
        "Next: [bold]maiu-async import --workspace W --project NAME "
        "--bucket B --keys-file keys.txt --journal import.journal[/] "
        "with your NCP keys in $NCLOUD_ACCESS_KEY_ID and "
        "$NCLOUD_SECRET_ACCESS_KEY, or against "
        "[bold]maiu-async emulator[/] with --endpoint."
    )
    return summary.exit_code
