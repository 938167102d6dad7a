"""
Bulk-engine scenarios against the emulator or the fast server.

    python benchmarks/scenario_worker.py latency URL N CONCURRENCY LATENCY
    python benchmarks/scenario_worker.py discover URL SECONDS JOB_RATE|none
    python benchmarks/scenario_worker.py memory URL KEYS_FILE CONCURRENCY

Prints one JSON line of figures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from _common import ACCESS_KEY, SECRET_KEY, clock, cpu_seconds, summary

import maiu_async

from maiu_async import AiohttpTransport, ConnectionLimits, MaiuClient


BUCKET = "bench-bucket"


def client(
    url: str, connections: int = 256, rate: float | None = None
) -> MaiuClient:
    """A client for the benchmark server."""
    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        limits=ConnectionLimits(max_connections=connections),
        rate=rate,
    )


async def project(c: MaiuClient, workspace: str) -> int:
    """Create the workspace and project to register into."""
    await c.workspaces.create(workspace)
    return (await c.projects.create(workspace, "bench")).project_id


def keys(n: int, prefix: str = "clip"):  # type: ignore[no-untyped-def]
    """Generated keys, lazily."""
    return (f"videos/{prefix}-{i:08d}.mp4" for i in range(n))


async def latency(url: str, n: int, conc: int, lat: float) -> dict:
    """Emulator with added latency: is the engine latency-bound?"""
    latencies: list[float] = []
    async with client(url, conc) as c:
        pid = await project(c, "bench-latency")
        cpu0, t0 = cpu_seconds(), clock()
        report = await maiu_async.register_many(
            c,
            "bench-latency",
            pid,
            bucket_name=BUCKET,
            keys=keys(n),
            concurrency=conc,
            on_result=lambda o: latencies.append(o.latency),
        )
        elapsed, cpu = clock() - t0, cpu_seconds() - cpu0
    out = summary(report.registered, elapsed, cpu, latencies)
    ideal = conc / lat
    out.update(
        ideal_req_per_s=ideal,
        ratio_to_ideal=round(out["req_per_s"] / ideal, 3),
        throttled=report.throttled,
    )
    return out


class Counting:
    """A transport that notes when each POST was answered, and how."""

    def __init__(self) -> None:
        self.inner = AiohttpTransport()
        self.log: list[tuple[float, int]] = []

    async def open(self) -> None:
        """Open the wrapped transport."""
        await self.inner.open()

    async def close(self) -> None:
        """Close the wrapped transport."""
        await self.inner.close()

    async def send(self, method, url, headers, body):  # type: ignore[no-untyped-def]
        """Send through the wrapped transport and note the answer."""
        raw = await self.inner.send(method, url, headers, body)
        if method == "POST":
            self.log.append((clock(), raw.status))
        return raw


async def discover(url: str, seconds: float, job_rate: float | None) -> dict:
    """
    The default user against an unknown limit: no client rate, a job
    with *job_rate* (or none), concurrency 64, no Retry-After (the fast
    server with ``--rate-limit``: the emulator's HMAC checks would make
    the server's CPU, not its limit, the bottleneck on a small machine).

    Reports the POSTs answered per second, and the 429s among them.
    """
    transport = Counting()
    c = MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        transport=transport,
    )
    n = 10_000_000
    async with c:
        t0 = clock()
        job = maiu_async.register_many(
            c,
            "bench-ws",
            1,
            bucket_name=BUCKET,
            keys=keys(n),
            concurrency=64,
            rate=job_rate,
        )
        try:
            await asyncio.wait_for(job, timeout=seconds)
        except TimeoutError:
            pass
        limiter = c.limiter
        measured = limiter.measured_limit
        rate_at_end = limiter.rate
    ok = [0] * int(seconds)
    limited = [0] * int(seconds)
    for t, status in transport.log:
        s = int(t - t0)
        if s < seconds:
            if status == 429:
                limited[s] += 1
            else:
                ok[s] += 1
    return {
        "seconds": seconds,
        "job_rate": job_rate,
        "ok_per_second": ok,
        "limited_per_second": limited,
        "measured_limit": round(measured or 0, 1),
        "limiter_rate_at_end": round(rate_at_end or 0, 1),
    }


async def memory(url: str, keys_file: str, conc: int) -> dict:
    """Keys streamed from a file against the fast server: peak RSS."""

    def read_keys():  # type: ignore[no-untyped-def]
        with open(keys_file, encoding="utf-8") as f:
            for line in f:
                yield line.rstrip("\n")

    count = 0

    def seen(_: object) -> None:
        nonlocal count
        count += 1

    async with client(url, conc) as c:
        cpu0, t0 = cpu_seconds(), clock()
        report = await maiu_async.register_many(
            c,
            "bench-ws",
            1,
            bucket_name=BUCKET,
            keys=read_keys(),
            concurrency=conc,
            on_result=seen,
        )
        elapsed, cpu = clock() - t0, cpu_seconds() - cpu0
    return summary(report.registered, elapsed, cpu, [])


def main() -> None:
    """Dispatch one scenario and print its JSON line."""
    name, url, *rest = sys.argv[1:]
    if name == "latency":
        coro = latency(url, int(rest[0]), int(rest[1]), float(rest[2]))
    elif name == "discover":
        job_rate = None if rest[1] == "none" else float(rest[1])
        coro = discover(url, float(rest[0]), job_rate)
    else:
        coro = memory(url, rest[0], int(rest[1]))
    result = asyncio.run(coro)
    result["scenario"] = name
    result["at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
