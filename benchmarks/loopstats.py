"""
How a client variant spends its event loop and its garbage collector.

    python benchmarks/loopstats.py [--latency S] [--requests N]
        [--concurrency C] [--rounds R] [VARIANT ...]

Runs ``ceiling_worker.py``'s variants (default: ``raw`` and
``default_client``) against the fast server, each in a fresh process,
interleaved, and prints per run: req/s, CPU µs per request, event-loop
passes per request, ready callbacks per pass, young-generation
collections per 1,000 requests and the CPU the collector took per
request (``gc.callbacks``, thread CPU time).

A diagnostic, not a scenario of ``run.py``: it explains why CPU per
request moves between runs of one commit.  Both clients spend more per
request in the runs where each loop pass handles more answers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time

from pathlib import Path

from _common import clock, cpu_seconds, fast_server


HERE = Path(__file__).parent


def child(variant: str, url: str, n: int, conc: int) -> None:
    """Run one variant with the loop and the collector watched."""
    import asyncio.base_events as base  # noqa: PLC0415

    import ceiling_worker  # noqa: PLC0415

    passes = [0, 0]
    run_once = base.BaseEventLoop._run_once  # type: ignore[attr-defined]  # noqa: SLF001

    def counted(loop: base.BaseEventLoop) -> None:
        passes[0] += 1
        passes[1] += len(loop._ready)  # type: ignore[attr-defined]  # noqa: SLF001
        run_once(loop)

    base.BaseEventLoop._run_once = counted  # type: ignore[attr-defined]  # noqa: SLF001
    collections = [0, 0]  # young-generation collections, CPU ns in all
    began = [0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.thread_time_ns()
            return
        collections[0] += info["generation"] == 0
        collections[1] += time.thread_time_ns() - began[0]

    gc.callbacks.append(watch)
    cpu0, t0 = cpu_seconds(), clock()
    asyncio.run(ceiling_worker.VARIANTS[variant](url, n, conc))
    elapsed, cpu = clock() - t0, cpu_seconds() - cpu0
    print(
        json.dumps(
            {
                "variant": variant,
                "req_per_s": round(n / elapsed, 1),
                "cpu_us_per_req": round(cpu / n * 1e6, 1),
                "passes_per_req": round(passes[0] / n, 3),
                "ready_per_pass": round(passes[1] / max(passes[0], 1), 1),
                "gen0_per_1000_req": round(collections[0] / n * 1000, 1),
                "gc_cpu_us_per_req": round(collections[1] / n / 1000, 1),
            }
        )
    )


def main() -> None:
    """Run the variants interleaved and print one table row per run."""
    if sys.argv[1:2] == ["--child"]:
        variant, url, n, conc = sys.argv[2:6]
        child(variant, url, int(n), int(conc))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--requests", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "variants", nargs="*", default=["raw", "default_client"]
    )
    args = parser.parse_args()
    columns = [
        "req_per_s",
        "cpu_us_per_req",
        "passes_per_req",
        "ready_per_pass",
        "gen0_per_1000_req",
        "gc_cpu_us_per_req",
    ]
    print("| round | variant | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 2) + "|")
    with fast_server("--latency", str(args.latency)) as url:
        for round_ in range(1, args.rounds + 1):
            for variant in args.variants:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        variant,
                        url,
                        str(args.requests),
                        str(args.concurrency),
                    ],
                    capture_output=True,
                    check=True,
                    cwd=HERE,
                    timeout=600,
                )
                row = json.loads(out.stdout.decode().strip().splitlines()[-1])
                cells = " | ".join(str(row[c]) for c in columns)
                print(f"| {round_} | {variant} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
