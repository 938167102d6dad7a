"""
List pages read to reconcile one job, in an empty and in a full project.

    python benchmarks/reconcile.py [--keys 3000] [--sizes 0,200000]
                                   [--knobs '{"list_page_cap": 100}']

The same job (KEYS new keys; 1 % of registrations lose their answer
after processing, 1 % get an unprocessed 500: keyed faults, so the same
keys meet them in every run) runs against an in-process emulator whose project already holds
SIZE assets of another bucket, seeded in memory (not over HTTP).  Prints
one JSON line per size: list pages read (the starting watermark read
included), duplicates, and the outcome counts.  *--knobs* adds emulator
knobs (a JSON object), such as a list order or a page cap.
"""

from __future__ import annotations

import argparse
import collections
import json
import time

from typing import Any

import anyio

from maiu_async import MaiuClient, RetryPolicy
from maiu_async.bulk import Outcome, ReconcilePolicy, register_many
from maiu_async.emulator import Emulator, Faults


ACCESS, SECRET = "AKIDBENCH", "bench-secret"
WS, BUCKET = "bench-ws", "bench-bucket"


async def one(
    size: int, keys: int, knobs: dict[str, Any]
) -> dict[str, object]:
    """Run the job against a project of *size* assets."""
    emu = Emulator(
        access_key=ACCESS,
        secret_key=SECRET,
        faults=Faults(lost_response=0.01, error_500=0.01, keyed=True),
        seed=1,
        **knobs,
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
        outcomes: list[Outcome] = []
        report = await register_many(
            client,
            WS,
            pid,
            bucket_name=BUCKET,
            keys=names,
            concurrency=64,
            retry=RetryPolicy(attempts=8, initial=0.001, maximum=0.01),
            reconcile=ReconcilePolicy(delay=0.0),
            on_result=outcomes.append,
        )
        seconds = time.perf_counter() - started
    ids: dict[str, list[int]] = collections.defaultdict(list)
    for asset in state.assets_of(WS, pid):
        if asset.bucket_name == BUCKET:
            ids[asset.key].append(asset.asset_id)
    ours = {key: len(found) for key, found in ids.items()}
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
        "keys_without_asset": sum(
            1
            for o in outcomes
            if o.status.value == "registered"
            and o.asset_id not in ids.get(o.key, ())
        ),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    """Run each size and print one JSON line for each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=3000)
    parser.add_argument("--sizes", default="0,200000")
    parser.add_argument("--knobs", type=json.loads, default={})
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        result = anyio.run(one, size, args.keys, args.knobs)
        print(json.dumps({**result, **args.knobs}), flush=True)


if __name__ == "__main__":
    main()
