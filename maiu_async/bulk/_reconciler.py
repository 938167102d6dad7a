"""
The reconciler task: resolve parked keys by looking them up.

Keys whose registration may or may not have happened are parked (see
``maiu_async.bulk._workers``).  A pass over the project's asset list
(`find_assets`) starts when a batch of them waits, or when nothing else
is left to do.  Found: registered.  Absent: back to the work stream,
within the attempt budget.  A pass that fails leaves its keys parked
for the next, up to `ReconcilePolicy.passes`.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from .._retry import Verdict, verdict
from ..exceptions import MaiuError
from ._pipeline import STOPPED_RECONCILE
from ._reconcile import find_assets
from ._report import OutcomeStatus, ReconcileFinished
from ._state import Intake, ReconcilerState


if TYPE_CHECKING:
    from ._pipeline import Pending, Pipeline
    from ._reconcile import ReconcilePolicy


__all__ = ["reconcile"]


async def reconcile(pipe: Pipeline) -> None:
    """
    Be the reconciler: run passes when woken, until the stream closes.
    """
    flow = pipe.flow
    while True:
        await pipe.reconcile_wake.wait()
        pipe.reconcile_wake = anyio.Event()
        if flow.intake is Intake.CLOSED:
            return
        if not pipe.parked:
            continue
        flow.reconciler = ReconcilerState.PASSING
        try:
            policy = pipe.options.reconcile
            if policy is not None and policy.delay and not pipe.stopping:
                await pipe.pause(policy.delay)
            batch, pipe.parked = pipe.parked, []
            if pipe.stopping or policy is None:
                pipe.give_up(batch, STOPPED_RECONCILE)
            else:
                await _pass(pipe, batch, policy)
        finally:
            flow.reconciler = ReconcilerState.IDLE
        pipe.settled()


async def _pass(
    pipe: Pipeline, batch: list[Pending], policy: ReconcilePolicy
) -> None:
    pipe.tally.reconcile_passes += 1
    pipe.passing = batch
    error: MaiuError | None = None
    found: dict[str, int] = {}
    pages = 0
    target = pipe.target
    with anyio.CancelScope() as scope:
        pipe.scopes.round = scope
        try:
            found, pages = await find_assets(
                pipe.client,
                target.workspace,
                target.project_id,
                [item.key for item in batch],
                retry=policy.retry,
                page_size=policy.page_size,
                pacer=pipe.pacer,
            )
        except MaiuError as exc:
            error = exc
    pipe.scopes.round = None
    pipe.passing = []
    if scope.cancelled_caught:
        pipe.give_up(batch, STOPPED_RECONCILE)
        return
    if error is not None:
        _failed_pass(pipe, batch, policy, error, pages)
        return
    pipe.event(
        ReconcileFinished(keys=len(batch), found=len(found), pages=pages)
    )
    attempts_allowed = pipe.retry.attempts
    for item in batch:
        asset_id = found.get(item.key)
        if asset_id is not None:
            pipe.registered(
                item.key,
                asset_id,
                item.attempts,
                item.started,
                reconciled=True,
            )
        elif item.attempts >= attempts_allowed or pipe.stopping:
            pipe.final(
                item,
                OutcomeStatus.FAILED,
                f"not registered after {item.attempts} attempts; "
                f"last error: {item.error}",
            )
        else:
            pipe.send(item)


def _failed_pass(
    pipe: Pipeline,
    batch: list[Pending],
    policy: ReconcilePolicy,
    error: MaiuError,
    pages: int,
) -> None:
    pipe.event(
        ReconcileFinished(
            keys=len(batch), found=0, pages=pages, error=str(error)
        )
    )
    reason = f"could not reconcile: {error}"
    if verdict(error) is Verdict.SYSTEMIC:
        pipe.give_up(batch, reason)
        pipe.fail(error)
        return
    for item in batch:
        item.passes += 1
        if item.passes >= policy.passes:
            pipe.give_up([item], reason)
        else:
            pipe.parked.append(item)
