"""
Output without a terminal, logging options, and offline dry runs of
keys files (issue 14, items 3 to 5).

In-process runs write to pytest's capture, which is not a TTY: exactly
the case of cron, CI and ``> log 2>&1``.  The progress line printed
while a run is stalled is shown by the subprocess test of
``test_cli_process.py``; here its content is pinned with an injected
clock.
"""

from __future__ import annotations

import json
import re

from typing import TYPE_CHECKING

import pytest

from clihelpers import BUCKET, import_args, read_report, write_keys

from maiu_async.bulk import Outcome, OutcomeStatus, RetryScheduled
from maiu_async.cli._plain import PlainProgress


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli


pytestmark = pytest.mark.anyio

#: Box drawing, block elements, the check marks and ANSI escapes: none of
#: them belongs in a log file.
_DRAWING = re.compile("[\u2500-\u259f\u2713\u2717\u2022\u00b7\x1b]")


def _outcome(status: OutcomeStatus) -> Outcome:
    return Outcome(key="k.mp4", status=status)


def test_progress_line():
    """The plain line has counts, retries, rate, elapsed time and ETA."""
    now = [100.0]
    lines: list[str] = []
    progress = PlainProgress(lines.append, 100, 5.0, clock=lambda: now[0])
    for status in [OutcomeStatus.REGISTERED] * 18 + [
        OutcomeStatus.SKIPPED,
        OutcomeStatus.FAILED,
    ]:
        progress.outcome(_outcome(status))
    progress.event(RetryScheduled(key="k", attempt=1, wait=0, error="503"))
    now[0] += 10.0

    progress.tick()
    progress.stop()
    progress.stop()

    line = (
        "progress: 20/100 keys (20.0%): 18 registered, 1 skipped, 1 failed, "
        "0 unknown, 1 retries; 2.0 keys/s; elapsed 0:00:10; ETA 0:00:40"
    )
    assert [line, line] == lines


def test_progress_line_without_a_total():
    """Reading standard input, the line has no share and no ETA."""
    now = [0.0]
    lines: list[str] = []
    progress = PlainProgress(lines.append, None, 5.0, clock=lambda: now[0])
    progress.outcome(_outcome(OutcomeStatus.REGISTERED))

    progress.tick()

    assert [
        (
            "progress: 1 keys: 1 registered, 0 skipped, 0 failed, 0 unknown, "
            "0 retries; 0.0 keys/s; elapsed 0:00:00"
        )
    ] == lines


