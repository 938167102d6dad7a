"""
`SkippedKey` items: objects a key source refused before the engine saw
them (as ``maiu_async.storage`` does for folders or oversize files) are
reported as skipped with the source's reason, journaled, never sent.
"""

from __future__ import annotations

import pytest

from bulk_support import FAST_RECONCILE, FAST_RETRY, keys_for

from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    SkippedKey,
    register_many,
    stream_register,
)


pytestmark = pytest.mark.anyio

SKIPPED = OutcomeStatus.SKIPPED
REGISTERED = OutcomeStatus.REGISTERED


def _mixed(count: int) -> list[str | SkippedKey]:
    """Every third item skipped by its source, the rest valid keys."""
    return [
        SkippedKey(key, f"too large #{i}") if i % 3 == 0 else key
        for i, key in enumerate(keys_for(count))
    ]


async def _aiter(items):
    for item in items:
        yield item


async def test_reason_is_the_sources_own(target, client):
    """The outcome carries the source's words, even for a valid key."""
    outcomes: list[Outcome] = []
    items = _mixed(300)

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=_aiter(items),
        on_result=outcomes.append,
        retry=FAST_RETRY,
        reconcile=FAST_RECONCILE,
    )

    skipped = {o.key: o.error for o in outcomes if o.status is SKIPPED}
    expected = {i.key: i.reason for i in items if isinstance(i, SkippedKey)}
    assert expected == skipped
    assert (200, 100, 200) == (
        report.registered,
        report.skipped,
        report.requests,
    )
    assert not set(expected) & set(target.assets_by_key())
    assert all(o.attempts == 0 for o in outcomes if o.status is SKIPPED)


async def test_invalid_key_keeps_the_sources_reason(target, client):
    """A folder passed as SkippedKey gets the source's reason, not ours."""
    outcomes: list[Outcome] = []

    await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=[SkippedKey("videos/", "folder marker")],
        on_result=outcomes.append,
    )

    assert [("videos/", SKIPPED, "folder marker")] == [
        (o.key, o.status, o.error) for o in outcomes
    ]
    assert 0 == target.emu.stats.assets_created


async def test_skipped_again_on_resume_and_journal_does_not_grow(
    target, client, tmp_path
):
    """Skipped items are skipped again by a rerun; the journal stays put."""
    journal = tmp_path / "job.journal"
    items = _mixed(90)

    first = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=items,
        journal=journal,
    )
    text = journal.read_text(encoding="utf-8")
    again = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=items,
        journal=journal,
    )

    assert (60, 30) == (first.registered, first.skipped)
    assert text == journal.read_text(encoding="utf-8")
    assert (60, 60, 30, 0) == (
        again.registered,
        again.resumed,
        again.skipped,
        again.requests,
    )
    assert 60 == target.emu.stats.assets_created


async def test_streamed_outcomes(target, client):
    """stream_register delivers skipped items like every other outcome."""
    items = _mixed(60)

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=_aiter(items),
    ) as outcomes:
        seen = {o.key: o.status async for o in outcomes}

    assert {
        (i.key if isinstance(i, SkippedKey) else i): (
            SKIPPED if isinstance(i, SkippedKey) else REGISTERED
        )
        for i in items
    } == seen
    assert (40, 20) == (outcomes.report.registered, outcomes.report.skipped)


def test_skipped_key_is_a_value():
    """SkippedKey is a frozen value: comparable, hashable, positional."""
    item = SkippedKey("a.mp4", "too large")

    assert SkippedKey(key="a.mp4", reason="too large") == item
    assert 1 == len({item, SkippedKey("a.mp4", "too large")})
    with pytest.raises(AttributeError):
        item.key = "b.mp4"  # type: ignore[misc]
