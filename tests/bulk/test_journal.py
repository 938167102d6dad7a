"""
Tests for the journal file: identity, replay, torn lines, encoding.
"""

from __future__ import annotations

import json

import attrs
import pytest

from hypothesis import given
from hypothesis import strategies as st

from maiu_async.bulk._journal import (
    JobIdentity,
    Journal,
    _decode_field,
    encode_field,
)
from maiu_async.bulk._keys import DUPLICATE, KeyTable
from maiu_async.bulk._report import Outcome, OutcomeStatus
from maiu_async.exceptions import JournalError


IDENTITY = JobIdentity(
    endpoint="127.0.0.1:8080", workspace="ws", project_id=7, bucket="b"
)


@pytest.fixture(name="path")
def _path(tmp_path):
    return tmp_path / "import.journal"


def open_journal(path, identity=IDENTITY):
    """Open *path*; return the journal, the maybe-keys and the table."""
    table = KeyTable()
    journal, maybe = Journal.open(path, identity, table)
    return journal, maybe, table


def write_lines(path, *lines):
    """Create a journal for IDENTITY holding *lines* after the header."""
    journal, _, _ = open_journal(path)
    journal.close()
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(lines))


def test_new_journal_starts_with_the_job_identity(path):
    """A new journal's first line names the job, and nothing secret."""
    journal, maybe, _ = open_journal(path)
    journal.close()

    header = json.loads(path.read_text().splitlines()[0])

    assert {
        "format": "maiu-async-journal",
        "version": 1,
        "endpoint": "127.0.0.1:8080",
        "workspace": "ws",
        "project_id": 7,
        "bucket": "b",
    } == header
    assert {} == maybe


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"workspace": "other-ws"}, id="workspace"),
        pytest.param({"project_id": 8}, id="project"),
        pytest.param({"bucket": "c"}, id="bucket"),
        pytest.param({"endpoint": "mi.apigw.ntruss.com"}, id="endpoint"),
    ],
)
def test_journal_of_another_job_is_refused(path, other):
    """Reopening for a different endpoint/workspace/project/bucket fails."""
    open_journal(path)[0].close()
    identity = attrs.evolve(IDENTITY, **other)

    with pytest.raises(JournalError, match="belongs to another job"):
        open_journal(path, identity)


def test_replay_rebuilds_what_each_key_became(path):
    """Registered keys fill the table; P and U keys may exist; F/N/S not."""
    write_lines(
        path,
        "P\tdone.mp4\n",
        "P\tinflight.mp4\n",
        "P\tlost.mp4\n",
        "P\tfailed.mp4\n",
        "P\treleased.mp4\n",
        "R\tdone.mp4\t100\t1\n",
        "U\tlost.mp4\t3\tConnectionLost\n",
        "F\tfailed.mp4\t8\tHTTP 503\n",
        "N\treleased.mp4\n",
        "S\tinflight.mp4\tduplicate of an earlier key in the input\n",
    )

    journal, maybe, table = open_journal(path)
    journal.close()

    assert {"inflight.mp4": 1, "lost.mp4": 3} == maybe
    assert (100, None, None) == (
        table.registered("done.mp4"),
        table.registered("failed.mp4"),
        table.registered("lost.mp4"),
    )


def test_registration_after_unknown_clears_the_doubt(path):
    """A later R line (a resumed run found it) wins over U."""
    write_lines(
        path,
        "P\tk.mp4\n",
        "U\tk.mp4\t2\treset\n",
        "R\tk.mp4\t5\t2\n",
    )

    journal, maybe, table = open_journal(path)
    journal.close()

    assert ({}, 6) == (maybe, table.mark_seen("k.mp4"))


def test_torn_last_line_is_dropped_and_truncated(path):
    """A line cut short by a crash is ignored and removed from the file."""
    write_lines(path, "P\ta.mp4\n", "R\ta.mp4\t9\t1\n", "R\tb.mp")
    before = path.read_bytes()

    journal, maybe, table = open_journal(path)
    journal.close()

    assert before[: before.rindex(b"\n") + 1] == path.read_bytes()
    assert ({}, 9) == (maybe, table.registered("a.mp4"))


def test_torn_header_starts_afresh(path):
    """A header cut short by a crash means nothing was sent: restart."""
    full = json.dumps(
        {
            "format": "maiu-async-journal",
            "version": 1,
            "endpoint": IDENTITY.endpoint,
            "workspace": IDENTITY.workspace,
            "project_id": IDENTITY.project_id,
            "bucket": IDENTITY.bucket,
        }
    )
    path.write_text(full[:20])

    journal, maybe, _ = open_journal(path)
    journal.close()

    assert ([full], {}) == (path.read_text().splitlines(), maybe)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("hello world", id="some-text"),
        pytest.param('{"format": "other"}\n', id="other-json"),
    ],
)
def test_other_files_are_refused_and_left_alone(path, content):
    """A file that is not a journal is neither read nor truncated."""
    path.write_text(content)

    with pytest.raises(JournalError, match="not a maiu-async journal"):
        open_journal(path)
    assert content == path.read_text()


