"""
Polls per asset and added wall time of waiting for imports.

    python benchmarks/wait.py [--keys 500] [--delays 0,3,10]
                              [--first 2] [--cap 60] [--concurrency 64]

For each import delay D (the emulator's *import_delay*: an asset stays
``IN_PROGRESS`` for D seconds after it is registered), the same keys are
registered twice into fresh in-process emulators: once without waiting,
once with ``wait=PollPolicy(first=FIRST, cap=CAP)`` (the default
factor 2 and jitter 0.1).  Prints one JSON line per delay: import-status
polls per asset, seconds without and with waiting, and the difference.
"""

from __future__ import annotations

import argparse
import json
import time

import anyio

from _common import BUCKET, WS, client_of, seeded_emulator

from maiu_async.bulk import BulkReport, PollPolicy, register_many


async def one(
    keys: int, delay: float, wait: PollPolicy | None, concurrency: int
) -> tuple[BulkReport, float]:
    """Register *keys* keys, waiting with *wait*; return report, seconds."""
    emu, pid = seeded_emulator(import_delay=delay)
    names = [f"clips/{i:06d}.mp4" for i in range(keys)]
    async with emu, client_of(emu) as client:
        started = time.perf_counter()
        report = await register_many(
            client,
            WS,
            pid,
            bucket_name=BUCKET,
            keys=names,
            concurrency=concurrency,
            wait=wait,
        )
        return report, time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    """Print one JSON line per import delay."""
    policy = PollPolicy(first=args.first, cap=args.cap, timeout=None)
    for delay in (float(d) for d in args.delays.split(",")):
        plain, base = await one(args.keys, delay, None, args.concurrency)
        waited, total = await one(args.keys, delay, policy, args.concurrency)
        print(
            json.dumps(
                {
                    "keys": args.keys,
                    "import_delay_s": delay,
                    "first_s": args.first,
                    "cap_s": args.cap,
                    "registered": (plain.registered, waited.registered),
                    "imports": {s.value: n for s, n in waited.imports.items()},
                    "polls_per_asset": round(
                        waited.polls / max(waited.registered, 1), 2
                    ),
                    "seconds_no_wait": round(base, 2),
                    "seconds_wait": round(total, 2),
                    "added_s": round(total - base, 2),
                }
            ),
            flush=True,
        )


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--keys", type=int, default=500)
    parser.add_argument("--delays", default="0,3,10")
    parser.add_argument("--first", type=float, default=2.0)
    parser.add_argument("--cap", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=64)
    return parser.parse_args()


if __name__ == "__main__":
    anyio.run(main, parse())
