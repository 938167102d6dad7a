"""
The watermark survives a stopped job: a resume reconciles the same way.
"""

from __future__ import annotations

import pytest

from bulk_support import FAST_RETRY
from reconcile_support import NOW, ledger

from maiu_async.bulk import (
    OutcomeStatus,
    ReconcilePolicy,
    register_many,
    stream_register,
)
from maiu_async.emulator import Faults


pytestmark = pytest.mark.anyio

FAULTS = Faults(error_500=0.5, keyed=True)
SEED = 8


def _fails_once() -> str:
    # A key whose first registration meets an unprocessed 500 and whose
    # second does not (keyed draws: the same in every run).
    def fault(key: str, attempt: int) -> str | None:
        return FAULTS.keyed_fault(
            seed=SEED,
            method="POST",
            route="register_asset",
            subject=key,
            attempt=attempt,
        )

    return next(
        key
        for key in (f"resume/{i:03d}.mp4" for i in range(1000))
        if fault(key, 1) == "error_500" and fault(key, 2) is None
    )


async def test_resume_excludes_assets_older_than_the_journal_watermark(
    launch, open_client, tmp_path
):
    """An old asset of the same key is not taken for the resumed key."""
    key = _fails_once()
    target = await launch(faults=FAULTS, seed=SEED)
    old = target.emu.state.add_asset(
        target.workspace, target.project_id, key, "old-bucket"
    )
    client = await open_client(target)
    journal = tmp_path / "job.journal"
    common = {
        "bucket_name": target.bucket,
        "journal": journal,
        "retry": FAST_RETRY,
    }

    # Run 1 stops while the key waits to be reconciled: unknown.
    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        keys=[key, "z/done.mp4"],
        reconcile=ReconcilePolicy(delay=3600.0),
        **common,
    ) as stream:
        first = {}
        async for outcome in stream:
            first[outcome.key] = outcome.status
            if outcome.key == "z/done.mp4":
                # The pass would wait an hour: stop, leaving it unknown.
                stream.stop()
    assert {
        key: OutcomeStatus.UNKNOWN,
        "z/done.mp4": OutcomeStatus.REGISTERED,
    } == first
    assert "\nW\t" in journal.read_text()

    outcomes = []
    await register_many(
        client,
        target.workspace,
        target.project_id,
        keys=[key],
        reconcile=NOW,
        on_result=outcomes.append,
        **common,
    )

    book = ledger(target, [key], outcomes)
    assert {} == book.broken
    assert [OutcomeStatus.REGISTERED] == [o.status for o in outcomes]
    assert old.asset_id != outcomes[0].asset_id