async def test_import_without_a_tty_is_plain(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """No drawing at all; progress and summary on stderr, stdout empty."""
    workspace, project_id = project
    keys = [f"v/{i:03d}.mp4" for i in range(40)] + ["notes.txt"]
    keys_file = write_keys(tmp_path / "keys.txt", keys)

    result = await cli(*import_args(workspace, project_id, keys_file))

    assert 0 == result.code, result.stderr
    assert "" == result.stdout
    assert None is _DRAWING.search(result.stderr), result.stderr
    assert (
        "progress: 41/41 keys (100.0%): 40 registered, 1 skipped, 0 failed, "
        "0 unknown, 0 retries;"
    ) in result.stderr
    assert "Import summary:" in result.err_lines
    assert "  registered: 40" in result.err_lines
    assert "  skipped: 1" in result.err_lines
    assert (
        "Done: every valid key is registered (1 skipped)."
        == result.err_lines[-1]
    )


@pytest.mark.parametrize("with_report", [True, False])
async def test_every_key_is_in_the_report_only_with_one(
    cli: Cli, project: tuple[str, int], tmp_path: Path, with_report: bool
):
    """The examples' title promises the report only when there is one."""
    workspace, project_id = project
    keys = ["a.mp4", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    report = ["--report", str(tmp_path / "r.jsonl")] if with_report else []

    result = await cli(*import_args(workspace, project_id, keys_file), *report)

    promised = "Not registered (examples; every key is in the report):"
    assert 0 == result.code, result.stderr
    assert with_report == (promised in result.err_lines)
    assert (not with_report) == (
        "Not registered (at most 3 per status; --report PATH lists every "
        "key):" in result.err_lines
    )


async def test_quiet(cli: Cli, project: tuple[str, int], tmp_path: Path):
    """--quiet prints nothing on success; --json still goes to stdout."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "keys.txt", ["a.mp4", "b.mp4"])

    quiet = await cli(*import_args(workspace, project_id, keys_file), "-q")
    both = await cli(
        *import_args(workspace, project_id, keys_file), "-q", "--json"
    )

    assert (0, "", "") == (quiet.code, quiet.stdout, quiet.stderr)
    assert 0 == both.code
    assert "" == both.stderr
    assert 2 == json.loads(both.stdout)["registered"]


async def test_quiet_and_verbose_conflict(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """--quiet with --verbose is a usage error."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "keys.txt", ["a.mp4"])

    result = await cli(
        *import_args(workspace, project_id, keys_file), "-q", "-v"
    )

    assert 2 == result.code
    assert ["maiu-async: pass either --quiet or --verbose"] == [
        line.split(" (see")[0] for line in result.err_lines
    ]


async def test_verbose_logs_on_stderr(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """-v shows the job's INFO lines, -vv a DEBUG line per request."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "keys.txt", ["a.mp4", "b.mp4"])
    args = [*import_args(workspace, project_id, keys_file), "--json"]

    plain = await cli(*args)
    info = await cli(*args, "-v")
    debug = await cli(*args, "-vv")

    assert "" == plain.stderr
    assert 2 == len(info.err_lines), info.stderr
    assert info.err_lines[0].startswith("maiu-async: INFO: bulk job started: ")
    assert info.err_lines[1].startswith(
        "maiu-async: INFO: bulk job finished: 2 registered"
    )
    requests = [
        line
        for line in debug.err_lines
        if line.startswith("maiu-async: DEBUG")
    ]
    assert 2 <= len(requests)
    assert all("(request id " in line for line in requests)


async def test_log_file_as_json(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """--log-file with --log-format json writes one JSON object a line."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "keys.txt", ["a.mp4", "b.mp4"])
    log = tmp_path / "import.log"

    result = await cli(
        *import_args(workspace, project_id, keys_file),
        "--json",
        "--log-file",
        str(log),
        "--log-format",
        "json",
    )

    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert 0 == result.code, result.stderr
    assert "" == result.stderr
    assert [("INFO", "maiu_async.bulk")] * 2 == [
        (r["level"], r["logger"]) for r in records
    ]
    assert records[0]["message"].startswith("bulk job started")
    assert records[1]["message"].startswith("bulk job finished: 2 registered")
    assert all(
        set(r) == {"time", "level", "logger", "message"} for r in records
    )


_KEYS = [
    "videos/a.mp4",
    "videos/2026/",
    "notes.txt",
    "",
    "videos/a.mp4",
    "raw/README",
    "a.mp4,10",
    "images/b.jpg",
]


async def test_keys_file_dry_run_is_offline(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A keys file's dry run needs no credentials and sends nothing."""
    for name in ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("MAIU_ENDPOINT", "http://127.0.0.1:1")
    keys_file = write_keys(tmp_path / "keys.txt", _KEYS)

    result = await cli(
        "import",
        "--bucket",
        BUCKET,
        "--keys-file",
        str(keys_file),
        "--dry-run",
    )

    assert 0 == result.code, result.stderr
    assert [
        "register\tvideos/a.mp4",
        "skip\tvideos/2026/\tfolder",
        "skip\tnotes.txt\tunsupported extension",
        "skip\tvideos/a.mp4\tduplicate",
        "skip\traw/README\tunsupported extension",
        "skip\ta.mp4,10\tunsupported extension",
        "register\timages/b.jpg",
    ] == result.stdout.splitlines()
    assert [
        f"dry run of {keys_file} (nothing sent):",
        "  would register: 2",
        "  would skip: 5",
        "    folder: 1",
        "    unsupported extension: 3",
        "    invalid key: 0",
        "    duplicate: 1",
    ] == result.err_lines[:7]
    assert None is _DRAWING.search(result.stderr)


async def test_keys_file_dry_run_json_and_report(cli: Cli, tmp_path: Path):
    """--json has the counts per reason; --report one row per key."""
    keys_file = write_keys(tmp_path / "keys.txt", _KEYS)
    report = tmp_path / "dry.jsonl"

    result = await cli(
        "import",
        "--bucket",
        BUCKET,
        "--keys-file",
        "-",
        "--dry-run",
        "--json",
        "--report",
        str(report),
        stdin=keys_file.read_text(),
    )

    assert 0 == result.code, result.stderr
    assert {
        "dry_run": True,
        "keys_file": "<stdin>",
        "keys": 7,
        "would_register": 2,
        "would_skip": 5,
        "skipped_by_reason": {
            "folder": 1,
            "unsupported extension": 3,
            "invalid key": 0,
            "duplicate": 1,
        },
        "report": str(report),
        "exit_code": 0,
    } == json.loads(result.stdout)
    rows = read_report(report)
    assert [1, 2, 3, 5, 6, 7, 8] == [row["line"] for row in rows]
    assert {
        "key": "a.mp4,10",
        "line": 7,
        "action": "skip",
        "reason": "unsupported extension",
    } == {k: rows[5][k] for k in ("key", "line", "action", "reason")}
    assert rows[5]["detail"].startswith("looks like a CSV line")
