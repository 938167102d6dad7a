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
import sys
import tempfile
import time

from pathlib import Path

from _common import HERE, emulator, fast_server, run_worker


def ceiling(n: int, conc: int, rounds: int) -> list[str]:
    """
    Scenario 1: register_many vs the raw aiohttp loop (and others).

    The variants run interleaved, *rounds* times each, and each reports
    its best round: on a shared VM a run can lose 40% to a neighbour, and
    the best round is the least disturbed one.
    """
    runs: dict[str, list[dict]] = {}
    with fast_server() as url:
        for _ in range(rounds):
            for variant in ("raw", "register_many", "gather"):
                runs.setdefault(variant, []).append(
                    run_worker(
                        "ceiling_worker.py", variant, url, str(n), str(conc)
                    )
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
    best = {
        name: max(rs, key=lambda r: r.get("req_per_s") or 0)
        for name, rs in runs.items()
    }
    raw = best["raw"]["req_per_s"]
    out = [
        (
            f"### 1. Client ceiling ({n} requests, concurrency {conc}, "
            f"fast loopback server, best of {rounds} interleaved rounds)"
        ),
        "",
        (
            "| variant | req/s (best) | x raw | all rounds req/s | p50 ms | "
            "p99 ms | CPU µs/req | peak RSS MB |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in best.items():
        if "error" in r:
            out.append(f"| {name} | failed: {r['error']} | | | | | | |")
            continue
        every = ", ".join(str(x.get("req_per_s")) for x in runs[name])
        out.append(
            f"| {name} | {r['req_per_s']} | {r['req_per_s'] / raw:.2f} | "
            f"{every} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['cpu_us_per_req']} | {r['peak_rss_mb']} |"
        )
    return [*out, ""]


def latency_bound(n: int, conc: int, latencies: list[float]) -> list[str]:
    """Scenario 2: emulator with added latency."""
    out = [
        (
            f"### 2. Latency-bound ({n} keys, concurrency {conc}, "
            "emulator in its own process)"
        ),
        "",
        (
            "| added latency | achieved req/s | ideal (conc / latency) | ratio | "
            "p50 ms | p99 ms | client CPU µs/req |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for lat in latencies:
        with emulator("--latency", str(lat)) as url:
            r = run_worker(
                "scenario_worker.py",
                "latency",
                url,
                str(n),
                str(conc),
                str(lat),
            )
        out.append(
            f"| {lat * 1000:.0f} ms | {r['req_per_s']} | "
            f"{r['ideal_req_per_s']:.0f} | {r['ratio_to_ideal']} | "
            f"{r['p50_ms']} | {r['p99_ms']} | {r['cpu_us_per_req']} |"
        )
    return [*out, ""]


def rate_accuracy(rate: float, seconds: float) -> list[str]:
    """Scenario 3: client at R against a server at R, then at 2R."""
    out = [
        (
            f"### 3. Rate accuracy (server limit {rate:.0f} req/s, "
            f"{seconds:.0f} s each)"
        ),
        "",
        (
            "| client rate | achieved req/s (after 2 s) | error vs R | "
            "429s | limiter rate at end | converged after |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for client_rate in (rate, 2 * rate):
        with emulator("--rate-limit", str(rate)) as url:
            r = run_worker(
                "scenario_worker.py",
                "rate",
                url,
                str(seconds),
                str(client_rate),
            )
            stats = _stats(url)
        per = r["per_second"]
        steady = per[2:] or per
        achieved = sum(steady) / len(steady)
        conv = next(
            (
                i
                for i in range(len(per))
                if all(abs(x - rate) <= 0.1 * rate for x in per[i:-1])
            ),
            None,
        )
        out.append(
            f"| {client_rate:.0f} | {achieved:.1f} | "
            f"{(achieved - rate) / rate * 100:+.1f}% | "
            f"{stats.get('rate_limited', '?')} | {r['limiter_rate_at_end']} | "
            f"{'never' if conv is None else f'{conv} s'} |"
        )
    return [*out, ""]


def _stats(url: str) -> dict:
    import json  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    with urllib.request.urlopen(f"{url}/_emulator/stats") as resp:  # noqa: S310
        return json.loads(resp.read())


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
        "### 5. Per-request overhead in our code (best of 5, µs)",
        "",
        "| signing | request building | structuring | total |",
        "|---|---|---|---|",
        (
            f"| {r['sign_us']} | {r['build_us']} | {r['structure_us']} | "
            f"{r['total_us']} |"
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
    args = parser.parse_args()
    q = args.quick
    command = "python benchmarks/run.py" + (" --quick" if q else "")
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
    lines += ceiling(2000 if q else 20000, 64, 1 if q else 3)
    lines += latency_bound(400 if q else 8000, 200, [0.05, 0.2])
    lines += rate_accuracy(200, 4 if q else 30)
    lines += memory([2000, 10000] if q else [100_000, 1_000_000], 64)
    lines += overhead()
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
