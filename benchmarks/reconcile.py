"""
List pages read to reconcile one job, in an empty and in a full project.

    python benchmarks/reconcile.py [--keys 3000] [--sizes 0,200000]

The same job (KEYS new keys, 2 % of registrations answered 500 after
processing... or lost: keyed faults, so the same keys meet them in every
run) runs against an in-process emulator whose project already holds
SIZE assets of another bucket, seeded in memory (not over HTTP).  Prints
one JSON line per size: list pages read (the starting watermark read
included), duplicates, and the outcome counts.
"""

from __future__ import annotations

import argparse
import collections
import json
import time

import anyio

from maiu_async import MaiuClient, RetryPolicy
from maiu_async.bulk import ReconcilePolicy, register_many
from maiu_async.emulator import Emulator, Faults


ACCESS, SECRET = "AKIDBENCH", "bench-secret"
WS, BUCKET = "bench-ws", "bench-bucket"


async def one(size: int, keys: int) -> dict[str, object]:
    """Run the job against a project of *size* assets."""
    emu = Emulator(
        access_key=ACCESS,
        secret_key=SECRET,
        faults=Faults(lost_response=0.01, error_500=0.01, keyed=True),
        seed=1,
    )
    state = emu.state
    state.add_workspace(WS, BUCKET)
    pid = state.add_project(WS, "bench").project_id
    for i in range(size):
        state.add_asset(WS, pid, f"old/{i:07d}.mp4", "old-bucket")
    names = [f"new/{i:07d}.mp4" for i in range(keys)]
    async with (
        emu,
        MaiuClient(
            access_key=ACCESS, secret_key=SECRET, endpoint=emu.url
        ) as client,
    ):
        started = time.perf_counter()
        report = await register_many(
            client,
            WS,
            pid,
            bucket_name=BUCKET,
            keys=names,
            concurrency=64,
            retry=RetryPolicy(attempts=8, initial=0.001, maximum=0.01),
            reconcile=ReconcilePolicy(delay=0.0),
        )
        seconds = time.perf_counter() - started
    ours = collections.Counter(
        a.key for a in state.assets_of(WS, pid) if a.bucket_name == BUCKET
    )
    return {
        "project_assets": size,
        "keys": keys,
        "list_pages": emu.stats.by_route.get("list_assets", 0),
        "reconcile_passes": report.reconcile_passes,
        "reconciled": report.reconciled,
        "registered": report.registered,
        "unknown": report.unknown,
        "failed": report.failed,
        "duplicates": sum(n - 1 for n in ours.values() if n > 1),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    """Run each size and print one JSON line for each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=3000)
    parser.add_argument("--sizes", default="0,200000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(anyio.run(one, size, args.keys)), flush=True)


if __name__ == "__main__":
    main()
