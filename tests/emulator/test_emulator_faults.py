"""Latency, the server-side rate limit and injected faults."""

from __future__ import annotations

import logging
import time

import aiohttp
import anyio
import pytest

from maiu_async._urls import ApiPaths
from maiu_async.emulator import EmulatorConfig, Faults
from maiu_async.emulator._faults import (
    Identity,
    Runtime,
    TokenBucket,
    retry_after_header,
)


PROJECTS = "/api/v1/workspaces/ws-test/projects"
LIST = "/api/v1/workspaces?pageNum=1"


async def start(launch, api_for, **knobs):
    emu = await launch(**knobs)
    emu.state.add_workspace("ws-test")
    return emu, api_for(emu)


def user_projects(emu) -> list[str]:
    projects = emu.state.workspace("ws-test").projects.values()
    return [p.name for p in projects if not p.is_base_project]


def noisy(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= 30]


@pytest.mark.anyio
async def test_reset_drops_before_processing(launch, api_for, caplog):
    """A reset breaks the connection, changes nothing, and logs nothing."""
    emu, api = await start(launch, api_for, faults=Faults(reset=1.0))

    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(aiohttp.ClientConnectionError),
    ):
        await api.post(PROJECTS, {"name": "never"})

    assert [] == user_projects(emu)
    assert (1, 0) == (emu.stats.faults["reset"], emu.stats.projects_created)
    assert [] == noisy(caplog)


@pytest.mark.anyio
async def test_lost_response_processes_then_drops(launch, api_for, caplog):
    """A lost response breaks the connection after the change is made."""
    emu, api = await start(launch, api_for, faults=Faults(lost_response=1.0))

    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(aiohttp.ClientConnectionError),
    ):
        await api.post(PROJECTS, {"name": "made-anyway"})

    assert ["made-anyway"] == user_projects(emu)
    assert (1, 1) == (
        emu.stats.faults["lost_response"],
        emu.stats.projects_created,
    )
    assert [] == noisy(caplog)


@pytest.mark.anyio
async def test_aiohttp_retries_idempotent_requests_once(launch, api_for):
    """aiohttp's client silently resends a GET once after a dropped answer."""
    emu, api = await start(launch, api_for, faults=Faults(reset=1.0))

    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get(LIST)

    assert 2 == emu.stats.requests


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        pytest.param("error_500", 500, "900", id="500"),
        pytest.param("error_502", 502, "500", id="502"),
        pytest.param("error_503", 503, "500", id="503"),
    ],
)
@pytest.mark.anyio
async def test_server_errors(launch, api_for, kind, status, code):
    """Injected 5xx answers carry gateway bodies and change nothing."""
    emu, api = await start(launch, api_for, faults=Faults(**{kind: 1.0}))

    reply = await api.post(PROJECTS, {"name": "never"})

    assert (status, code) == (reply.status, reply.body["error"]["errorCode"])
    assert [] == user_projects(emu)
    assert 1 == emu.stats.faults[kind]


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [
        pytest.param(0.5, "0.5", id="fractional"),
        pytest.param(3, "3", id="whole"),
        pytest.param(None, None, id="none"),
    ],
)
@pytest.mark.anyio
async def test_injected_rate_limit(launch, api_for, retry_after, header):
    """An injected 429 is gateway code 420, with Retry-After if set."""
    faults = Faults(rate_limited=1.0, retry_after=retry_after)
    emu, api = await start(launch, api_for, faults=faults)

    reply = await api.post(PROJECTS, {"name": "never"})

    assert (429, "420") == (reply.status, reply.body["error"]["errorCode"])
    assert header == reply.headers.get("Retry-After")
    assert [] == user_projects(emu)
    assert (1, 1) == (emu.stats.rate_limited, emu.stats.faults["rate_limited"])


@pytest.mark.anyio
async def test_rate_limiter(launch, api_for):
    """Past the bucket's burst, requests get 429 with the configured header."""
    emu, api = await start(
        launch, api_for, rate_limit=1.0, rate_limit_retry_after=0.5
    )

    first = await api.get(LIST)
    second = await api.get(LIST)

    assert 200 == first.status
    assert (429, "420") == (second.status, second.body["error"]["errorCode"])
    assert "0.5" == second.headers["Retry-After"]
    assert 1 == emu.stats.rate_limited


