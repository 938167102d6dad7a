"""
Keys held in the client's limiter when a job is forced out never left
the client (issue 13, item 3).

The client's rate is so low that after the first request every other
one waits in its limiter for years; the first is held at the transport.
Cancelling the job then finds one request truly in flight and the rest
still inside the client: nothing depends on the clock.
"""

from __future__ import annotations

import asyncio

import anyio
import pytest

from bulk_support import ACCESS_KEY, SECRET_KEY, keys_for

from maiu_async import MaiuClient
from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    register_many,
    stream_register,
)
from maiu_async.testing import MockTransport, Request, Response


pytestmark = pytest.mark.anyio

#: One request now, the next in about thirty years.
GLACIAL = 1e-9


async def test_keys_in_the_limiter_are_not_attempted():
    """Cancelled with zero settle time: limiter keys unsent, one unknown."""
    entered = anyio.Event()
    sent: list[str] = []

    async def hold(request: Request) -> Response:
        sent.append(request.json()["key"])
        entered.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    keys = keys_for(4)
    outcomes: list[Outcome] = []
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        rate=GLACIAL,
        transport=MockTransport(hold),
    ) as client:
        task = asyncio.ensure_future(
            register_many(
                client,
                "ws",
                7,
                bucket_name="b",
                keys=keys,
                concurrency=4,
                preflight=False,
                reconcile=None,
                settle_timeout=0.0,
                on_result=outcomes.append,
            )
        )
        await entered.wait()
        # Every worker has taken its key and waits: one at the transport,
        # three in the limiter.
        await anyio.wait_all_tasks_blocked()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    statuses = {o.key: o.status for o in outcomes}
    held = {o.key: o.attempts for o in outcomes if o.key not in sent}
    assert 1 == len(sent)
    assert {sent[0]: OutcomeStatus.UNKNOWN} == {
        k: s
        for k, s in statuses.items()
        if s is not OutcomeStatus.NOT_ATTEMPTED
    }
    assert dict.fromkeys(set(keys) - set(sent), 0) == held


async def test_stop_with_settle_timeout_counts_no_request_for_them():
    """An orderly stop whose settle time runs out: one request, one unknown."""
    entered = anyio.Event()

    async def hold(request: Request) -> Response:
        entered.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    outcomes: list[Outcome] = []
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        rate=GLACIAL,
        transport=MockTransport(hold),
    ) as client:
        async with stream_register(
            client,
            "ws",
            7,
            bucket_name="b",
            keys=keys_for(4),
            concurrency=4,
            preflight=False,
            reconcile=None,
            settle_timeout=0.0,
        ) as stream:
            await entered.wait()
            await anyio.wait_all_tasks_blocked()
            stream.stop()
            outcomes.extend([outcome async for outcome in stream])
        report = stream.report

    assert (1, 1, 3) == (report.requests, report.unknown, report.not_attempted)
    assert [1, 0, 0, 0] == sorted((o.attempts for o in outcomes), reverse=True)
