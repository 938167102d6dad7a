"""
What a connection's read size costs: asyncio's 256 KiB against 64 KiB.

    python benchmarks/reads.py [--rounds R] [--requests N]

Two measurements, each a comparison made in the same run:

1. A socket pair, a 300-byte message at a time: CPU µs per
   ``recv(256 KiB)`` and per ``recv(64 KiB)`` in this process (best of
   three loops of 100,000).  Whether the big buffer costs a fresh
   mapping depends on the process's allocation history (see
   ``maiu_async/_connector.py``), so this can read either way.
2. The ceiling scenario's clients in fresh processes, in paired rounds:
   ``raw`` and ``register_many_big_reads`` (asyncio's read size) against
   ``raw_small_reads`` and ``register_many`` (the SDK's connector): req/s
   as a median ratio to raw, and minor page faults per request (a fresh
   mapping faults at least once).

A diagnostic, not a scenario of ``run.py``.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time

from _common import fast_server, run_worker
from run import paired_rounds


VARIANTS = (
    "raw",
    "raw_small_reads",
    "register_many",
    "register_many_big_reads",
)
MESSAGE = b"x" * 300


def recv_cost(size: int, n: int = 100_000) -> float:
    """CPU µs per receive of a 300-byte message with a *size* buffer."""
    a, b = socket.socketpair()
    try:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for _ in range(n):
                a.send(MESSAGE)
                b.recv(size)
            best = min(best, time.process_time() - start)
    finally:
        a.close()
        b.close()
    return best / n * 1e6


def main() -> None:
    """Print both measurements."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    big, small = recv_cost(256 * 1024), recv_cost(64 * 1024)
    print(
        f"recv of 300 bytes: 256 KiB buffer {big:.1f} µs, 64 KiB {small:.1f} µs"
    )
    with fast_server() as url:
        runs = paired_rounds(
            VARIANTS,
            args.rounds,
            lambda variant: run_worker(
                "ceiling_worker.py", variant, url, str(args.requests), "64"
            ),
        )
    print("| variant | x raw (median of rounds) | page faults per request |")
    print("|---|---|---|")
    for variant in VARIANTS:
        ratios = [
            mine["req_per_s"] / theirs["req_per_s"]
            for mine, theirs in zip(runs[variant], runs["raw"], strict=True)
        ]
        faults = ", ".join(str(r["faults_per_req"]) for r in runs[variant])
        print(f"| {variant} | {statistics.median(ratios):.2f} | {faults} |")


if __name__ == "__main__":
    main()
