"""
Sharded imports: 1 vs 4 local workers against the same server limit.

The in-process emulator enforces R requests per second (a token bucket,
no Retry-After).  Each variant imports N keys through `import_sharded`
on a fresh local cluster; the figures cover the shards' own run (from
the first shard's start to the last one's end, cluster start-up left
out): achieved registrations per second, as a share of R, and the share
of 429 answers the emulator sent.

    python benchmarks/sharded.py [--limit 300] [--keys 6000]

Needs the ``dask`` extra.  Not part of ``run.py --quick``: starting the
clusters alone takes longer than the quick mode's budget.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from pathlib import Path

import anyio

from maiu_async import Credentials
from maiu_async.bulk import BulkOptions, ReconcilePolicy
from maiu_async.distributed import import_sharded
from maiu_async.emulator import Emulator


ACCESS, SECRET = "bench-access", "bench-secret"


async def one(limit: float, keys: int, workers: int, rate: float | None):
    async with Emulator(
        access_key=ACCESS, secret_key=SECRET, rate_limit=limit
    ) as emu:
        emu.state.add_workspace("bench-ws", "bench-bucket")
        project = emu.state.add_project("bench-ws", "bench").project_id
        spans: list[tuple[float, float]] = []

        def on_shard(record):
            end = time.monotonic()
            spans.append((end - record.counts["duration"], end))

        with tempfile.TemporaryDirectory() as tmp:
            result = await import_sharded(
                [f"b/{i:07d}.mp4" for i in range(keys)],
                directory=Path(tmp) / "job",
                endpoint=emu.url,
                workspace="bench-ws",
                project_id=project,
                bucket_name="bench-bucket",
                credentials=Credentials(ACCESS, SECRET),
                workers=workers,
                shard_size=max(1, keys // (2 * workers)),
                on_shard=on_shard,
                options=BulkOptions(
                    rate=rate, reconcile=ReconcilePolicy(delay=0)
                ),
            )
        if not spans:
            raise SystemExit(f"no shard ran: {result}")
        window = max(e for _, e in spans) - min(s for s, _ in spans)
        stats = emu.stats
        posts = stats.by_route.get("register_asset", 0)
        assert result.report.registered == keys, result
        assert stats.assets_created == keys
        return {
            "workers": workers,
            "rate": rate,
            "achieved": keys / window,
            "share": keys / window / limit,
            "429": stats.rate_limited / max(1, posts),
            "posts": posts,
        }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--keys", type=int, default=6000)
    args = parser.parse_args()
    print(
        "| workers | job rate | registered/s | x limit | 429s / POSTs |\n"
        "|---|---|---|---|---|"
    )
    for rate in (None, args.limit):
        for workers in (1, 4):
            r = await one(args.limit, args.keys, workers, rate)
            print(
                f"| {r['workers']} | {r['rate'] or 'none'} | "
                f"{r['achieved']:.1f} | {r['share']:.3f} | "
                f"{r['429']:.1%} ({r['posts']}) |",
                flush=True,
            )


if __name__ == "__main__":
    anyio.run(main)
