"""
``maiu-async import --prefix``: a bucket listed by a real S3-compatible
server (moto on loopback, in a thread), imported in-process into an
in-process emulator that checks each registered key exists in it.
"""

from __future__ import annotations

import json

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from clihelpers import read_report, write_keys
from s3helpers import (
    PREFIX,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    moto_server,
    seed_corpus,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import Credentials, MaiuClient
from maiu_async.cli._storage import printable, s3_credentials
from maiu_async.emulator import Emulator, ObjectStorageCheck


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from clihelpers import Cli
    from s3helpers import Corpus


pytestmark = pytest.mark.anyio

BUCKET = "cli-corpus"
REASONS = (
    "folder",
    "unsupported extension",
    "invalid key",
    "empty",
    "too large",
)


@pytest.fixture(name="s3_url", scope="module")
def _s3_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(name="corpus", scope="module")
def _corpus(s3_url: str) -> Corpus:
    # A few hundred objects: the storage tests list thousands in-process.
    return seed_corpus(BUCKET, media=300)


@pytest.fixture(name="s3_env")
def _s3_env(s3_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store's URL as $MAIU_S3_ENDPOINT; no API is needed."""
    monkeypatch.setenv("MAIU_S3_ENDPOINT", s3_url)
    monkeypatch.setenv("MAIU_ENDPOINT", "http://127.0.0.1:9")
    return s3_url


@pytest.fixture(name="checked")
async def _checked(
    s3_env: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Emulator]:
    # The emulator checks keys with its own keys (NCP's "same keys").
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        # Checked when asked for, not in the background: the test asks
        # about 51 assets, and moto is slow to answer hundreds of HEADs.
        object_storage=ObjectStorageCheck(endpoint=s3_env, concurrency=0),
    ) as emu:
        monkeypatch.setenv("MAIU_ENDPOINT", emu.url)
        yield emu


def _expected(corpus: Corpus) -> tuple[dict[str, str | None], Counter[str]]:
    reasons = corpus.reasons(PREFIX)
    return reasons, Counter(r for r in reasons.values() if r is not None)


async def test_dry_run_lists_every_decision(cli: Cli, corpus, s3_env):
    """One line per object on stdout, counts per reason on stderr."""
    reasons, skipped = _expected(corpus)

    result = await cli(
        "import", "--bucket", BUCKET, "--prefix", PREFIX, "--dry-run"
    )

    assert 0 == result.code, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(reasons) == len(lines)
    assert reasons == {
        fields[1]: (fields[2] if fields[0] == "skip" else None)
        for fields in lines
    }
    summary = result.err_lines
    assert f"dry run of {BUCKET}/{PREFIX} (nothing sent):" == summary[0]
    selected = sum(r is None for r in reasons.values())
    assert f"  would register: {selected:,}" in summary
    for reason, count in skipped.items():
        assert f"    {reason}: {count:,}" in summary, result.stderr


async def test_dry_run_json_and_report(
    cli: Cli, corpus, s3_env, tmp_path, monkeypatch
):
    """--json prints the counts per reason; --report has every object."""
    monkeypatch.setenv("MAIU_S3_SECRET_KEY", S3_SECRET_KEY)
    reasons, skipped = _expected(corpus)
    report = tmp_path / "dry.jsonl"

    result = await cli(
        "import",
        "--bucket",
        BUCKET,
        "--prefix",
        PREFIX,
        "--dry-run",
        "--json",
        "--report",
        str(report),
        "--s3-access-key",
        S3_ACCESS_KEY,
    )

    assert 0 == result.code, result.stderr
    summary = json.loads(result.stdout)
    assert {
        "dry_run": True,
        "bucket": BUCKET,
        "prefix": PREFIX,
        "listed": len(reasons),
        "would_register": sum(r is None for r in reasons.values()),
        "would_skip": sum(skipped.values()),
        "skipped_by_reason": {r: skipped[r] for r in REASONS},
        "complete": True,
        "exit_code": 0,
    } == {
        k: summary[k]
        for k in (
            "dry_run",
            "bucket",
            "prefix",
            "listed",
            "would_register",
            "would_skip",
            "skipped_by_reason",
            "complete",
            "exit_code",
        )
    }
    rows = read_report(report)
    assert reasons == {row["key"]: row["reason"] for row in rows}
    assert all(
        (row["action"] == "skip") == (row["detail"] is not None)
        for row in rows
    )
    assert S3_SECRET_KEY not in result.stdout + result.stderr


async def test_import_a_prefix_end_to_end(
    cli: Cli, corpus, checked: Emulator, tmp_path
):
    """
    Every object under the prefix is registered or skipped with its
    reason; the emulator finds each registered object in the bucket, and
    a key that is not there ends as FILE_NOT_EXIST.
    """
    checked.state.add_workspace("media", BUCKET)
    project_id = checked.state.add_project("media", "target").project_id
    reasons, skipped = _expected(corpus)
    report = tmp_path / "import.jsonl"
    common = ["import", "-w", "media", "--project-id", str(project_id)]

    result = await cli(
        *common,
        "--bucket",
        BUCKET,
        "--prefix",
        PREFIX,
        "--journal",
        str(tmp_path / "journal"),
        "--report",
        str(report),
        "--json",
    )

    assert 0 == result.code, result.stderr
    summary = json.loads(result.stdout)
    selected = [k for k, r in reasons.items() if r is None]
    assert (len(selected), sum(skipped.values()), 0, 0) == (
        summary["registered"],
        summary["skipped"],
        summary["failed"],
        summary["unknown"],
    )
    assert {r: skipped[r] for r in REASONS} == summary["skipped_by_reason"]
    assert len(reasons) == summary["listed"]
    rows = read_report(report)
    assert sorted(selected) == sorted(
        r["key"] for r in rows if r["status"] == "registered"
    )
    folder = next(r for r in rows if r["key"] == PREFIX)
    assert ("skipped", "is a folder; only files can be registered") == (
        folder["status"],
        folder["error"],
    )

    missing = write_keys(tmp_path / "missing.txt", [f"{PREFIX}not-there.mp4"])
    result = await cli(
        *common, "--bucket", BUCKET, "--keys-file", str(missing), "--json"
    )
    assert 0 == result.code, result.stderr

    statuses = await _statuses(checked.url, "media", project_id)
    assert "FILE_NOT_EXIST" == statuses[f"{PREFIX}not-there.mp4"]
    del statuses[f"{PREFIX}not-there.mp4"]
    assert 50 == len(statuses)
    assert {"COMPLETED"} == set(statuses.values())
    assert set(statuses) <= set(selected)


async def _statuses(
    url: str, workspace: str, project_id: int
) -> dict[str, str]:
    """The import status of the missing key and of 50 others."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=url
    ) as client:
        page = await client.assets.list(workspace, project_id)
        wanted = page.content[:50] + page.content[-1:]
        return {
            str(a.file_name): (
                await client.assets.import_status(
                    workspace, project_id, a.asset_id
                )
            ).upload_status
            for a in wanted
        }


async def test_no_such_bucket(cli: Cli, s3_env):
    """A bucket the store does not have: exit 2, one line, no traceback."""
    result = await cli(
        "import", "--bucket", "no-such-bucket", "--whole-bucket", "--dry-run"
    )

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith(
        "maiu-async: object storage refused: ListObjects on bucket "
        "'no-such-bucket': NoSuchBucket (HTTP 404)"
    ), result.stderr


@pytest.mark.parametrize(
    "dry_run",
    [pytest.param(True, id="dry-run"), pytest.param(False, id="import")],
)
async def test_a_bucket_typo_keeps_the_report(
    cli: Cli, checked: Emulator, tmp_path, dry_run: bool
):
    """A run refused for a bucket typo leaves an earlier report as it was."""
    checked.state.add_workspace("media", "no-such-bucket")
    project_id = checked.state.add_project("media", "target").project_id
    report = tmp_path / "report.jsonl"
    report.write_text('{"key": "earlier.mp4", "status": "registered"}\n')
    before = report.read_bytes()

    result = await cli(
        "import",
        "-w",
        "media",
        "--project-id",
        str(project_id),
        "--bucket",
        "no-such-bucket",
        "--whole-bucket",
        "--report",
        str(report),
        *(["--dry-run"] if dry_run else []),
    )

    assert 2 == result.code, result.stderr
    assert "NoSuchBucket" in result.err_lines[-1]
    assert before == report.read_bytes()
    assert [] == [p.name for p in tmp_path.iterdir() if ".partial" in p.name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--prefix", "a/", "--keys-file", "-"],
            "exactly one of --keys-file, --prefix and --whole-bucket",
            id="prefix-and-keys-file",
        ),
        pytest.param(
            ["--prefix", "a/", "--whole-bucket"],
            "exactly one of",
            id="prefix-and-whole-bucket",
        ),
        pytest.param([], "exactly one of", id="no-source"),
        pytest.param(
            ["--prefix", ""], "pass --whole-bucket", id="empty-prefix"
        ),
        pytest.param(
            ["--prefix", "a/", "--project-id", "1"],
            "Missing option '--workspace'",
            id="no-workspace",
        ),
        pytest.param(
            ["--prefix", "a/", "--dry-run", "--s3-access-key", "OTHER"],
            "$MAIU_S3_SECRET_KEY or $AWS_SECRET_ACCESS_KEY",
            id="s3-key-without-secret",
        ),
        pytest.param(
            ["--prefix", "a/", "--dry-run", "--s3-endpoint", "s3.local"],
            "endpoint must be an http(s) URL",
            id="bad-endpoint",
        ),
    ],
)
async def test_usage_errors(cli: Cli, args, message):
    """Wrong combinations exit 2 with one line saying what to do."""
    result = await cli("import", "--bucket", "b", *args)

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert message in result.stderr


def test_s3_credentials_default_to_the_api_keys():
    """Without --s3-access-key the bucket is listed with the NCP keys."""
    api = Credentials(ACCESS_KEY, SECRET_KEY)

    assert api == s3_credentials(None, lambda: api, environ={})


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({"MAIU_S3_SECRET_KEY": S3_SECRET_KEY}, id="maiu"),
        pytest.param({"AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY}, id="aws"),
        pytest.param(
            {
                "MAIU_S3_SECRET_KEY": S3_SECRET_KEY,
                "AWS_SECRET_ACCESS_KEY": "x",
            },
            id="maiu-first",
        ),
    ],
)
def test_s3_credentials_override(environ):
    """--s3-access-key pairs with a secret from the environment only."""

    def never():
        raise AssertionError("the API keys are not wanted")

    creds = s3_credentials(S3_ACCESS_KEY, never, environ=environ)

    assert (S3_ACCESS_KEY, S3_SECRET_KEY) == (
        creds.access_key,
        creds.secret_key,
    )


def test_printable_keys():
    """Control characters in keys cannot break the one-line-per-key output."""
    assert "a b/é.mp4" == printable("a b/é.mp4")
    assert "a\\x0ab\\x09c.mp4" == printable("a\nb\tc.mp4")