def test_corrupt_middle_line_is_refused(path):
    """A complete line that cannot be parsed is corruption, not a tear."""
    write_lines(path, "R\ta.mp4\tnot-a-number\t1\n", "P\tb.mp4\n")

    with pytest.raises(JournalError, match="corrupt at line 2"):
        open_journal(path)


def test_unknown_record_is_refused(path):
    """An unknown tag is corruption."""
    write_lines(path, "X\ta.mp4\n")

    with pytest.raises(JournalError, match="unknown record"):
        open_journal(path)


def test_a_journal_in_use_is_refused(path):
    """Two jobs cannot share one journal at the same time."""
    first, _, _ = open_journal(path)
    try:
        with pytest.raises(JournalError, match="in use"):
            open_journal(path)
    finally:
        first.close()


def test_unwritable_location_is_a_journal_error(tmp_path):
    """A journal that cannot be created raises JournalError."""
    with pytest.raises(JournalError, match="cannot open"):
        open_journal(tmp_path / "missing-dir" / "j.journal")


@pytest.mark.anyio
async def test_reserved_and_committed_lines_are_replayed(path):
    """What reserve and commit write is what the next open reads."""
    journal, _, _ = open_journal(path)
    await journal.reserve(["a.mp4", "b\tc.mp4"])
    journal.record(
        Outcome(
            key="a.mp4",
            status=OutcomeStatus.REGISTERED,
            asset_id=3,
            attempts=1,
        )
    )
    await journal.commit()
    journal.close()

    journal, maybe, table = open_journal(path)
    journal.close()

    assert ({"b\tc.mp4": 1}, 4) == (maybe, table.mark_seen("a.mp4"))


@pytest.mark.parametrize(
    ("outcome", "expected_maybe"),
    [
        pytest.param(
            Outcome(key="k.mp4", status=OutcomeStatus.FAILED, attempts=2),
            {},
            id="failed-is-settled",
        ),
        pytest.param(
            Outcome(
                key="k.mp4",
                status=OutcomeStatus.UNKNOWN,
                attempts=3,
                error="lost\tanswer",
            ),
            {"k.mp4": 3},
            id="unknown-may-exist",
        ),
        pytest.param(
            Outcome(key="k.mp4", status=OutcomeStatus.SKIPPED, error="dup"),
            {"k.mp4": 1},
            id="skipped-leaves-the-reservation",
        ),
        pytest.param(
            Outcome(
                key="k.mp4",
                status=OutcomeStatus.REGISTERED,
                asset_id=9,
                resumed=True,
            ),
            {"k.mp4": 1},
            id="resumed-writes-nothing",
        ),
    ],
)
def test_recorded_outcomes_are_read_back(path, outcome, expected_maybe):
    """Each outcome's line, read by the next run, means what it says."""
    journal, _, _ = open_journal(path)
    journal.record(
        Outcome(key="other.mp4", status=OutcomeStatus.NOT_ATTEMPTED)
    )
    write_reservation_then(journal, outcome)
    journal.close()

    journal, maybe, _ = open_journal(path)
    journal.close()

    assert expected_maybe == maybe


def write_reservation_then(journal, outcome):
    """Reserve the outcome's key, then record the outcome; commit."""
    journal._write(f"P\t{encode_field(outcome.key)}\n")
    journal.record(outcome)
    journal.commit_sync()


def test_key_not_attempted_is_no_longer_reserved(path):
    """A key reserved, then left unsent, is not looked up again."""
    journal, _, _ = open_journal(path)
    journal._write("P\tk.mp4\n")
    journal.record(Outcome(key="k.mp4", status=OutcomeStatus.NOT_ATTEMPTED))
    journal.commit_sync()
    journal.close()

    journal, maybe, _ = open_journal(path)
    journal.close()

    assert {} == maybe


def test_seen_table_is_not_touched_by_unregistered_lines(path):
    """Only R lines put keys in the table; others stay new to a run."""
    write_lines(path, "P\tx.mp4\n", "F\tx.mp4\t1\tno\n")

    journal, _, table = open_journal(path)
    journal.close()

    assert (0, DUPLICATE) == (
        table.mark_seen("x.mp4"),
        table.mark_seen("x.mp4"),
    )


@given(st.text())
def test_fields_round_trip(text):
    """Any text, tabs, newlines and lone surrogates included, survives."""
    field = encode_field(text)

    assert "\t" not in field
    assert "\n" not in field
    assert text == _decode_field(field)
