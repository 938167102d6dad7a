"""
What a sync run (``skip_existing``) adds: one pass over the asset list.

    python benchmarks/sync.py [--existing 20000] [--new 1000] [--rounds 3]
                              [--knobs '{"list_page_cap": 100}']

A project already holds EXISTING assets (seeded in memory, not over
HTTP), and the input is those keys plus NEW ones.  Three jobs run against
fresh in-process emulators, interleaved, ROUNDS times each:

- ``new_only``: the NEW keys alone, no option (the work that must be
  done: the baseline);
- ``sync``: every key, ``skip_existing=True``;
- ``rerun``: every key without the option (what a rerun without the old
  journal did: EXISTING duplicates).

Prints one JSON line per job (best round by wall time): list pages and
registrations counted at the emulator, the outcome counts, seconds, and
for ``sync`` the seconds added to ``new_only``.
"""

from __future__ import annotations

import argparse
import json
import time

from typing import Any

import anyio

from _common import BUCKET, WS, client_of, seeded_emulator

from maiu_async.bulk import ReconcilePolicy, register_many


JOBS = ("new_only", "sync", "rerun")


async def one(
    job: str, existing: int, new: int, knobs: dict[str, Any]
) -> dict[str, Any]:
    """Run *job* once against a freshly seeded emulator."""
    emu, pid = seeded_emulator(**knobs)
    state = emu.state
    old = [f"media/old/{i:07d}.mp4" for i in range(existing)]
    for key in old:
        state.add_asset(WS, pid, key, BUCKET)
    fresh = [f"media/new/{i:07d}.mp4" for i in range(new)]
    keys = fresh if job == "new_only" else [*old, *fresh]
    async with emu, client_of(emu) as client:
        started = time.perf_counter()
        report = await register_many(
            client,
            WS,
            pid,
            bucket_name=BUCKET,
            keys=keys,
            concurrency=64,
            reconcile=ReconcilePolicy(delay=0.0),
            skip_existing=job == "sync",
        )
        seconds = time.perf_counter() - started
    return {
        "job": job,
        "existing": existing,
        "new": new,
        "list_pages": emu.stats.by_route.get("list_assets", 0),
        "registrations": emu.stats.by_route.get("register_asset", 0),
        "registered": report.registered,
        "skipped_existing": report.existing,
        "assets_after": len(state.assets_of(WS, pid)),
        "seconds": round(seconds, 3),
    }


def main() -> None:
    """Run the jobs interleaved; print the best round of each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--knobs", type=json.loads, default={})
    args = parser.parse_args()
    best: dict[str, dict[str, Any]] = {}
    rounds: dict[str, list[float]] = {job: [] for job in JOBS}
    for _ in range(args.rounds):
        for job in JOBS:
            result = anyio.run(one, job, args.existing, args.new, args.knobs)
            rounds[job].append(result["seconds"])
            if job not in best or result["seconds"] < best[job]["seconds"]:
                best[job] = result
    base = best["new_only"]["seconds"]
    for job in JOBS:
        line = {**best[job], "all_rounds_s": rounds[job], **args.knobs}
        if job == "sync":
            line["added_s"] = round(line["seconds"] - base, 3)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
