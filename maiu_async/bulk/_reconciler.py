"""
The reconciler task: learn the watermark, then resolve parked keys.

Keys whose registration may or may not have happened are parked (see
``maiu_async.bulk._workers``).  A pass over the tail of the project's
asset list (``_reconcile``) starts when a batch of them waits, or when
nothing else is left to do.  Found: registered.  Absent (from a complete
read): back to the work stream, within the attempt budget.  Not told
apart (base names): unknown.  A pass that fails, or cannot prove its
read complete, leaves the rest parked for the next, up to
`ReconcilePolicy.passes`.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from .._retry import Verdict, verdict
from ..exceptions import MaiuError
from ._pipeline import STOPPED_RECONCILE
from ._reconcile import match, read
from ._report import OutcomeStatus, ReconcileFinished
from ._state import Intake, ReconcilerState


if TYPE_CHECKING:
    from ._pipeline import Pending, Pipeline
    from ._reconcile import ReconcilePolicy
    from ._tail import Listing


__all__ = ["reconcile"]

_INCOMPLETE = (
    "the asset list could not be read completely (its order is unstable "
    "or unknown): the asset may exist"
)


async def reconcile(pipe: Pipeline) -> None:
    """
    Be the reconciler: run passes when woken, until the stream closes.
    """
    journal = pipe.outbox.journal
    if journal is not None:
        pipe.marks.resumed = journal.watermark
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
            # Only keys that failed before the pause: a pass looks for a
            # key at least `delay` seconds after its failure.
            batch, pipe.parked = pipe.parked, []
            pipe.passing = batch
            if policy is not None and policy.delay and not pipe.stopping:
                await pipe.pause(policy.delay)
            if pipe.stopping or policy is None:
                pipe.passing = []
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
    listing: Listing | None = None
    with anyio.CancelScope() as scope:
        pipe.scopes.round = scope
        try:
            listing = await read(pipe, policy, batch)
        except MaiuError as exc:
            error = exc
    pipe.scopes.round = None
    pipe.passing = []
    if scope.cancelled_caught:
        pipe.give_up(batch, STOPPED_RECONCILE)
        return
    if error is not None or listing is None:
        _failed_pass(pipe, batch, policy, error, 0)
        return
    found, undecided = match(batch, listing, pipe.marks)
    pipe.event(
        ReconcileFinished(
            keys=len(batch), found=len(found), pages=listing.pages
        )
    )
    attempts_allowed = pipe.retry.attempts
    unproven: list[Pending] = []
    for item in batch:
        asset_id = found.get(item.key)
        if asset_id is not None:
            pipe.marks.own(asset_id, item.key)
            pipe.registered(
                item.key,
                asset_id,
                item.attempts,
                item.started,
                reconciled=True,
            )
        elif item.key in undecided:
            pipe.final(item, OutcomeStatus.UNKNOWN, undecided[item.key])
        elif not listing.complete:
            unproven.append(item)
        elif item.attempts >= attempts_allowed or pipe.stopping:
            pipe.final(
                item,
                OutcomeStatus.FAILED,
                f"not registered after {item.attempts} attempts; "
                f"last error: {item.error}",
            )
        else:
            pipe.send(item)
    if unproven:
        _failed_pass(pipe, unproven, policy, None, listing.pages)


def _failed_pass(
    pipe: Pipeline,
    batch: list[Pending],
    policy: ReconcilePolicy,
    error: MaiuError | None,
    pages: int,
) -> None:
    if error is not None:
        pipe.event(
            ReconcileFinished(
                keys=len(batch), found=0, pages=pages, error=str(error)
            )
        )
        reason = f"could not reconcile: {error}"
    else:
        reason = _INCOMPLETE
    if error is not None and verdict(error) is Verdict.SYSTEMIC:
        pipe.give_up(batch, reason)
        pipe.fail(error)
        return
    for item in batch:
        item.passes += 1
        if item.passes >= policy.passes:
            pipe.give_up([item], reason)
        else:
            pipe.parked.append(item)
