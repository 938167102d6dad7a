"""
The workers: register keys, retrying what is certainly safe to retry.

Each worker is a concurrency slot.  It takes a key from the work stream,
sends it (paced by the job's own limiter, when the job has a rate) and
decides after each failure from the one retry verdict
(`maiu_async._retry.verdict`):

- `~Verdict.RETRY`: wait (backoff, or the server's ``Retry-After``) in
  the worker, then send again, within the attempt budget;
- `~Verdict.AMBIGUOUS`: park the key for reconciling (or, with
  ``retry_ambiguous``, send it again; with no reconcile policy, report
  it unknown);
- `~Verdict.FINAL`: the key failed, except that a `ValidationError`
  (the client refused the key before sending it) means skipped;
- `~Verdict.SYSTEMIC`: the key failed and the job stops with the error.

Strictly private.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING

import anyio

from .._retry import Verdict, verdict
from ..exceptions import MaiuError, RateLimited, ValidationError
from ._pipeline import Pending
from ._reconcile import watermark_ready
from ._report import OutcomeStatus, RetryScheduled


if TYPE_CHECKING:
    from ._pipeline import Pipeline


__all__ = ["work"]

_now = time.perf_counter
_STOPPED_RETRY = "the job stopped before retrying"
_CANCELLED_RETRY = "the job was cancelled before retrying"
_CANCELLED_IN_FLIGHT = "the job was cancelled while the request was in flight"
_NO_RECONCILE = "reconciling is off: the asset may exist"
_STOPPED_RECONCILE = "the job stopped before the key could be reconciled"


async def work(pipe: Pipeline) -> None:
    """
    Be one worker: register keys until the work stream ends.
    """
    recv = pipe.work_recv
    while True:
        try:
            item = recv.receive_nowait()
        except anyio.WouldBlock:
            try:
                item = await recv.receive()
            except anyio.EndOfStream:
                return
        except anyio.EndOfStream:
            return
        if not pipe.marks.ready.is_set():
            # Nothing is sent before the job knows its watermark.
            try:
                await watermark_ready(pipe)
            except anyio.get_cancelled_exc_class():
                pipe.abandon(item)
                raise
        if pipe.stopping:
            pipe.abandon(item)
            continue
        await _register(pipe, item)


async def _register(pipe: Pipeline, item: str | Pending) -> None:
    # The hot path: a plain key, registered at the first attempt.
    if isinstance(item, str):
        key = item
        pending: Pending | None = None
        attempts = 0
        started = _now()
        first_mark = pipe.marks.high
    else:
        key = item.key
        pending = item
        attempts = item.attempts
        started = item.started
        first_mark = item.watermark
    register = pipe.client.assets.register
    target = pipe.target
    pacer = pipe.pacer
    tally = pipe.tally
    in_flight = False
    try:
        while True:
            attempts += 1
            if pacer is not None:
                await pacer.acquire()
            tally.requests += 1
            if attempts > 1:
                tally.retries += 1
            in_flight = True
            mark = pipe.marks.high
            try:
                asset = await register(
                    target.workspace,
                    target.project_id,
                    key=key,
                    bucket_name=target.bucket,
                    retry=None,
                )
            except MaiuError as exc:
                in_flight = False
                if pending is None:
                    pending = Pending(key, attempts, started, "")
                    pending.watermark = first_mark
                pending.attempts = attempts
                pending.error = str(exc)
                if await _retrying(pipe, pending, exc):
                    continue
                return
            if pacer is not None:
                pacer.succeeded()
            pipe.marks.answered(asset.asset_id, mark, key)
            pipe.registered(
                key, asset.asset_id, attempts, started, reconciled=False
            )
            pipe.done()
            return
    except anyio.get_cancelled_exc_class():
        # Forced out (the settle time ran out): a request in flight may
        # have been processed.
        pipe.final(
            pending or Pending(key, attempts, started, ""),
            OutcomeStatus.UNKNOWN if in_flight else OutcomeStatus.FAILED,
            _CANCELLED_IN_FLIGHT if in_flight else _CANCELLED_RETRY,
        )
        pipe.flow.active -= 1
        raise


async def _retrying(pipe: Pipeline, item: Pending, exc: MaiuError) -> bool:
    """
    After a failed attempt, wait for the next one and return ``True``.

    Return ``False`` at once if the key is settled or parked instead.
    """
    wait = _after_failure(pipe, item, exc)
    if wait is None:
        return False
    await pipe.pause(wait)
    if pipe.stopping:
        pipe.final(item, OutcomeStatus.FAILED, _STOPPED_RETRY)
        pipe.done()
        return False
    return True


def _after_failure(
    pipe: Pipeline, item: Pending, exc: MaiuError
) -> float | None:
    """
    Decide after a failed attempt: seconds until the next, or ``None``.

    ``None`` means the key is settled (finished, or parked for
    reconciling) and no longer active.
    """
    judged = verdict(exc)
    retry_after = None
    if isinstance(exc, RateLimited):
        pipe.tally.throttled += 1
        retry_after = exc.retry_after
        if pipe.pacer is not None:
            pipe.pacer.throttled(
                None
                if retry_after is None
                else min(retry_after, pipe.retry.max_retry_after)
            )
    options = pipe.options
    if judged is Verdict.AMBIGUOUS:
        if options.retry_ambiguous:
            item.maybe_created = True
            judged = Verdict.RETRY
        elif options.reconcile is not None and not pipe.stopping:
            pipe.park(item)
            pipe.done()
            return None
    if (
        judged is Verdict.RETRY
        and item.attempts < pipe.retry.attempts
        and not pipe.stopping
    ):
        wait = pipe.retry.wait_for(item.attempts, retry_after)
        if pipe.on_event is not None:
            pipe.event(
                RetryScheduled(
                    key=item.key,
                    attempt=item.attempts,
                    wait=wait,
                    error=item.error,
                )
            )
        return wait
    _settle_failure(pipe, item, judged, exc)
    pipe.done()
    return None


def _settle_failure(
    pipe: Pipeline, item: Pending, judged: Verdict, exc: MaiuError
) -> None:
    if judged is Verdict.RETRY:
        prefix = (
            _STOPPED_RETRY
            if pipe.stopping
            else f"gave up after {item.attempts} attempts"
        )
        pipe.final(item, OutcomeStatus.FAILED, f"{prefix}: {exc}")
    elif judged is Verdict.AMBIGUOUS:
        reason = _STOPPED_RECONCILE if pipe.stopping else _NO_RECONCILE
        pipe.final(item, OutcomeStatus.UNKNOWN, f"{reason}: {exc}")
    elif isinstance(exc, ValidationError):
        # Refused by the client before sending: the key is bad.
        pipe.skip(item.key, exc.reason, item.attempts)
    else:
        pipe.final(item, OutcomeStatus.FAILED, str(exc))
        if judged is Verdict.SYSTEMIC:
            pipe.fail(exc)
