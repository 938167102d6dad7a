"""
The workers: register keys, retrying what is certainly safe to retry.

Each worker is a concurrency slot.  It takes a key from the work stream,
sends it (paced at the job's own rate, when it has one: a fixed ceiling,
since the client's limiter learns what the server accepts) and
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

Two failures stop the job although no single key is to blame:

- a ``Retry-After`` longer than the job waits at most
  (`RetryPolicy.max_retry_after`): a 429 comes from the gateway and
  holds for every key, so the job stops at once, with a `RateLimited`
  that quotes the ask, rather than sleeping through it key by key;
- a run of attempts that could not reach the server at all (connection
  refused, DNS, TLS, connect timeout), across keys, with no answer in
  between: as many as the job's concurrency, and at least
  `UNREACHABLE_RUN`.  The endpoint is gone; the last error is raised.

Keys the job then never sends are not attempted.

Strictly private.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING, Final

import anyio

from .._client import watch_sends
from .._retry import Verdict, verdict
from ..exceptions import (
    CredentialsNotFound,
    MaiuError,
    RateLimited,
    TransportError,
    UsageError,
    ValidationError,
)
from ._pipeline import Pending
from ._reconcile import watermark_ready
from ._report import OutcomeStatus, RetryScheduled, clip


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .._client import SendMark
    from ._pipeline import Pipeline


__all__ = ["UNREACHABLE_RUN", "too_long_wait", "work"]

#: The shortest run of attempts that could not connect, across keys,
#: that stops a job.
UNREACHABLE_RUN: Final = 8

_now = time.perf_counter
_STOPPED_RETRY = "the job stopped before retrying"
_CANCELLED_IN_FLIGHT = "the job was cancelled while the request was in flight"
_NO_RECONCILE = "reconciling is off: the asset may exist"
_STOPPED_RECONCILE = "the job stopped before the key could be reconciled"
_DAY = 86_400


async def work(pipe: Pipeline) -> None:
    """
    Be one worker: register keys until the work stream ends.
    """
    recv = pipe.work_recv
    target = pipe.target
    # The place is checked and its path built once per worker; the keys
    # were checked by the feeder.
    send = pipe.client.assets._key_registrar(  # noqa: SLF001 -- ours
        target.workspace, target.project_id, target.bucket
    )
    # One mark per worker (each is its own task): in flight means past
    # the client's limiter, and a key cancelled while waiting there never
    # left the client.
    sends = watch_sends()
    # The watermark, once known, stays known: checked until then only.
    known = False
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
        if not known:
            # Nothing is sent before the job knows its watermark.
            if not pipe.marks.ready.is_set():
                try:
                    await watermark_ready(pipe)
                except anyio.get_cancelled_exc_class():
                    pipe.abandon(item)
                    raise
            known = True
        if pipe.stopping:
            pipe.abandon(item)
            continue
        await _register(pipe, item, send, sends)


async def _register(
    pipe: Pipeline,
    item: str | Pending,
    send: Callable[[str], Awaitable[int]],
    sends: SendMark,
) -> None:
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
    pacer = pipe.pacer
    tally = pipe.tally
    in_flight = False
    try:
        while True:
            if pacer is not None:
                await pacer.acquire()
            attempts += 1
            tally.requests += 1
            if attempts > 1:
                tally.retries += 1
            in_flight = True
            sends.sent = False
            mark = pipe.marks.high
            try:
                asset_id = await send(key)
            except MaiuError as exc:
                in_flight = False
                fresh = pending is None
                pending = _failed(pipe, pending, key, attempts, started, exc)
                if fresh:
                    pending.watermark = first_mark
                if await _retrying(pipe, pending, exc):
                    continue
                return
            pipe.unreachable = 0
            pipe.marks.answered(asset_id, mark, key)
            pipe.registered(key, asset_id, attempts, started, reconciled=False)
            pipe.done()
            return
    except anyio.get_cancelled_exc_class():
        left = pending or Pending(key, attempts, started, "")
        _forced_out(pipe, left, attempts, in_flight=in_flight, sent=sends.sent)
        raise


def _forced_out(
    pipe: Pipeline,
    left: Pending,
    attempts: int,
    *,
    in_flight: bool,
    sent: bool,
) -> None:
    """
    Settle *left*, whose worker is forced out (the settle time ran out).

    A request in flight may have been processed; one still waiting in the
    client's limiter never left the client.
    """
    if in_flight and not sent:
        # This attempt never was.
        pipe.tally.requests -= 1
        pipe.tally.retries -= attempts > 1
        left.attempts = attempts - 1
    if in_flight and sent:
        pipe.final(left, OutcomeStatus.UNKNOWN, _CANCELLED_IN_FLIGHT)
    else:
        pipe.stopped(left, f"{_STOPPED_RETRY}: {left.error}")
    pipe.flow.active -= 1


def _failed(  # noqa: PLR0913, PLR0917 -- the attempt's whole state
    pipe: Pipeline,
    pending: Pending | None,
    key: str,
    attempts: int,
    started: float,
    exc: MaiuError,
) -> Pending:
    """
    Note a failed attempt on the key's `Pending`, made if need be.
    """
    if pending is None:
        pending = Pending(key, attempts, started, "")
    pending.attempts = attempts
    pending.error = clip(str(exc))
    if isinstance(exc, TransportError):
        reached = exc.request_sent
    else:
        reached = not isinstance(
            exc, ValidationError | UsageError | CredentialsNotFound
        )
    if reached:
        pending.reached = True
        pipe.unreachable = 0
    else:
        pipe.unreachable += 1
    return pending


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
        pipe.stopped(item, f"{_STOPPED_RETRY}: {item.error}")
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
        cap = pipe.retry.max_retry_after
        if retry_after is not None and retry_after > cap:
            stop = too_long_wait(exc, cap)
            pipe.final(item, OutcomeStatus.FAILED, str(stop))
            pipe.done()
            pipe.fail(stop)
            return None
    if not pipe.stopping and pipe.unreachable >= max(
        UNREACHABLE_RUN, pipe.options.concurrency
    ):
        exc.add_note(
            f"{pipe.unreachable} attempts in a row, across keys, could "
            "not reach the server; the job stopped"
        )
        pipe.fail(exc)
        pipe.stopped(item, f"{_STOPPED_RETRY}: {item.error}")
        pipe.done()
        return None
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
        if pipe.stopping:
            pipe.stopped(item, f"{_STOPPED_RETRY}: {item.error}")
        else:
            pipe.final(
                item,
                OutcomeStatus.FAILED,
                f"gave up after {item.attempts} attempts: {item.error}",
            )
    elif judged is Verdict.AMBIGUOUS:
        reason = _STOPPED_RECONCILE if pipe.stopping else _NO_RECONCILE
        pipe.final(item, OutcomeStatus.UNKNOWN, f"{reason}: {item.error}")
    elif isinstance(exc, ValidationError):
        # Refused by the client before sending: the key is bad.
        pipe.skip(item.key, exc.reason, item.attempts)
    else:
        pipe.final(item, OutcomeStatus.FAILED, item.error)
        if judged is Verdict.SYSTEMIC:
            pipe.fail(exc)


def too_long_wait(exc: RateLimited, cap: float) -> RateLimited:
    """
    The error that stops a job asked to wait longer than *cap* seconds.

    It quotes the server's ask; *exc* is its cause.
    """
    ask = exc.retry_after or 0.0
    if ask >= 2 * _DAY:
        said = f"{ask:.0f} s (about {ask / _DAY:,.0f} days)"
    elif ask >= 2 * 3600:
        said = f"{ask:.0f} s (about {ask / 3600:.0f} hours)"
    else:
        said = f"{ask:g} s"
    stop = RateLimited(
        retry_after=exc.retry_after,
        status=exc.status,
        api_code=exc.api_code,
        api_message=(
            f"the server asks to wait {said} before sending again "
            f"(Retry-After), more than the {cap:g} s this job waits at "
            "most (RetryPolicy.max_retry_after); stopped: rerun later"
        ),
        method=exc.method,
        url=exc.url,
        body=exc.body,
        request_id=exc.request_id,
    )
    stop.__cause__ = exc
    return stop
