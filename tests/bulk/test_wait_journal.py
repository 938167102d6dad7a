"""
The journal's import-status records (``I`` lines), written and read.
"""

from __future__ import annotations

import pytest

from bulk_support import FAST_RETRY, keys_for

from maiu_async import JournalError
from maiu_async.bulk import PollPolicy, register_many
from maiu_async.models import ImportState


pytestmark = pytest.mark.anyio

NOW = PollPolicy(first=0.0, cap=0.0, jitter=0.0, timeout=None)


async def _run(target, client, keys, journal, **options):
    return await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        journal=journal,
        retry=FAST_RETRY,
        **options,
    )


def _records(journal, tag: str) -> list[list[str]]:
    return [
        line.split("\t")
        for line in journal.read_text().splitlines()[1:]
        if line.startswith(f"{tag}\t")
    ]


async def test_final_statuses_get_one_line_each(launch, open_client, tmp_path):
    """A waited run writes one I line per final import, none otherwise."""
    target = await launch(import_failed="*-000001.mp4")
    client = await open_client(target)
    journal = tmp_path / "j"
    keys = keys_for(3)

    await _run(target, client, keys, journal, wait=NOW)

    records = _records(journal, "I")
    assert keys == [r[1] for r in records]
    assert ["COMPLETED", "FAILED", "COMPLETED"] == [r[3] for r in records]
    assert all(r[4] for r in records)
    assert {r[1]: r[2] for r in _records(journal, "R")} == {
        r[1]: r[2] for r in records
    }


async def test_no_line_for_an_import_still_in_progress(
    launch, open_client, tmp_path
):
    """A key whose wait timed out gets an R line and no I line."""
    target = await launch(import_polls=10)
    client = await open_client(target)
    journal = tmp_path / "j"
    once = PollPolicy(first=0.0, cap=0.0, jitter=0.0, timeout=0.0)

    report = await _run(target, client, keys_for(2), journal, wait=once)

    assert {ImportState.IN_PROGRESS: 2} == report.imports
    assert 2 == len(_records(journal, "R"))
    assert [] == _records(journal, "I")


async def test_a_corrupt_import_line_is_refused(launch, open_client, tmp_path):
    """An I line with a bad asset id makes the journal corrupt, by line."""
    target = await launch()
    client = await open_client(target)
    journal = tmp_path / "j"
    await _run(target, client, keys_for(1), journal, wait=NOW)
    with journal.open("a") as f:
        f.write("I\tx.mp4\tnot-a-number\tCOMPLETED\tok\n")
    last = len(journal.read_text().splitlines())

    with pytest.raises(JournalError, match=f"corrupt at line {last}:"):
        await _run(target, client, keys_for(1), journal, wait=NOW)
