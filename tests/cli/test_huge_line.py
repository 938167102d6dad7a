"""
A 100 MB line in a keys file (issue 13, item 5): skipped as too long with
its length, echoed shortened everywhere, and never held whole in memory.
"""

from __future__ import annotations

import json
import tracemalloc

from typing import TYPE_CHECKING

import pytest

from clihelpers import import_args, read_report

from maiu_async.cli._keysfile import BLOCK, LineSplitter


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli


pytestmark = pytest.mark.anyio

#: 100 MB of key, then ".mp4": a line no key can be.
HUGE = 100_000_000
HUGE_KEY_BYTES = HUGE + len(".mp4")
REASON = (
    f"is {HUGE_KEY_BYTES} bytes long; Object Storage keys are at most "
    "1024 bytes"
)
#: Far below the line: the reader may hold a block or two of it, not it.
MEMORY_BOUND = 16 * 1024 * 1024


def _write_huge(path: Path, before: list[str], after: list[str]) -> Path:
    piece = b"k" * BLOCK
    with path.open("wb") as f:
        f.write("".join(f"{k}\r\n" for k in before).encode())
        for _ in range(HUGE // BLOCK):
            f.write(piece)
        f.write(b"k" * (HUGE % BLOCK) + b".mp4\r\n")
        f.write("".join(f"{k}\r\n" for k in after).encode())
    return path


async def test_a_100_mb_line_costs_a_block_and_is_echoed_short(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """The line is skipped with its length; memory stays under 16 MB."""
    workspace, project_id = project
    keys_file = _write_huge(
        tmp_path / "keys.txt", ["a/1.mp4", "a/2.mp4"], ["a/3.mp4"]
    )
    report = tmp_path / "report.jsonl"
    journal = tmp_path / "job.journal"

    tracemalloc.start()
    try:
        result = await cli(
            *import_args(workspace, project_id, keys_file),
            "--report",
            str(report),
            "--journal",
            str(journal),
            "--json",
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < MEMORY_BOUND, peak
    rows = read_report(report)
    huge = next(row for row in rows if row["status"] == "skipped")
    summary = json.loads(result.stdout)
    assert (0, 3, 1) == (
        result.code,
        summary["registered"],
        summary["skipped"],
    )
    assert REASON == huge["error"]
    assert huge["key"].startswith("k" * 200 + "... (")
    assert f"({HUGE_KEY_BYTES} bytes)" in huge["key"]
    assert len(report.read_bytes()) < 4096
    assert journal.stat().st_size < 4096


async def test_human_summary_of_a_huge_line_is_short(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """The human summary names the line shortened, not 100 MB of it."""
    workspace, project_id = project
    keys_file = _write_huge(tmp_path / "keys.txt", [], ["b/1.mp4"])

    result = await cli(*import_args(workspace, project_id, keys_file))

    assert 0 == result.code, result.stderr[:2000]
    assert len(result.stderr) < 10_000
    assert f"({HUGE_KEY_BYTES} bytes)" in result.stderr


def test_splitter_holds_a_streamed_line_once_at_most():
    """Fed in 64 KiB chunks, a 20 MB line costs no more than a chunk or so."""
    chunk = b"x" * 65_536
    splitter = LineSplitter("<stdin>")
    tracemalloc.start()
    try:
        keys = [*splitter.feed(b"ok/1.mp4\n")]
        for _ in range(320):
            keys += splitter.feed(chunk)
        keys += splitter.feed(b".mp4\nok/2.mp4")
        keys += splitter.end()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    size = 320 * len(chunk) + len(".mp4")
    assert peak < 4 * len(chunk), peak
    assert ["ok/1.mp4", "ok/2.mp4"] == [k for k in keys if isinstance(k, str)]
    skipped = [k for k in keys if not isinstance(k, str)]
    assert [f"is {size} bytes long"] == [
        k.reason.split(";")[0] for k in skipped
    ]
