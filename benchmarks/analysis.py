"""
Status reads per asset and added wall time of a bulk analysis.

    python benchmarks/analysis.py [--assets 1000] [--reads 3]
                                  [--latencies 0,0.01] [--concurrency 32]

For each server latency, the same imported assets are analysed in fresh
in-process emulators (*analysis_reads*: an analysis ends at its READS-th
status read) twice: once without waiting, once with
``wait=PollPolicy(first=0.05, factor=2, cap=1, jitter=0)``.  Every asset
costs one status read before its request (what lets a lost answer be
resolved without analysing twice); waiting adds the reads until the
analysis ends.  Prints one JSON line per latency.
"""

from __future__ import annotations

import argparse
import json
import time

import anyio

from _common import BUCKET, WS, client_of, seeded_emulator

from maiu_async.bulk import AnalysisReport, PollPolicy, request_analysis_many


WAIT = PollPolicy(first=0.05, factor=2.0, cap=1.0, jitter=0.0)


async def one(
    args: argparse.Namespace, latency: float, wait: PollPolicy | None
) -> tuple[AnalysisReport, float, int]:
    """Analyse the assets; return the report, seconds, analyses made."""
    emu, pid = seeded_emulator(latency=latency, analysis_reads=args.reads)
    ids = [
        emu.state.add_asset(WS, pid, f"clips/{i:06d}.mp4", BUCKET).asset_id
        for i in range(args.assets)
    ]
    async with emu, client_of(emu) as client:
        started = time.perf_counter()
        report = await request_analysis_many(
            client,
            WS,
            pid,
            ids,
            person_count=2,
            concurrency=args.concurrency,
            wait=wait,
        )
        seconds = time.perf_counter() - started
    made = emu.state.workspace(WS).monthly_analysis_count
    return report, seconds, made


async def main(args: argparse.Namespace) -> None:
    """Print one JSON line per server latency."""
    for latency in (float(x) for x in args.latencies.split(",")):
        plain, base, _ = await one(args, latency, None)
        waited, total, made = await one(args, latency, WAIT)
        print(
            json.dumps(
                {
                    "assets": args.assets,
                    "latency_s": latency,
                    "analysis_reads": args.reads,
                    "requests": (plain.requests, waited.requests),
                    "analyses_made": made,
                    "analyzed": waited.analyzed,
                    "reads_per_asset": (
                        round(plain.status_reads / args.assets, 2),
                        round(waited.status_reads / args.assets, 2),
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
    parser.add_argument("--assets", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=3)
    parser.add_argument("--latencies", default="0,0.01")
    parser.add_argument("--concurrency", type=int, default=32)
    return parser.parse_args()


if __name__ == "__main__":
    anyio.run(main, parse())
