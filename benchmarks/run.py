"""
Run every benchmark scenario and print a Markdown report.

    python benchmarks/run.py --quick          # CI smoke: small sizes
    python benchmarks/run.py                  # the figures in RESULTS.md
    python benchmarks/run.py --write          # ... and rewrite RESULTS.md

Each scenario runs in fresh processes (client and server apart), and every
comparison is a ratio against a baseline measured in the same run, since
absolute numbers on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

from pathlib import Path
from typing import TYPE_CHECKING

from _common import HERE, fast_server, run_worker


if TYPE_CHECKING:
    from collections.abc import Callable


def ceiling(n: int, conc: int, rounds: int) -> list[str]:
    """
    Scenario 1: register_many vs the raw aiohttp loop (and others).

    The variants run in rounds (`paired_rounds`); each is compared with
    raw round by round.
    """
    with fast_server() as url:
        runs = paired_rounds(
            (
                "raw",
                "register_many",
                "raw_no_total_timeout",
                "raw_small_reads",
                "gather",
            ),
            rounds,
            lambda variant: run_worker(
                "ceiling_worker.py", variant, url, str(n), str(conc)
            ),
        )
        # httpx is ~20x slower here: one round of a tenth of the
        # requests gives the same per-request figures in reasonable time.
        try:
            runs["httpx"] = [
                run_worker(
                    "ceiling_worker.py", "httpx", url, str(n // 10), str(conc)
                )
            ]
        except RuntimeError as exc:
            runs["httpx"] = [{"error": str(exc).splitlines()[0]}]
    return [
        (
            f"### 1. Client ceiling ({n} requests, concurrency {conc}, "
            f"fast loopback server, {rounds} paired rounds)"
        ),
        "",
        *_table(runs),
    ]


def latency_bound(n: int, conc: int, lat: float, rounds: int) -> list[str]:
    """
    Scenario 2: a latency-bound server, the plain Python API vs raw.

    ``default_client`` is ``register_many(MaiuClient(), concurrency=conc)``
    with no options at all; ``raw`` is the bare aiohttp loop at the same
    concurrency.  The server answers each request after *lat* seconds and
    costs no CPU, so the ratio shows whether the engine keeps *conc*
    requests in flight.
    """
    with fast_server("--latency", str(lat)) as url:
        runs = paired_rounds(
            ("raw", "default_client"),
            rounds,
            lambda variant: run_worker(
                "ceiling_worker.py", variant, url, str(n), str(conc)
            ),
        )
    return [
        (
            f"### 2. Latency-bound ({n} requests, concurrency {conc}, "
            f"{lat * 1000:.0f} ms per answer, {rounds} paired rounds)"
        ),
        "",
        *_table(runs, ideal=conc / lat),
    ]


def paired_rounds(
    variants: tuple[str, ...], rounds: int, run: Callable[[str], dict]
) -> dict[str, list[dict]]:
    """
    Run every variant once per round, in the opposite order each round.

    This machine's speed swings by 20 % and more from one run to the next
    (see NOTES.md), so a variant is compared with the raw run of its own
    round, seconds apart, not with raw's best round, and the order
    alternates (raw first, then last) so that a drift within rounds
    favours no variant.
    """
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for i in range(rounds):
        order = variants if i % 2 == 0 else variants[::-1]
        for variant in order:
            runs[variant].append(run(variant))
    return runs


def _table(runs: dict[str, list[dict]], ideal: float | None = None):
    best = {
        name: max(rs, key=lambda r: r.get("req_per_s") or 0)
        for name, rs in runs.items()
    }
    raw = best["raw"]["req_per_s"]
    out = [
        (
            "| variant | x raw (median of rounds) | rounds x raw | "
            "req/s (best) | best x best raw | all rounds req/s | p50 ms | "
            "p99 ms | CPU µs/req | first request at ms |"
            + (" x ideal |" if ideal else "")
        ),
        "|---|---|---|---|---|---|---|---|---|---|"
        + ("---|" if ideal else ""),
    ]
    raws = [r.get("req_per_s") or 0 for r in runs["raw"]]
    for name, r in best.items():
        if "error" in r:
            out.append(f"| {name} | failed: {r['error']} | | | | | | | | |")
            continue
        every = [x.get("req_per_s") or 0 for x in runs[name]]
        # Round i of a variant against round i of raw: seconds apart.
        paired = [x / y for x, y in zip(every, raws, strict=False) if y]
        median = statistics.median(paired) if paired else float("nan")
        out.append(
            f"| {name} | **{median:.2f}** | "
            f"{', '.join(f'{x:.2f}' for x in paired)} | {r['req_per_s']} | "
            f"{r['req_per_s'] / raw:.2f} | {', '.join(map(str, every))} | "
            f"{r['p50_ms']} | {r['p99_ms']} | {r['cpu_us_per_req']} | "
            f"{r['first_ms']} |"
            + (f" {r['req_per_s'] / ideal:.2f} |" if ideal else "")
        )
    return [*out, ""]


def discovery(limits: list[float], seconds: float, window: tuple) -> list[str]:
    """
    Scenario 3: the default user against an unknown server limit.

    The fast server enforces R requests per second (a token bucket of
    R/10, no Retry-After; the emulator's ``--rate-limit`` does the same,
    but its per-request CPU would share the two cores); the client has no rate, the job has none or 2 R,
    concurrency 64.  Figures are over the steady *window* (seconds).
    """
    first, last = window
    out = [
        (
            f"### 3. Rate discovery (token-bucket server at R, bucket R/10, "
            f"no Retry-After; concurrency 64; {seconds:.0f} s each, "
            f"steady state = seconds {first} to {last})"
        ),
        "",
        (
            "| R | job rate | accepted req/s | x R | 429s / POSTs | "
            "measured limit | limiter rate at end |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for limit in limits:
        for job_rate in (None, 2 * limit):
            with fast_server("--rate-limit", str(limit)) as url:
                r = run_worker(
                    "scenario_worker.py",
                    "discover",
                    url,
                    str(seconds),
                    "none" if job_rate is None else str(job_rate),
                )
            ok = r["ok_per_second"][first:last]
            limited = r["limited_per_second"][first:last]
            accepted = sum(ok) / len(ok)
            share = sum(limited) / max(1, sum(ok) + sum(limited))
            out.append(
                f"| {limit:.0f} | "
                f"{'none' if job_rate is None else f'{job_rate:.0f}'} | "
                f"{accepted:.1f} | {accepted / limit:.3f} | "
                f"{share * 100:.1f}% | {r['measured_limit']} | "
                f"{r['limiter_rate_at_end']} |"
            )
    return [*out, ""]


def memory(sizes: list[int], conc: int) -> list[str]:
    """Scenario 4: keys streamed from a file, peak RSS per size."""
    out = [
        (
            f"### 4. Memory (keys streamed from a file, concurrency {conc}, "
            "fast server)"
        ),
        "",
        "| keys | req/s | peak RSS MB |",
        "|---|---|---|",
    ]
    with fast_server() as url, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"keys-{n}.txt"
            with path.open("w") as f:
                for i in range(n):
                    f.write(f"videos/2026/clip-{i:08d}.mp4\n")
            r = run_worker(
                "scenario_worker.py", "memory", url, str(path), str(conc)
            )
            out.append(f"| {n} | {r['req_per_s']} | {r['peak_rss_mb']} |")
    return [*out, ""]


def overhead() -> list[str]:
    """Scenario 5: our own CPU per request."""
    r = run_worker("overhead.py")
    return [
        "### 5. Per-request overhead in our code (µs)",
        "",
        (
            "A job's registration, part by part (best of 5): signing, the "
            "body, reading the answer to its asset id; `Asset` is what a "
            "plain `client.assets.register` reads instead; the engine is "
            "`register_many` per key over an in-memory transport that "
            "answers at once (best of 3)."
        ),
        "",
        "| signing | body | answer to id | total | answer to `Asset` | engine |",
        "|---|---|---|---|---|---|",
        (
            f"| {r['sign_us']} | {r['build_us']} | {r['structure_us']} | "
            f"{r['total_us']} | {r['asset_us']} | {r['engine_us']} |"
        ),
        "",
    ]


def reconcile_pages(keys: int, size: int) -> list[str]:
    """Scenario 6: list pages read to reconcile, empty vs full project."""
    rows = [
        run_worker("reconcile.py", "--keys", str(keys), "--sizes", str(n))
        for n in (0, size)
    ]
    goal = 2 * rows[0]["list_pages"] + 10
    out = [
        (
            f"### 6. Reconcile cost ({keys} new keys, 2 % lost or 500 "
            "answers, keyed; in-process emulator, project seeded in memory)"
        ),
        "",
        (
            "| assets already in the project | list pages read | passes | "
            "reconciled | duplicates | unknown | seconds |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        (
            f"| {r['project_assets']} | {r['list_pages']} | "
            f"{r['reconcile_passes']} | {r['reconciled']} | "
            f"{r['duplicates']} | {r['unknown']} | {r['seconds']} |"
        )
        for r in rows
    ]
    verdict = "met" if rows[1]["list_pages"] <= goal else "NOT met"
    out += [
        "",
        f"Goal: at most {goal} pages for the full project: {verdict}.",
        "",
    ]
    return out


def main() -> None:
    """Run the scenarios and print (or write) the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--only",
        default="ceiling,latency,discovery,memory,overhead,reconcile",
        help="comma-separated scenarios to run",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    q = args.quick
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Benchmark results",
        "",
        (
            f"Command: `{command}` (run on {started}; "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores)."
        ),
        "",
    ]
    if "ceiling" in only:
        lines += ceiling(2000 if q else 20000, 64, 2 if q else 8)
    if "latency" in only:
        lines += latency_bound(1000 if q else 20000, 200, 0.05, 2 if q else 8)
    if "discovery" in only:
        if q:
            lines += discovery([200], 8, (3, 8))
        else:
            lines += discovery([200, 800], 30, (5, 25))
    if "memory" in only:
        lines += memory([2000, 10000] if q else [100_000, 1_000_000], 64)
    if "overhead" in only:
        lines += overhead()
    if "reconcile" in only:
        lines += reconcile_pages(300 if q else 3000, 20_000 if q else 200_000)
    report = "\n".join(lines)
    print(report)
    if args.write:
        notes = HERE / "NOTES.md"
        extra = notes.read_text() if notes.exists() else ""
        (HERE / "RESULTS.md").write_text(report + "\n" + extra)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
