"""
Shared helpers of the bulk engine's tests: constants, targets, policies.
"""

from __future__ import annotations

import collections

from typing import TYPE_CHECKING

import attrs

from maiu_async import RetryPolicy
from maiu_async.bulk import ReconcilePolicy


if TYPE_CHECKING:
    from maiu_async.emulator import Emulator


ACCESS_KEY = "AKIDBULKTEST"
SECRET_KEY = "bulk-test-secret-never-shown"
WORKSPACE = "bulk-ws"
BUCKET = "bulk-bucket"

#: Retries that do not slow the suite down.
FAST_RETRY = RetryPolicy(
    attempts=8, initial=0.001, maximum=0.01, max_retry_after=0.05
)
#: Enough attempts that a key meeting 25 % faults per attempt never runs
#: out of them (0.25**30 is about 1e-18).
PATIENT_RETRY = RetryPolicy(
    attempts=30, initial=0.001, maximum=0.01, max_retry_after=0.05
)
#: Reconciling without the grace delay, and with quick list retries.
FAST_RECONCILE = ReconcilePolicy(
    delay=0.0, retry=RetryPolicy(attempts=6, initial=0.001, maximum=0.01)
)


@attrs.frozen
class Target:
    """An emulator with a workspace and a project to register into."""

    emu: Emulator
    workspace: str
    project_id: int
    bucket: str = BUCKET

    def assets_by_key(self) -> collections.Counter[str]:
        """How many assets the emulator holds per key."""
        return collections.Counter(
            asset.key
            for asset in self.emu.state.assets_of(
                self.workspace, self.project_id
            )
        )


def keys_for(count: int, prefix: str = "media/clip") -> list[str]:
    """*count* distinct, valid keys."""
    return [f"{prefix}-{i:06d}.mp4" for i in range(count)]
