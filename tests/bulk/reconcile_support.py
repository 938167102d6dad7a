"""
The exactly-once ledger: server state vs outcomes, for reconcile tests.
"""

from __future__ import annotations

import collections

from typing import TYPE_CHECKING

import attrs

from bulk_support import FAST_RETRY

from maiu_async import RetryPolicy
from maiu_async.bulk import OutcomeStatus, ReconcilePolicy, register_many


if TYPE_CHECKING:
    from bulk_support import Target

    from maiu_async import MaiuClient
    from maiu_async.bulk import BulkReport, Outcome


#: Reconciling at once (the emulator applies lost requests before it
#: drops the connection), list pages retried through faults.
NOW = ReconcilePolicy(
    delay=0.0,
    passes=3,
    retry=RetryPolicy(attempts=10, initial=0.001, maximum=0.01),
)


@attrs.frozen
class Ledger:
    """What one job did, checked against the emulator."""

    duplicates: dict[str, int]
    registered_without_asset: list[str]
    failed_while_held: list[str]
    unreported: set[str]
    by_status: collections.Counter[OutcomeStatus]

    @property
    def broken(self) -> dict[str, object]:
        """Every broken promise, empty when exactly-once held."""
        found = {
            "duplicates": self.duplicates,
            "registered_without_asset": self.registered_without_asset,
            "failed_while_held": self.failed_while_held,
            "unreported": self.unreported,
        }
        return {name: value for name, value in found.items() if value}


def ledger(target: Target, keys: list[str], outcomes: list[Outcome]) -> Ledger:
    """Check *outcomes* of *keys* against what the emulator holds."""
    ours = collections.defaultdict(list)
    for asset in target.emu.state.assets_of(
        target.workspace, target.project_id
    ):
        if asset.bucket_name == target.bucket:
            ours[asset.key].append(asset.asset_id)
    last = {o.key: o for o in outcomes}
    return Ledger(
        duplicates={k: len(v) for k, v in ours.items() if len(v) > 1},
        registered_without_asset=sorted(
            o.key
            for o in last.values()
            if o.status is OutcomeStatus.REGISTERED
            and o.asset_id not in ours.get(o.key, [])
        ),
        failed_while_held=sorted(
            o.key
            for o in last.values()
            if o.status is OutcomeStatus.FAILED and ours.get(o.key)
        ),
        unreported=set(keys) - set(last),
        by_status=collections.Counter(o.status for o in last.values()),
    )


async def run(
    target: Target,
    client: MaiuClient,
    keys: list[str],
    **options: object,
) -> tuple[BulkReport, list[Outcome]]:
    """Register *keys* at once-reconciling, fast policies."""
    outcomes: list[Outcome] = []
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("reconcile", NOW)
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=outcomes.append,
        **options,  # type: ignore[arg-type]
    )
    return report, outcomes


def seed(target: Target, count: int, bucket: str = "old-bucket") -> None:
    """Fill the project with *count* assets of another bucket."""
    state = target.emu.state
    for i in range(count):
        state.add_asset(
            target.workspace, target.project_id, f"old/{i:07d}.mp4", bucket
        )
