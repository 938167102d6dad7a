"""
One client variant POSTing register-asset requests at a fixed concurrency.

    python benchmarks/ceiling_worker.py VARIANT URL N CONCURRENCY

Prints one JSON line of figures, with ``first_ms``: when the first
request of the run started, in ms from the run's start (a job's
preflight and set-up come before it).  Variants:

- ``raw``: a bare aiohttp loop, static headers, C workers, aiohttp's
  default session (a 5-minute total limit, one timer per request): the
  baseline;
- ``raw_no_total_timeout``: the same loop with no total limit at all
  (what a request costs aiohttp without its per-request timer; the SDK
  keeps its limit, with one timer for all requests);
- ``raw_small_reads``: the same loop reading 64 KiB at a time, as the
  SDK's connector does (``maiu_async._connector``), not asyncio's 256 KiB;
- ``httpx``: the same loop with httpx;
- ``gather``: a naive ``asyncio.gather`` over ``client.assets.register``;
- ``register_many``: ``maiu_async.register_many``, pool sized to match;
- ``default_client``: ``register_many`` on a ``MaiuClient()`` built with
  no options at all (the plain Python API);
- ``in_memory``: ``register_many`` over ``overhead.py``'s in-memory
  transport, which answers at once (no server: *URL* is unused); for
  ``instructions.py --in-memory``;
- ``register_many_big_reads``: ``register_many`` with its connections
  left at asyncio's 256 KiB reads (what the SDK did before
  ``maiu_async._connector``).

Its figures include ``faults_per_req``: the minor page faults of the
run, per request.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from typing import TYPE_CHECKING

from _common import ACCESS_KEY, SECRET_KEY, clock, cpu_seconds, summary

import maiu_async


if TYPE_CHECKING:
    from collections.abc import Callable

    from maiu_async import MaiuClient


PATH = "/api/v1/workspaces/bench-ws/projects/1/assets/import/object-storage"
WS, PID, BUCKET = "bench-ws", 1, "bench-bucket"


#: When each request started (`clock`): the earliest is kept.
FIRST = [float("inf")]


def started(at: float) -> None:
    """Note a request that started at *at*."""
    FIRST[0] = min(FIRST[0], at)


def keys(n: int) -> list[str]:
    """The keys every variant registers."""
    return [f"videos/clip-{i:07d}.mp4" for i in range(n)]


async def raw(
    url: str,
    n: int,
    c: int,
    *,
    total_timeout: bool = True,
    small_reads: bool = False,
) -> tuple[list[float], int]:
    """A bare aiohttp loop: the ceiling to compare against."""
    import aiohttp  # noqa: PLC0415

    from maiu_async._connector import Connector  # noqa: PLC0415

    headers = {
        "Content-Type": "application/json",
        "x-ncp-apigw-timestamp": "1700000000000",
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v2": "x" * 44,
    }
    todo = iter(keys(n))
    latencies: list[float] = []
    connector = (
        Connector(limit=c) if small_reads else aiohttp.TCPConnector(limit=c)
    )
    # aiohttp's default: a total limit of 5 minutes, a timer per request.
    timeout = (
        aiohttp.ClientTimeout(total=300, sock_connect=30)
        if total_timeout
        else aiohttp.ClientTimeout(total=None, sock_connect=30)
    )
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout
    ) as session:

        async def worker() -> None:
            for key in todo:
                body = json.dumps({"key": key, "bucketName": BUCKET}).encode()
                t = clock()
                started(t)
                async with session.post(
                    url + PATH, data=body, headers=headers
                ) as r:
                    await r.read()
                latencies.append(clock() - t)

        await asyncio.gather(*(worker() for _ in range(c)))
    return latencies, n


async def httpx_loop(url: str, n: int, c: int) -> tuple[list[float], int]:
    """The same loop with httpx."""
    import httpx  # noqa: PLC0415

    headers = {
        "Content-Type": "application/json",
        "x-ncp-apigw-timestamp": "1700000000000",
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v2": "x" * 44,
    }
    todo = iter(keys(n))
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(limits=limits) as client:

        async def worker() -> None:
            for key in todo:
                body = json.dumps({"key": key, "bucketName": BUCKET}).encode()
                t = clock()
                started(t)
                r = await client.post(
                    url + PATH, content=body, headers=headers
                )
                r.read()
                latencies.append(clock() - t)

        await asyncio.gather(*(worker() for _ in range(c)))
    return latencies, n


def make_client(url: str, c: int):  # type: ignore[no-untyped-def]
    """A MaiuClient sized for concurrency *c*."""
    from maiu_async import ConnectionLimits, MaiuClient  # noqa: PLC0415

    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        limits=ConnectionLimits(max_connections=c),
    )


async def gather(url: str, n: int, c: int) -> tuple[list[float], int]:
    """A naive gather over client.assets.register (pool-limited)."""
    latencies: list[float] = []
    async with make_client(url, c) as client:

        async def one(key: str) -> None:
            t = clock()
            started(t)
            await client.assets.register(WS, PID, key=key, bucket_name=BUCKET)
            latencies.append(clock() - t)

        await asyncio.gather(*(one(k) for k in keys(n)))
    return latencies, n


async def register_many(
    url: str, n: int, c: int, *, client: Callable[[], MaiuClient] | None = None
) -> tuple[list[float], int]:
    """The bulk engine, on *client* or a client sized for *c*."""
    latencies: list[float] = []
    async with make_client(url, c) if client is None else client() as job:
        report = await maiu_async.register_many(
            job,
            WS,
            PID,
            bucket_name=BUCKET,
            keys=keys(n),
            concurrency=c,
            on_result=lambda o: (
                latencies.append(o.latency),
                started(clock() - o.latency),  # the key's first attempt
            ),
        )
    return latencies, report.registered


def plain_client(url: str) -> MaiuClient:
    """A ``MaiuClient`` with no options but its endpoint and keys."""
    return maiu_async.MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=url
    )


def in_memory_client() -> MaiuClient:
    """A client whose transport answers at once, from memory."""
    from overhead import Instant  # noqa: PLC0415

    return maiu_async.MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://instant.invalid",
        transport=Instant(),
    )


async def big_reads(url: str, n: int, c: int) -> tuple[list[float], int]:
    """``register_many`` with asyncio's read size (the connector's hook off)."""
    from maiu_async import _connector  # noqa: PLC0415

    _connector.read_small = lambda _: None  # type: ignore[assignment]
    return await register_many(url, n, c)


VARIANTS = {
    "raw": raw,
    "raw_no_total_timeout": lambda url, n, c: raw(
        url, n, c, total_timeout=False
    ),
    "raw_small_reads": lambda url, n, c: raw(url, n, c, small_reads=True),
    "httpx": httpx_loop,
    "gather": gather,
    "register_many": register_many,
    "default_client": lambda url, n, c: register_many(
        url, n, c, client=lambda: plain_client(url)
    ),
    "register_many_big_reads": big_reads,
    "in_memory": lambda url, n, c: register_many(
        url, n, c, client=in_memory_client
    ),
}


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main() -> None:
    """Run one variant and print its figures."""
    variant, url, n, c = (
        sys.argv[1],
        sys.argv[2],
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    faults, cpu0, t0 = _faults(), cpu_seconds(), clock()
    latencies, done = asyncio.run(VARIANTS[variant](url, n, c))
    elapsed, cpu = clock() - t0, cpu_seconds() - cpu0
    faults = _faults() - faults
    result = summary(done, elapsed, cpu, latencies)
    result["faults_per_req"] = round(faults / n, 2)
    result["variant"] = variant
    result["first_ms"] = round((FIRST[0] - t0) * 1000, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