@pytest.mark.anyio
async def test_rate_limiter_burst(launch, api_for):
    """The burst admits that many requests at once."""
    emu, api = await start(launch, api_for, rate_limit=0.1, rate_limit_burst=3)

    statuses = [(await api.get(LIST)).status for _ in range(4)]

    assert [200, 200, 200, 429] == statuses
    assert "Retry-After" not in (await api.get(LIST)).headers
    assert 2 == emu.stats.rate_limited


@pytest.mark.anyio
async def test_latency(launch, api_for):
    """Each API request takes at least the configured latency."""
    _, api = await start(launch, api_for, latency=0.05, jitter=0.01)

    started = time.monotonic()
    await api.get(LIST)
    elapsed = time.monotonic() - started

    assert elapsed >= 0.05


@pytest.mark.anyio
async def test_seed_repeats_the_faults(launch, api_for):
    """Two emulators with the same seed inject the same faults in order."""
    runs = []
    for _ in range(2):
        _, api = await start(
            launch, api_for, faults=Faults(error_500=0.5), seed=42
        )
        runs.append([(await api.get(LIST)).status for _ in range(12)])

    assert runs[0] == runs[1]
    assert {200, 500} == set(runs[0])


@pytest.mark.anyio
async def test_admin_routes_have_no_faults(launch, api_for):
    """Faults and latency apply to /api/v1 only."""
    _, api = await start(launch, api_for, faults=Faults(error_500=1.0))

    reply = await api.get("/_emulator/stats", sign=False)

    assert 200 == reply.status


# --- the runtime, on a fake clock --------------------------------------------


def test_bucket_refills_at_the_rate():
    """Tokens come back at the rate, never beyond the burst."""
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=2, clock=lambda: now[0])

    drained = [bucket.try_take() for _ in range(3)]
    now[0] = 0.1
    refilled = [bucket.try_take() for _ in range(2)]
    now[0] = 100.0
    capped = [bucket.try_take() for _ in range(3)]

    assert [True, True, False] == drained
    assert [True, False] == refilled
    assert [True, True, False] == capped


def runtime(**knobs) -> Runtime:
    rt = Runtime(EmulatorConfig(access_key="K", secret_key="S", **knobs))
    rt.start(lambda: 0.0)
    return rt


def test_delay_stays_within_latency_and_jitter():
    """Each delay is the latency plus at most the jitter."""
    rt = runtime(latency=0.2, jitter=0.1, seed=1)

    delays = [rt.delay() for _ in range(200)]

    assert all(0.2 <= d <= 0.3 for d in delays)
    assert 0.0 == runtime().delay()


def test_fault_mix_follows_the_probabilities():
    """Over many draws, each fault shows up about as often as configured."""
    rt = runtime(faults=Faults(error_503=0.25, reset=0.25), seed=3)

    draws = [rt.draw_fault() for _ in range(4000)]

    assert 1000 == pytest.approx(draws.count("error_503"), rel=0.1)
    assert 1000 == pytest.approx(draws.count("reset"), rel=0.1)
    assert 2000 == pytest.approx(draws.count(None), rel=0.1)


def test_stopped_runtime_has_no_knobs():
    """After cleanup the limiter and dice are gone."""
    rt = runtime(rate_limit=1.0, latency=1.0, faults=Faults(reset=1.0))

    rt.stop()

    assert (None, 0.0, None) == (rt.limiter, rt.delay(), rt.draw_fault())


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, {}), (2, {"Retry-After": "2"}), (0.25, {"Retry-After": "0.25"})],
)
def test_retry_after_header(seconds, expected):
    """Retry-After is written as given, whole numbers without a fraction."""
    assert expected == retry_after_header(seconds)


# --- keyed and certain faults ----------------------------------------------

PATHS = ApiPaths()
KEYS = [f"dir/clip-{n:02d}.mp4" for n in range(24)]
SEED = 11


