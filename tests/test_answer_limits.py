"""
Answers are read within bounds: per call, and all requests together.

A loopback server sends chunked answers (no length announced) far larger
than any API answer (issue 13, item 2).  Memory is measured with
`tracemalloc`, which counts every bytes object the client keeps, so the
figures do not depend on the machine or on timing.
"""

from __future__ import annotations

import json
import tracemalloc

import anyio
import pytest

from chunked_server import chunked_server
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    ConnectionLimits,
    MaiuClient,
    ResponseDecodeError,
    limits,
)
from maiu_async._budget import ByteBudget


pytestmark = pytest.mark.anyio

MiB = 1024 * 1024


def client_of(url: str, **limit_options: int) -> MaiuClient:
    """A client of *url* that does not retry."""
    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        retry=None,
        limits=ConnectionLimits(**limit_options),
    )


async def test_registration_answer_read_to_its_small_cap_only():
    """A 20 MB chunked answer to a registration is dropped at 256 KiB."""
    async with (
        chunked_server(20_000_000) as server,
        client_of(server.url) as client,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(ResponseDecodeError) as info:
                await client.assets.register(
                    "ws", 1, key="a.mp4", bucket_name="b"
                )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    cap = limits.WRITE_ANSWER_MAX_BYTES
    assert f"exceeds the {cap}-byte limit for POST answers" in str(info.value)
    # Before the per-call caps, 16 MiB were buffered before giving up.
    assert peak < 4 * MiB, peak


async def test_list_answer_keeps_the_larger_read_cap():
    """A GET's chunked answer may be larger than a write's, up to its cap."""
    async with (
        chunked_server(20_000_000) as server,
        client_of(server.url, max_response_bytes=MiB) as client,
    ):
        with pytest.raises(ResponseDecodeError) as info:
            await client.workspaces.list()

    assert f"exceeds the {MiB}-byte limit for GET answers" in str(info.value)


async def test_write_cap_never_above_the_read_cap():
    """Lowering max_response_bytes lowers the write answers' cap too."""
    async with (
        chunked_server(20_000_000) as server,
        client_of(server.url, max_response_bytes=1000) as client,
    ):
        with pytest.raises(ResponseDecodeError) as info:
            await client.assets.register("ws", 1, key="a.mp4", bucket_name="b")

    assert "exceeds the 1000-byte limit for POST answers" in str(info.value)


async def test_answers_larger_than_the_budget_together_all_arrive():
    """Eight chunked answers through a budget of one each all complete."""
    body = json.dumps(
        {
            "code": "0",
            "result": {"workspaceName": "w", "pad": "x" * 300_000},
        }
    ).encode()

    async with chunked_server(body=body) as server:
        names: list[str] = []
        async with client_of(
            server.url, max_response_bytes=MiB, max_buffered_bytes=MiB
        ) as client:

            async def get() -> None:
                ws = await client.workspaces.get("w")
                names.append(ws.workspace_name)

            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(get)

    assert ["w"] * 8 == names


async def test_budget_makes_a_reader_wait_for_room():
    """A reservation that does not fit waits until another is given back."""
    budget = ByteBudget(10)
    order: list[str] = []
    first_in, release = anyio.Event(), anyio.Event()

    async def first() -> None:
        async with budget.hold(6):
            order.append("first in")
            first_in.set()
            await release.wait()
            order.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with budget.hold(6):
            order.append("second in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(first)
        tg.start_soon(second)
        await first_in.wait()
        await anyio.wait_all_tasks_blocked()
        assert 4 == budget.free
        release.set()

    assert ["first in", "first out", "second in"] == order
    assert 10 == budget.free


async def test_budget_lets_a_reservation_above_it_read_alone():
    """A reservation larger than the whole budget is cut to it."""
    budget = ByteBudget(10)

    async with budget.hold(1000):
        assert 0 == budget.free

    assert 10 == budget.free
