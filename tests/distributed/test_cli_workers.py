"""
``maiu-async import --workers N``, run in-process against the emulator.

``main`` runs in a worker thread (it runs its own event loop) while the
emulator serves on the test's loop, as in ``tests/cli``.
"""

from __future__ import annotations

import json

import anyio
import pytest

from dask_support import BUCKET, WORKSPACE, assets_by_key, video_keys
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.cli import main


pytest.importorskip("distributed")

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("forkserver")]


@pytest.fixture(autouse=True, name="environment")
def _environment(monkeypatch, tmp_path):
    """Credentials in the environment, as users pass them; no config."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET_KEY)


async def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI with *args*; its exit status, stdout and stderr."""
    capsys.readouterr()
    with anyio.fail_after(240):
        code = await anyio.to_thread.run_sync(main, list(args))
    out, err = capsys.readouterr()
    assert SECRET_KEY not in out + err
    return code, out, err


async def test_import_with_workers_then_rerun(launch, tmp_path, capsys):
    """Two workers register each key once; the rerun resumes every key."""
    emu, project = await launch(rate_limit=300.0)
    keys = video_keys(400)
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("".join(f"{k}\n" for k in keys))
    report = tmp_path / "report.jsonl"
    argv = [
        "import",
        "--endpoint", emu.url,
        "-w", WORKSPACE,
        "--project-id", str(project),
        "--bucket", BUCKET,
        "--keys-file", str(keys_file),
        "--workers", "2",
        "--shard-size", "150",
        "--rate", "250",
        "--reconcile-delay", "0",
        "--journal", str(tmp_path / "job"),
        "--report", str(report),
        "--json",
    ]  # fmt: skip

    code, out, _ = await cli(capsys, *argv)
    first = json.loads(out)
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    code_again, out_again, _ = await cli(capsys, *argv)
    again = json.loads(out_again)

    assert (0, len(keys)) == (code, first["registered"])
    assert sorted(keys) == sorted(item["key"] for item in lines)
    assert (0, len(keys), len(keys)) == (
        code_again,
        again["registered"],
        again["resumed"],
    )
    assert dict.fromkeys(keys, 1) == dict(assets_by_key(emu, project))


async def test_workers_need_a_job_directory(launch, tmp_path, capsys):
    """``--workers`` without ``--journal DIR`` is a usage error."""
    emu, project = await launch()
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("a.mp4\n")

    code, _, err = await cli(
        capsys,
        "import", "--endpoint", emu.url, "-w", WORKSPACE,
        "--project-id", str(project), "--bucket", BUCKET,
        "--keys-file", str(keys_file), "--workers", "2",
    )  # fmt: skip

    assert 2 == code
    assert "--journal DIR" in err


async def test_import_a_prefix_with_workers(
    launch, tmp_path, capsys, monkeypatch
):
    """A listed prefix is cut once; keys and skips end as in one process."""
    from s3helpers import PREFIX, moto_server, seed_corpus  # noqa: PLC0415

    emu, project = await launch()
    with moto_server() as s3_url:
        monkeypatch.setenv("MAIU_S3_ENDPOINT", s3_url)
        corpus = seed_corpus(BUCKET, media=60)
        reasons = corpus.reasons(PREFIX)
        report = tmp_path / "report.jsonl"
        code, out, _ = await cli(
            capsys,
            "import", "--endpoint", emu.url, "-w", WORKSPACE,
            "--project-id", str(project), "--bucket", BUCKET,
            "--prefix", PREFIX, "--workers", "2", "--shard-size", "40",
            "--reconcile-delay", "0", "--journal", str(tmp_path / "job"),
            "--report", str(report), "--json",
        )  # fmt: skip
    summary = json.loads(out)
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    selected = sorted(k for k, r in reasons.items() if r is None)

    assert (0, len(selected)) == (code, summary["registered"])
    assert len(reasons) - len(selected) == summary["skipped"]
    assert sorted(reasons) == sorted(item["key"] for item in lines)
    assert selected == sorted(assets_by_key(emu, project))