def register_fault(faults: Faults, key: str, attempt: int = 1) -> str | None:
    return faults.keyed_fault(
        seed=SEED,
        method="POST",
        route="register_asset",
        subject=key,
        attempt=attempt,
    )


async def registrations(launch, api_for, faults, keys, *, concurrently):
    """Register *keys* once each; return each key's HTTP status."""
    emu = await launch(faults=faults, seed=SEED)
    emu.state.add_workspace("ws-test")
    project_id = emu.state.add_project("ws-test", "p").project_id
    api = api_for(emu)
    statuses: dict[str, int] = {}

    async def register(key: str) -> None:
        reply = await api.post(
            PATHS.asset_import("ws-test", project_id),
            {"key": key, "bucketName": "b"},
        )
        statuses[key] = reply.status

    if concurrently:
        async with anyio.create_task_group() as tg:
            for key in keys:
                tg.start_soon(register, key)
    else:
        for key in keys:
            await register(key)
    return statuses


@pytest.mark.anyio
async def test_keyed_faults_ignore_arrival_order(launch, api_for):
    """Keyed draws fail the same keys in any order, as keyed_fault says."""
    faults = Faults(error_500=0.5, keyed=True)
    predicted = {
        key: 500 if register_fault(faults, key) else 200 for key in KEYS
    }

    forward = await registrations(
        launch, api_for, faults, KEYS, concurrently=False
    )
    backward = await registrations(
        launch, api_for, faults, KEYS[::-1], concurrently=False
    )
    together = await registrations(
        launch, api_for, faults, KEYS, concurrently=True
    )

    assert {200, 500} == set(predicted.values())
    assert predicted == forward == backward == together


@pytest.mark.anyio
async def test_keyed_faults_draw_each_attempt(launch, api_for):
    """The n-th request with one identity meets the n-th keyed draw."""
    faults = Faults(error_503=0.5, keyed=True)
    key = KEYS[0]
    predicted = [
        503 if register_fault(faults, key, attempt) else 200
        for attempt in range(1, 13)
    ]
    emu = await launch(faults=faults, seed=SEED)
    emu.state.add_workspace("ws-test")
    project_id = emu.state.add_project("ws-test", "p").project_id
    api = api_for(emu)

    statuses = [
        (
            await api.post(
                PATHS.asset_import("ws-test", project_id),
                {"key": key, "bucketName": "b"},
            )
        ).status
        for _ in predicted
    ]

    assert {200, 503} == set(predicted)
    assert predicted == statuses
    assert predicted.count(200) == emu.stats.assets_created


@pytest.mark.anyio
async def test_keyed_faults_name_other_requests_by_target(launch, api_for):
    """A request about no asset is identified by its raw target."""
    faults = Faults(error_500=0.5, keyed=True)
    targets = [f"/api/v1/workspaces?pageNum={n}" for n in range(1, 17)]
    predicted = [
        500
        if faults.keyed_fault(
            seed=SEED, method="GET", route="list_workspaces", subject=target
        )
        else 200
        for target in targets
    ]
    _, api = await start(launch, api_for, faults=faults, seed=SEED)

    statuses = [(await api.get(target)).status for target in targets[::-1]]

    assert {200, 500} == set(predicted)
    assert predicted[::-1] == statuses


@pytest.mark.anyio
async def test_certain_faults_hit_their_key_every_time(launch, api_for):
    """A certain fault meets every request about its key, and no other."""
    faults = Faults(
        certain={"doomed.mp4": "error_500", "seeded.mp4": "error_503"}
    )
    emu = await launch(faults=faults)
    emu.state.add_workspace("ws-test")
    project_id = emu.state.add_project("ws-test", "p").project_id
    seeded = emu.state.add_asset("ws-test", project_id, "seeded.mp4", "b")
    other = emu.state.add_asset("ws-test", project_id, "other.mp4", "b")
    api = api_for(emu)
    target = PATHS.asset_import("ws-test", project_id)

    doomed = [
        (await api.post(target, {"key": "doomed.mp4", "bucketName": "b"}))
        for _ in range(3)
    ]
    fine = await api.post(target, {"key": "fine.mp4", "bucketName": "b"})
    other_status = await api.get(
        PATHS.asset("ws-test", project_id, other.asset_id) + "/import-status"
    )
    seeded_status = await api.get(
        PATHS.asset("ws-test", project_id, seeded.asset_id) + "/import-status"
    )

    assert [500, 500, 500] == [reply.status for reply in doomed]
    assert (200, 200, 503) == (
        fine.status,
        other_status.status,
        seeded_status.status,
    )
    assert 0 == emu.state.count_assets_by_key("ws-test", "doomed.mp4")
    assert (3, 1) == (
        emu.stats.faults["error_500"],
        emu.stats.faults["error_503"],
    )


