"""
Journals that are not what they should be (issue 13, items 5 and 9).

Each gives a `JournalError` saying what is wrong and how to recover, or
is read losslessly; long values are echoed shortened.
"""

from __future__ import annotations

import os

import pytest

from bulk_support import keys_for

from maiu_async import MaiuClient
from maiu_async.bulk import OutcomeStatus, register_many
from maiu_async.bulk._journal import JobIdentity, Journal
from maiu_async.bulk._keys import KeyTable
from maiu_async.exceptions import JournalError
from maiu_async.testing import MockTransport, Request, Response, api_error


pytestmark = pytest.mark.anyio

IDENTITY = JobIdentity(
    endpoint="127.0.0.1:8080", workspace="ws", project_id=7, bucket="b"
)


def open_journal(path):
    """Open the journal at *path* for `IDENTITY`; close it."""
    journal, maybe = Journal.open(path, IDENTITY, KeyTable())
    journal.close()
    return maybe


def with_lines(path, *lines):
    """A valid journal at *path*, followed by *lines*."""
    open_journal(path)
    with path.open("a", encoding="utf-8") as f:
        f.writelines(lines)
    return path


def test_dev_null_is_refused():
    """/dev/null (a device) is refused with a JournalError, not OSError."""
    with pytest.raises(JournalError, match="is a device"):
        open_journal(os.devnull)


def test_fifo_is_refused(tmp_path):
    """A named pipe is refused with a JournalError."""
    fifo = tmp_path / "journal.fifo"
    os.mkfifo(fifo)

    with pytest.raises(JournalError, match="is a pipe"):
        open_journal(fifo)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        pytest.param("R\tk.mp4\n", "4 tab-separated fields", id="short"),
        pytest.param("R\tk.mp4\t-1\t1\n", "asset id '-1'", id="negative-id"),
        pytest.param("R\tk.mp4\t0\t1\n", "asset id '0'", id="zero-id"),
        pytest.param("U\tk.mp4\tx\te\n", "attempt count 'x'", id="attempts"),
        pytest.param("Q\tk.mp4\n", "unknown record 'Q'", id="unknown"),
        pytest.param('P\t"k\n', "not a valid JSON string", id="json"),
    ],
)
def test_corrupt_line_says_where_and_how_to_recover(tmp_path, line, says):
    """A corrupt line names itself, what is wrong, and what to do."""
    path = with_lines(tmp_path / "j", "P\tk.mp4\n", line)

    with pytest.raises(JournalError) as raised:
        open_journal(path)

    message = str(raised.value)
    assert "at line 3" in message
    assert says in message
    assert "Restore it" in message


async def test_huge_asset_ids_are_resumed_whole(target, client, tmp_path):
    """Ids at and above 2**62 (even 2**70) come back exactly on resume."""
    journal = tmp_path / "job.journal"
    keys = keys_for(3)
    ids = {keys[0]: 2**62, keys[1]: 2**62 - 2, keys[2]: 2**70}
    common = {
        "bucket_name": target.bucket,
        "journal": journal,
    }
    await register_many(
        client, target.workspace, target.project_id, keys=[], **common
    )
    with journal.open("a", encoding="utf-8") as f:
        f.writelines(f"P\t{k}\nR\t{k}\t{i}\t1\n" for k, i in ids.items())
    outcomes = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        keys=keys,
        on_result=outcomes.append,
        **common,
    )

    assert (3, 0) == (report.resumed, report.requests)
    assert ids == {o.key: o.asset_id for o in outcomes}


async def test_huge_key_and_error_are_echoed_shortened(tmp_path):
    """A 10 MB key and a 100 KB error stay short in outcomes and journal."""
    huge = "k" * 10_000_000 + ".mp4"
    echo = "x" * 100_000

    def answer(request: Request) -> Response:
        if request.method == "GET":
            return Response(200, json={"code": "0", "result": {}})
        return api_error(400, "4000", echo)

    journal = tmp_path / "job.journal"
    outcomes = []
    async with MaiuClient(
        access_key="ak", secret_key="sk", transport=MockTransport(answer)
    ) as client:
        report = await register_many(
            client,
            "ws",
            7,
            bucket_name="b",
            keys=[huge, "ok.mp4"],
            journal=journal,
            on_result=outcomes.append,
            preflight=False,
        )

    skipped, failed = outcomes
    assert (1, 1) == (report.skipped, report.failed)
    assert OutcomeStatus.SKIPPED is skipped.status
    assert skipped.key.endswith("... (10000004 characters)")
    assert "10000004 bytes" in (skipped.error or "")
    assert len(skipped.key) + len(skipped.error or "") < 2_000
    assert "(100000 characters)" in (failed.error or "")
    assert len(failed.error or "") < 2_000
    assert journal.stat().st_size < 4_000
