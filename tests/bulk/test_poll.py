"""
The generic poller: delays, timeout, bound in flight, failures, stop.

Time is a virtual clock that moves only when every task is blocked and
the poller waits for its next due item: no test sleeps.
"""

from __future__ import annotations

import random

from typing import Any

import anyio
import pytest

from maiu_async._retry import RetryPolicy
from maiu_async.bulk._poll import STOPPED, Poller, PollPolicy
from maiu_async.exceptions import (
    AuthenticationFailed,
    BadRequest,
    ServerError,
)
from maiu_async.testing import set_testing


pytestmark = pytest.mark.anyio

_URL = "https://example.test/x"


class VirtualTimer:
    """A clock that jumps forward when the poller waits and all else sleeps."""

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    async def wait(self, seconds: float, wake: anyio.Event) -> None:
        await anyio.wait_all_tasks_blocked()
        if not wake.is_set():
            self.time += seconds


class Results:
    """What the poller settled, in order."""

    def __init__(self) -> None:
        self.final: list[tuple[str, str]] = []
        self.unsettled: list[tuple[str, str | None, str]] = []

    def on_final(self, item: str, status: str) -> None:
        self.final.append((item, status))

    def on_unsettled(self, item: str, status: str | None, why: str) -> None:
        self.unsettled.append((item, status, why))


def _poller(
    fetch: Any, results: Results, timer: VirtualTimer, **policy: Any
) -> Poller[str, str]:
    defaults: dict[str, Any] = {
        "first": 1.0,
        "factor": 2.0,
        "cap": 5.0,
        "jitter": 0.0,
        "timeout": None,
    }
    return Poller(
        fetch=fetch,
        terminal=lambda status: status != "RUNNING",
        on_final=results.on_final,
        on_unsettled=results.on_unsettled,
        policy=PollPolicy(**(defaults | policy)),
        timer=timer,
    )


async def _run(poller: Poller[str, str], items: list[str]) -> None:
    for item in items:
        poller.add(item)
    poller.close()
    await poller.run()


def _server_error(status: int) -> ServerError:
    return ServerError(
        status=status, api_code=None, api_message=None, method="GET", url=_URL
    )


def test_delays_grow_by_the_factor_up_to_the_cap() -> None:
    """Without jitter the delays are first, first * factor, ... capped."""
    policy = PollPolicy(first=1.0, factor=2.0, cap=5.0, jitter=0.0)

    assert [1.0, 2.0, 4.0, 5.0, 5.0] == [policy.delay(n) for n in range(5)]


def test_jitter_shortens_delays_reproducibly() -> None:
    """Jitter shortens each delay by at most its share, the same per seed."""
    policy = PollPolicy(first=10.0, factor=1.0, cap=10.0, jitter=0.5)
    first = [policy.delay(0, random.Random(7)) for _ in range(3)]
    again = [policy.delay(0, random.Random(7)) for _ in range(3)]

    assert first == again
    assert all(5.0 <= d <= 10.0 for d in first)


@pytest.mark.parametrize(
    "field",
    [
        pytest.param({"factor": 0.5}, id="factor"),
        pytest.param({"first": -1}, id="first"),
        pytest.param({"timeout": -1.0}, id="timeout"),
        pytest.param({"in_flight": 0}, id="in_flight"),
        pytest.param({"jitter": 2.0}, id="jitter"),
    ],
)
def test_policy_refuses_bad_values(field: dict[str, Any]) -> None:
    """A policy value out of range is refused, naming the field."""
    with pytest.raises(ValueError, match=next(iter(field))):
        PollPolicy(**field)


async def test_polls_back_off_until_final() -> None:
    """An item is polled soon, then after growing capped delays."""
    timer = VirtualTimer()
    results = Results()
    times: list[float] = []

    async def fetch(item: str) -> str:
        times.append(timer.now())
        return "DONE" if len(times) == 5 else "RUNNING"

    await _run(_poller(fetch, results, timer), ["a"])

    assert [1.0, 3.0, 7.0, 12.0, 17.0] == times
    assert [("a", "DONE")] == results.final
    assert [] == results.unsettled


async def test_timeout_ends_waiting_with_the_last_status() -> None:
    """An item not final by its timeout is settled unsettled, not polled on."""
    timer = VirtualTimer()
    results = Results()
    times: list[float] = []

    async def fetch(item: str) -> str:
        times.append(timer.now())
        return "RUNNING"

    await _run(_poller(fetch, results, timer, timeout=10.0), ["a"])

    assert [1.0, 3.0, 7.0] == times
    assert [] == results.final
    [(item, status, why)] = results.unsettled
    assert ("a", "RUNNING") == (item, status)
    assert "timed out" in why


async def test_zero_timeout_polls_once() -> None:
    """A zero timeout still polls each item once."""
    timer = VirtualTimer()
    results = Results()
    polled: list[str] = []

    async def fetch(item: str) -> str:
        polled.append(item)
        return "RUNNING"

    poller = _poller(fetch, results, timer, timeout=0.0, first=0.0, cap=0.0)
    await _run(poller, ["a", "b"])

    assert ["a", "b"] == polled
    assert ["a", "b"] == [item for item, _, _ in results.unsettled]