def test_keyed_fault_is_a_pure_function():
    """keyed_fault follows the probabilities and every identity part."""
    faults = Faults(error_500=0.25, rate_limited=0.25, keyed=True)

    def draws(**change) -> list[str | None]:
        identity = {"seed": 1, "method": "POST", "route": "r"} | change
        return [
            faults.keyed_fault(subject=f"k{n}", **identity)
            for n in range(4000)
        ]

    first = draws()

    assert first == draws()
    assert 1000 == pytest.approx(first.count("error_500"), rel=0.1)
    assert 1000 == pytest.approx(first.count("rate_limited"), rel=0.1)
    assert 2000 == pytest.approx(first.count(None), rel=0.1)
    for change in (
        {"seed": 2},
        {"method": "GET"},
        {"route": "s"},
        {"attempt": 2},
        {"body": b"{}"},
    ):
        assert first != draws(**change), change


def test_seed_none_counts_as_zero():
    """Keyed draws without a seed are those of seed 0."""
    faults = Faults(error_500=0.5, keyed=True)

    def draw(seed):
        return [
            faults.keyed_fault(
                seed=seed, method="GET", route="r", subject=f"k{n}"
            )
            for n in range(50)
        ]

    assert draw(0) == draw(None)


def test_certain_faults_are_checked_and_frozen():
    """Unknown kinds are refused; the mapping is read-only and hashable."""
    faults = Faults(certain={"k.mp4": "lost_response"})

    with pytest.raises(ValueError, match="certain"):
        Faults(certain={"k.mp4": "error_404"})
    with pytest.raises(TypeError):
        faults.certain["other.mp4"] = "reset"  # type: ignore[index]
    assert "lost_response" == faults.keyed_fault(
        seed=None, method="GET", route="r", subject="k.mp4"
    )
    assert hash(faults) == hash(Faults(certain={"k.mp4": "reset"}))
    assert Faults(certain={"k.mp4": "reset"}) != faults


def test_runtime_counts_attempts_per_identity():
    """A keyed runtime numbers the requests of each identity from 1."""
    faults = Faults(error_502=0.5, keyed=True)
    rt = runtime(faults=faults, seed=SEED)
    a = Identity("POST", "register_asset", "a.mp4")
    b = Identity("POST", "register_asset", "b.mp4")

    drawn = [rt.draw_fault(i) for i in (a, b, a, a, b)]
    rt.stop()
    rt.start(lambda: 0.0)
    again = rt.draw_fault(a)

    assert [
        register_fault(faults, "a.mp4", 1),
        register_fault(faults, "b.mp4", 1),
        register_fault(faults, "a.mp4", 2),
        register_fault(faults, "a.mp4", 3),
        register_fault(faults, "b.mp4", 2),
    ] == drawn
    assert register_fault(faults, "a.mp4", 1) == again


def test_arrival_draws_ignore_identity():
    """Without keyed draws, identities do not change the arrival sequence."""
    faults = Faults(error_500=0.5, certain={"x.mp4": "reset"})
    plain = runtime(faults=faults, seed=5)
    named = runtime(faults=faults, seed=5)
    someone = Identity("GET", "list_workspaces", "/api/v1/workspaces")

    assert [plain.draw_fault() for _ in range(40)] == [
        named.draw_fault(someone) for _ in range(40)
    ]
