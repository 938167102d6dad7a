"""
``maiu-async demo``: a whole import against an in-process emulator.

It needs no account and no network: the emulator is started on loopback
with throwaway credentials (a fresh random secret each run, never shown)
and some latency, so that the progress bar has something to show.  Its
story goes to stderr (rich on a terminal, plain lines elsewhere); with
``--json`` the import's summary goes to stdout.

Strictly private.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys

from typing import TYPE_CHECKING, Final

import click

from rich.rule import Rule
from rich.text import Text

from maiu_async import ConnectionLimits, MaiuClient
from maiu_async.bulk import BulkOptions
from maiu_async.emulator import Emulator

from ._errors import exit_for_signal
from ._import_run import make_display, show_summary
from ._importer import run_import
from ._render import counters_table, make_console


if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import RenderableType

    from ._output import Output, StderrLogHandler


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


class _Narrator:
    """
    The demo's story, on stderr: rich on a terminal, plain elsewhere.
    """

    def __init__(self, output: Output, *, as_json: bool) -> None:
        self._silent = output.quiet or as_json
        self._console = make_console(stderr=True) if output.tty else None

    @property
    def check(self) -> str:
        """A check mark on a terminal; nothing in a log."""
        return "[green]✓[/] " if self._console is not None else ""

    def say(self, markup: str = "") -> None:
        """Print one line of rich markup."""
        if self._silent:
            return
        if self._console is None:
            click.echo(Text.from_markup(markup).plain, err=True)
        else:
            self._console.print(markup)

    def show(self, renderable: RenderableType, plain: list[str]) -> None:
        """Print a table on a terminal, else its *plain* lines."""
        if self._silent:
            return
        if self._console is None:
            for line in plain:
                click.echo(line, err=True)
        else:
            self._console.print(renderable)


async def run_demo(  # noqa: PLR0913 -- keyword-only options
    *,
    key_count: int,
    latency: float,
    concurrency: int,
    output: Output,
    log_handler: StderrLogHandler,
    as_json: bool = False,
) -> int:
    """
    Run the demo; return the exit status.

    Strictly private.
    """
    story = _Narrator(output, as_json=as_json)
    if output.tty:
        story.show(Rule("[bold]maiu-async demo[/]"), [])
    else:
        story.say("maiu-async demo")
    async with Emulator(
        access_key=_ACCESS_KEY,
        secret_key=secrets.token_urlsafe(32),
        latency=latency,
        jitter=latency / 2,
    ) as emu:
        story.say(
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
            story.say(
                f"{story.check}created workspace [bold]{WORKSPACE}[/] "
                f"(bucket {BUCKET})"
            )
            project = await client.projects.create(WORKSPACE, PROJECT)
            story.say(
                f"{story.check}created project [bold]{PROJECT}[/] "
                f"(id {project.project_id})"
            )
            story.say(
                f"Registering {key_count:,} keys, {concurrency} at a time; "
                "a few are invalid on purpose:"
            )
            with contextlib.ExitStack() as stack:
                display = make_display(
                    output, key_count, stack, log_handler, as_json=as_json
                )

                def hard_exit(signum: int) -> None:
                    stop = getattr(display, "stop", None)
                    if stop is not None:
                        stop()
                    sys.stderr.write("maiu-async: demo interrupted\n")
                    sys.stderr.flush()
                    os._exit(exit_for_signal(signum))

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
        story.say()
        show_summary(summary, output, as_json=as_json)
        stats = emu.stats
        story.say()
        counters = {
            "API requests received": stats.requests,
            "Registration requests": stats.by_route.get("register_asset", 0),
            "Assets created": stats.assets_created,
            "429s sent": stats.rate_limited,
            "Signatures refused": stats.auth_failures,
        }
        title = "The emulator's own counters"
        if output.tty:
            story.show(counters_table(title, counters), [])
        else:
            story.show(
                Rule(),
                [f"{title}:"]
                + [f"  {name}: {value:,}" for name, value in counters.items()],
            )
        registered = summary.report.registered
        if stats.assets_created == registered:
            story.say(
                f"{story.check}{registered:,} keys registered, "
                f"{stats.assets_created:,} assets created: "
                "each exactly once."
            )
        else:  # pragma: no cover -- would be a bug worth seeing
            story.say(
                f"[bold red]{registered:,} keys registered but "
                f"{stats.assets_created:,} assets created[/]"
            )
    story.say()
    story.say(
        "Next: [bold]maiu-async import --workspace W --project NAME "
        "--bucket B --keys-file keys.txt --journal import.journal[/] "
        "with your NCP keys in $NCLOUD_ACCESS_KEY_ID and "
        "$NCLOUD_SECRET_ACCESS_KEY, or against "
        "[bold]maiu-async emulator[/] with --endpoint."
    )
    return summary.exit_code
