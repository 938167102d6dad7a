"""
What aiohttp's timeout timers cost a bulk job, per request.

    python benchmarks/timeouts.py [--keys 10000] [--rounds 3]

Runs ``register_many`` against the fast server with the default
``Timeouts()``, with a per-read timeout of 60 s added, and with no
timeouts at all, alternating, and prints req/s and CPU µs per request
for each round.  This is the measurement behind the default
``Timeouts(read=None)``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from _common import ACCESS_KEY, SECRET_KEY, cpu_seconds, fast_server

import maiu_async

from maiu_async import ConnectionLimits, MaiuClient, Timeouts


VARIANTS = {
    "default": Timeouts(),
    "read=60": Timeouts(read=60.0),
    "none": Timeouts(connect=None, read=None, total=None),
}


async def one(url: str, timeouts: Timeouts, n: int) -> tuple[int, int]:
    """Register *n* keys; return req/s and CPU µs per request."""
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        limits=ConnectionLimits(max_connections=64),
        timeouts=timeouts,
    ) as client:
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        await maiu_async.register_many(
            client,
            "bench-ws",
            1,
            bucket_name="bench-bucket",
            keys=(f"videos/clip-{i:07d}.mp4" for i in range(n)),
            concurrency=64,
        )
        elapsed = time.perf_counter() - t0
        return round(n / elapsed), round((cpu_seconds() - cpu0) / n * 1e6)


def main() -> None:
    """Alternate the variants and print one JSON line per round."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with fast_server() as url:
        for _ in range(args.rounds):
            row = {
                name: asyncio.run(one(url, t, args.keys))
                for name, t in VARIANTS.items()
            }
            print(json.dumps(row))


if __name__ == "__main__":
    main()
