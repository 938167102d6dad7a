"""
One cheap request before the first key is sent: is there any point?

A GET of the project checks the credentials, the workspace, the project
and that the endpoint answers at all, so that a job that cannot succeed
fails before it sends a single key (rather than after a full
concurrency's worth of keys, each retried, each reported failed).  It is
made when the first keys are about to be reserved, so an input with
nothing to send sends nothing.  A job that reconciles, or keeps a
journal, must also read its starting watermark before its first key
(`_reconcile.watermark_ready`):
that read goes at the same time, so the two cost one round trip, not
two, and it is recorded in the journal only once the preflight passed.

Only what settles the matter stops the job: the credentials refused, no
such workspace or project, a ``Retry-After`` longer than the job waits,
or no connection after a few attempts.  A 403 (a key may be allowed to
register assets but not to read projects), a 5xx or a lost answer is
left to the keys to meet.

Strictly private.
"""

from __future__ import annotations

import functools

from typing import TYPE_CHECKING, Final

import anyio

from .._retry import Verdict, verdict
from ..exceptions import (
    MaiuError,
    PermissionDenied,
    RateLimited,
    TransportError,
)
from ._reconcile import watermark_ready
from ._workers import too_long_wait


if TYPE_CHECKING:
    from .._retry import RetryPolicy
    from ._pipeline import Pipeline


__all__ = ["preflight"]

#: Attempts of the preflight request, at most.
ATTEMPTS: Final = 3


async def preflight(pipe: Pipeline) -> None:
    """
    Check the job's target; raise what means no key can succeed.

    The starting watermark is read meanwhile, if the job needs it.
    """
    marks = pipe.marks
    if (
        pipe.options.reconcile is None and pipe.outbox.journal is None
    ) or marks.probing:
        await _check(pipe)
        return
    passed = anyio.Event()
    refused: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(functools.partial(watermark_ready, pipe, after=passed))
        try:
            await _check(pipe)
        except Exception as exc:  # noqa: BLE001 -- raised below, unwrapped
            refused = exc
            tg.cancel_scope.cancel()
        else:
            passed.set()
    if refused is not None:
        raise refused


async def _check(pipe: Pipeline) -> None:
    target = pipe.target
    attempt = 0
    while not pipe.stopping:
        attempt += 1
        try:
            await pipe.client.projects.get(
                target.workspace, target.project_id, retry=None
            )
        except MaiuError as exc:
            wait = _next(exc, attempt, pipe.retry)
            if wait is None:
                return
            await pipe.pause(wait)
        else:
            return


def _next(exc: MaiuError, attempt: int, policy: RetryPolicy) -> float | None:
    """
    After a failed attempt: raise, or the wait before the next one.

    ``None`` means: go on with the job, the keys will tell.
    """
    judged = verdict(exc)
    if judged is Verdict.SYSTEMIC and not isinstance(exc, PermissionDenied):
        raise exc
    retry_after = None
    if isinstance(exc, RateLimited):
        retry_after = exc.retry_after
        if retry_after is not None and retry_after > policy.max_retry_after:
            raise too_long_wait(exc, policy.max_retry_after)
    if judged in {Verdict.RETRY, Verdict.AMBIGUOUS} and attempt < min(
        ATTEMPTS, policy.attempts
    ):
        return policy.wait_for(attempt, retry_after)
    if isinstance(exc, TransportError) and not exc.request_sent:
        raise exc
    return None
