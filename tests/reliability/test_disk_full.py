"""
A disk that fills up mid-import (issue 13, item 7): a systemic stop that
flushes what it can, prints the summary (or the ``--json`` object) and the
resume hint, and loses no line already written.

The CLI runs as a subprocess whose files cannot grow past a limit, for
real, without root:

- ``RLIMIT_FSIZE``: Python ignores SIGXFSZ, so a write past the limit
  fails with ``EFBIG`` ("File too large"); available everywhere;
- a tmpfs of a few pages, mounted in a user namespace of its own
  (``unshare``), for ``ENOSPC`` ("No space left on device") itself;
  where user namespaces are not allowed, that variant cannot run.

Both take the same path: an ``OSError`` from ``os.write``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys

import anyio
import pytest

from reliability_support import cli_argv, cli_env, held_assets, running

from maiu_async.cli._options import CommandFailed
from maiu_async.cli._reportfile import ReportFile


WORKSPACE = "full-ws"
BUCKET = "full-bucket"
KEYS = [f"videos/full-{n:05}.mp4" for n in range(2000)]
#: A guard against a hung import, not an expectation.
GUARD = 300
#: Past this, the files of the limited CLI cannot grow.  The report
#: (about 170 bytes a key) reaches it first; the journal (two short lines
#: a key, a pending line for each key read ahead) stays under it.
REPORT_LIMIT = 100_000
#: Without a report, the journal reaches this one.
JOURNAL_LIMIT = 40_000
_LIMITED = (
    "import resource, runpy, sys; "
    "limit = int(sys.argv.pop(1)); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); "
    "sys.argv[0] = 'maiu-async'; "
    "runpy.run_module('maiu_async.cli', run_name='__main__')"
)
_KEPT = re.compile(r"its first (\d+) lines are kept")


def _userns_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k none /mnt",
        ],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture(name="project")
async def _project(client):
    await client.workspaces.create(WORKSPACE, bucket_name=BUCKET)
    project = await client.projects.create(WORKSPACE, "full")
    return project.project_id


@pytest.fixture(name="keys_file")
def _keys_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("\n".join(KEYS) + "\n", encoding="utf-8")
    return path


def _import_args(project, keys_file, folder, *, report: bool, json_out: bool):
    args = [
        "import", "-w", WORKSPACE, "--project-id", str(project),
        "--bucket", BUCKET, "--keys-file", str(keys_file),
        "--journal", str(folder / "import.journal"),
        "--reconcile-delay", "0",
    ]  # fmt: skip
    if report:
        args += ["--report", str(folder / "report.jsonl")]
    if json_out:
        args.append("--json")
    return args


async def _run(argv, env) -> tuple[int, str, str]:
    async with running(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        out: list[bytes] = []
        err: list[bytes] = []

        async def drain(stream, into):
            into.extend([chunk async for chunk in stream])

        with anyio.fail_after(GUARD):
            async with anyio.create_task_group() as tg:
                tg.start_soon(drain, process.stdout, out)
                tg.start_soon(drain, process.stderr, err)
                code = await process.wait()
    return code, b"".join(out).decode(), b"".join(err).decode()


def _report_lines(path) -> list[dict[str, object]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


async def _resume_and_check(emu, project, args, env, folder):
    """A rerun without limit finishes the job, every key exactly once."""
    code, out, err = await _run(cli_argv(*args), env)
    assert 0 == code, err
    held = held_assets(emu, WORKSPACE, project)
    assert dict.fromkeys(KEYS, 1) == {k: len(v) for k, v in held.items()}
    report = folder / "report.jsonl"
    if report.exists():
        lines = _report_lines(report)
        assert sorted(KEYS) == sorted(line["key"] for line in lines)
    return out


@pytest.mark.anyio
async def test_full_journal_stops_with_summary_and_resumes(
    emu, project, keys_file, tmp_path
):
    """A journal past the limit: summary, resume hint, then exactly once."""
    env = cli_env(tmp_path, emu.url)
    args = _import_args(
        project, keys_file, tmp_path, report=False, json_out=False
    )

    code, _, err = await _run(
        [sys.executable, "-c", _LIMITED, str(JOURNAL_LIMIT), *args],
        env,
    )

    assert 2 == code
    assert "Import summary:" in err
    assert "File too large" in err
    assert "to resume, run the same command" in err
    assert "Traceback" not in err
    await _resume_and_check(emu, project, args, env, tmp_path)


@pytest.mark.anyio
async def test_full_report_stops_with_summary_and_keeps_whole_lines(
    emu, project, keys_file, tmp_path
):
    """A report past the limit: the JSON object, whole lines, a resume."""
    env = cli_env(tmp_path, emu.url)
    args = _import_args(
        project, keys_file, tmp_path, report=True, json_out=True
    )

    code, out, err = await _run(
        [sys.executable, "-c", _LIMITED, str(REPORT_LIMIT), *args],
        env,
    )

    summary = json.loads(out)
    kept = _KEPT.search(summary["error"])
    lines = _report_lines(tmp_path / "report.jsonl")
    assert (2, 2) == (code, summary["exit_code"])
    assert "cannot write the report" in summary["error"]
    assert "File too large" in summary["error"]
    assert "to resume, run the same command" in err
    assert kept is not None
    assert int(kept[1]) == len(lines)
    assert [] == [line for line in lines if line["key"] not in KEYS]
    await _resume_and_check(emu, project, args, env, tmp_path)


@pytest.mark.anyio
@pytest.mark.skipif(
    not _userns_tmpfs(), reason="no user namespaces here: EFBIG only"
)
async def test_no_space_left_on_device(emu, project, keys_file, tmp_path):
    """ENOSPC on a full tmpfs: the JSON object, whole report lines kept."""
    env = cli_env(tmp_path, emu.url)
    disk = tmp_path / "disk"
    saved = tmp_path / "saved"
    disk.mkdir()
    saved.mkdir()
    args = _import_args(project, keys_file, disk, report=True, json_out=True)
    # The tmpfs lives as long as the namespace: copy what is left out.
    script = (
        'mount -t tmpfs -o size=128k none "$1" && shift 2 && '
        '"$@"; code=$?; cp -a "$DISK"/. "$SAVED"/; exit $code'
    )
    argv = [
        "unshare", "--user", "--map-root-user", "--mount",
        "sh", "-c", script, "sh", str(disk), "--", *cli_argv(*args),
    ]  # fmt: skip

    code, out, err = await _run(
        argv, env | {"DISK": str(disk), "SAVED": str(saved)}
    )

    summary = json.loads(out)
    kept = _KEPT.search(summary["error"])
    lines = _report_lines(saved / "report.jsonl")
    assert 2 == code, err
    assert "No space left on device" in summary["error"]
    assert "to resume, run the same command" in err
    assert kept is not None
    assert int(kept[1]) == len(lines)
    for name in ("import.journal", "report.jsonl"):
        (disk / name).write_bytes((saved / name).read_bytes())
    await _resume_and_check(emu, project, args, env, disk)


def test_a_report_that_is_not_a_file_is_refused(tmp_path):
    """A FIFO (or a device) as --report is refused, and left as it was."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)

    with pytest.raises(CommandFailed, match="not a regular file"):
        ReportFile(fifo)

    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [fifo] == list(tmp_path.iterdir())