async def test_polls_in_flight_are_bounded() -> None:
    """No more than in_flight polls run at once, and all items settle."""
    timer = VirtualTimer()
    results = Results()
    gate = anyio.Event()
    full = anyio.Event()
    running = 0
    most = 0

    async def fetch(item: str) -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 3:
            full.set()
        await gate.wait()
        running -= 1
        return "DONE"

    poller = _poller(fetch, results, timer, in_flight=3)
    async with anyio.create_task_group() as tg:
        tg.start_soon(_run, poller, [str(i) for i in range(10)])
        # An event, not wait_all_tasks_blocked alone: the virtual timer
        # waits on that too, and two such waits can each take the other
        # for blocked before any poll has started.
        await full.wait()
        # Room for a fourth poll, were the bound broken.
        await anyio.wait_all_tasks_blocked()
        blocked = running
        gate.set()

    assert (3, 3) == (blocked, most)
    assert 10 == len(results.final)
    assert 10 == poller.polls


async def test_retryable_failures_poll_again() -> None:
    """A 503 or a 500 on a poll (a GET) is followed by another poll."""
    timer = VirtualTimer()
    results = Results()
    answers: list[Exception | str] = [
        _server_error(503),
        _server_error(500),
        "DONE",
    ]

    async def fetch(item: str) -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    await _run(_poller(fetch, results, timer), ["a"])

    assert [("a", "DONE")] == results.final
    assert [] == answers


async def test_failures_in_a_row_give_the_item_up() -> None:
    """Polls failing retry.attempts times in a row settle it unsettled."""
    timer = VirtualTimer()
    results = Results()
    calls = 0

    async def fetch(item: str) -> str:
        nonlocal calls
        calls += 1
        raise _server_error(503)

    poller = _poller(
        fetch, results, timer, retry=RetryPolicy(attempts=3, initial=0.0)
    )
    await _run(poller, ["a"])

    assert 3 == calls
    [(item, status, why)] = results.unsettled
    assert ("a", None) == (item, status)
    assert "HTTP 503" in why


async def test_final_failure_settles_the_item_alone() -> None:
    """A 400 on a poll gives that item up; the others go on."""
    timer = VirtualTimer()
    results = Results()

    async def fetch(item: str) -> str:
        if item == "bad":
            raise BadRequest(
                status=400,
                api_code=None,
                api_message="no",
                method="GET",
                url=_URL,
            )
        return "DONE"

    await _run(_poller(fetch, results, timer), ["bad", "good"])

    assert [("good", "DONE")] == results.final
    assert ["bad"] == [item for item, _, _ in results.unsettled]


async def test_systemic_failure_raises_and_settles_the_rest() -> None:
    """A 401 on a poll is raised; every item still waiting is settled."""
    timer = VirtualTimer()
    results = Results()

    async def fetch(item: str) -> str:
        raise AuthenticationFailed(
            status=401, api_code=None, api_message=None, method="GET", url=_URL
        )

    poller = _poller(fetch, results, timer, in_flight=1)
    with pytest.raises(AuthenticationFailed):
        await _run(poller, ["a", "b", "c"])

    assert ["a", "b", "c"] == sorted(i for i, _, _ in results.unsettled)
    assert 1 == poller.polls


async def test_stop_settles_waiting_items() -> None:
    """After stop, items waiting and items added later end unsettled."""
    timer = VirtualTimer()
    results = Results()

    async def fetch(item: str) -> str:
        poller.stop()
        return "RUNNING"

    poller = _poller(fetch, results, timer, in_flight=1)
    poller.add("a")
    poller.add("b")
    await poller.run()
    poller.add("c")

    assert [] == results.final
    assert [
        ("a", "RUNNING", STOPPED),
        ("b", None, STOPPED),
        ("c", None, STOPPED),
    ] == results.unsettled


async def test_every_poll_takes_the_pacer() -> None:
    """Each poll first acquires the job's pacer."""
    timer = VirtualTimer()
    results = Results()
    order: list[str] = []

    class Pacer:
        async def acquire(self) -> None:
            order.append("acquire")

    async def fetch(item: str) -> str:
        order.append("poll")
        return "DONE" if order.count("poll") == 2 else "RUNNING"

    poller = Poller(
        fetch=fetch,
        terminal=lambda status: status != "RUNNING",
        on_final=results.on_final,
        on_unsettled=results.on_unsettled,
        policy=PollPolicy(first=0.0, jitter=0.0),
        pacer=Pacer(),  # type: ignore[arg-type]
        timer=timer,
    )
    await _run(poller, ["a"])

    assert ["acquire", "poll", "acquire", "poll"] == order


class FrozenTimer:
    """A clock that never moves: waits end only when woken."""

    def now(self) -> float:
        return 0.0

    async def wait(self, seconds: float, wake: anyio.Event) -> None:  # noqa: ARG002 -- frozen
        await wake.wait()


async def test_stop_ends_a_run_waiting_for_due_items() -> None:
    """Stopping while items wait for their first poll ends the run."""
    results = Results()

    async def fetch(item: str) -> str:
        raise AssertionError("unreachable")

    poller = Poller(
        fetch=fetch,
        terminal=bool,
        on_final=results.on_final,
        on_unsettled=results.on_unsettled,
        policy=PollPolicy(first=60.0, jitter=0.0),
        timer=FrozenTimer(),
    )
    poller.add("a")
    poller.add("b")
    poller.close()
    # A guard against hanging; the test passes long before it.
    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(poller.run)
            await anyio.wait_all_tasks_blocked()
            poller.stop()

    assert [("a", None, STOPPED), ("b", None, STOPPED)] == results.unsettled
    assert 0 == poller.polls


async def test_testing_mode_polls_without_waiting() -> None:
    """In testing mode polls follow each other at once."""
    timer = VirtualTimer()
    results = Results()
    times: list[float] = []

    async def fetch(item: str) -> str:
        times.append(timer.now())
        return "DONE" if len(times) == 3 else "RUNNING"

    with set_testing(True):
        await _run(_poller(fetch, results, timer), ["a"])

    assert [0.0, 0.0, 0.0] == times
