"""
Instructions per request, counted by valgrind: a load-proof comparison.

    python benchmarks/instructions.py [--requests N] [--without PARTS]
        [--in-memory]

CPU time per request moves with the machine's load (other processes
evict the caches and share the cores); the number of instructions a
client executes per request does not.  This script runs the ceiling
scenario's client (``ceiling_worker.py``) under ``valgrind
--tool=callgrind`` against the fast server, warms it up (imports,
connections, code generation), then counts the instructions of *N*
requests only (``callgrind_control -i on``).  Repeated runs of
``register_many`` agree to about 0.01 %; raw's count moves by up to
3 % (its batching against the server varies), so compare the ratios of
one run.

With ``--without signing,validation,...`` the parts named are replaced
by constant stubs in ``register_many``'s process: the difference is
what they cost.  Parts: ``validation`` (the feeder's key check),
``signing``, ``answer`` (reading the answer), ``body`` (encoding it),
``limiter``, ``bookkeeping`` (outcomes, counters, the outcome hook),
``marks`` (the watermark).

Under valgrind a client runs about 50 times slower, so the server is
always ahead of it and each event-loop pass handles fewer requests than
at full speed: the counts compare variants, they do not predict req/s.
With ``--in-memory`` it counts ``register_many`` alone, over
``overhead.py``'s in-memory transport (``ceiling_worker.py``'s
``in_memory``): no server, no aiohttp, so only our code, and no
batching to move the count; ``--without`` stubs parts out of it too.

It needs valgrind (``callgrind_control`` included) on the PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from pathlib import Path

from _common import fast_server


HERE = Path(__file__).parent
COLLECTED = re.compile(r"Collected : (\d+)")
WARMUP = 300


def stub(parts: set[str]) -> None:
    """Replace *parts* of the engine by constant stubs (this process)."""
    if "validation" in parts:
        from maiu_async.bulk import _feeder  # noqa: PLC0415

        _feeder.skip_reason = lambda key: None if type(key) is str else "bad"
    if "signing" in parts:
        from maiu_async._signing import Signer  # noqa: PLC0415

        # The same four headers, constant: aiohttp's work on them stays.
        fixed = {
            "x-ncp-apigw-timestamp": "1700000000000",
            "x-ncp-iam-access-key": "a",
            "x-ncp-apigw-signature-v2": "s" * 44,
            "Content-Type": "application/json",
        }
        Signer.headers = lambda *_, **__: dict(fixed)  # type: ignore[method-assign]
    if "answer" in parts:
        from maiu_async import _client  # noqa: PLC0415

        envelope = {"code": "0", "result": {"assetId": 5}}
        _client.read_answer = lambda *_: envelope  # type: ignore[assignment]
    if "body" in parts:
        from maiu_async._resources import assets  # noqa: PLC0415

        body = b'{"key":"videos/clip-0000001.mp4","bucketName":"b"}'
        assets.key_body = lambda _: lambda _: body  # type: ignore[assignment]
    if "limiter" in parts:
        from maiu_async._scheduler import AdaptiveLimiter  # noqa: PLC0415

        AdaptiveLimiter.acquire_nowait = lambda _: 0.0  # type: ignore[method-assign]
        AdaptiveLimiter.succeeded = lambda *_: None  # type: ignore[method-assign]
    if "bookkeeping" in parts:
        from maiu_async.bulk._pipeline import Pipeline  # noqa: PLC0415

        def registered(self, *_, **__):  # type: ignore[no-untyped-def]
            self.outbox._admit.release()  # noqa: SLF001

        Pipeline.registered = registered  # type: ignore[method-assign]
    if "marks" in parts:
        from maiu_async.bulk._watermark import Marks  # noqa: PLC0415

        Marks.answered = lambda *_: None  # type: ignore[method-assign]


def child(variant: str, url: str, n: int, flag: Path, parts: set[str]) -> None:
    """Warm up, say so, wait for the counter to start, run *n* requests."""
    import ceiling_worker  # noqa: PLC0415

    stub(parts)
    run = ceiling_worker.VARIANTS[variant]
    asyncio.run(run(url, WARMUP, 64))
    flag.with_suffix(".ready").touch()
    go = flag.with_suffix(".go")
    while not go.exists():
        time.sleep(0.05)
    asyncio.run(run(url, n, 64))
    os._exit(0)  # nothing after the run is counted


def count(variant: str, url: str, n: int, parts: set[str]) -> float:
    """Instructions per request of *variant* (in a valgrind child)."""
    with tempfile.TemporaryDirectory() as tmp:
        flag = Path(tmp) / "flag"
        proc = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                __file__,
                "--child",
                variant,
                url,
                str(n),
                str(flag),
                ",".join(sorted(parts)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=HERE,
        )
        try:
            while not flag.with_suffix(".ready").exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"{variant} ended before its run")
                time.sleep(0.1)
            subprocess.run(
                ["callgrind_control", "-i", "on", str(proc.pid)],
                check=True,
                capture_output=True,
            )
            flag.with_suffix(".go").touch()
            _, err = proc.communicate(timeout=1800)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    match = COLLECTED.search(err.decode())
    if match is None:
        raise RuntimeError(f"no count from valgrind: {err.decode()[-500:]}")
    return int(match.group(1)) / n


def main() -> None:
    """Count raw's and register_many's instructions per request."""
    if sys.argv[1:2] == ["--child"]:
        variant, url, n, flag, parts = sys.argv[2:7]
        child(
            variant,
            url,
            int(n),
            Path(flag),
            set(filter(None, parts.split(","))),
        )
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--without", default="")
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args()
    parts = set(filter(None, args.without.split(",")))
    if args.in_memory:
        ours = count("in_memory", "", args.requests, set())
        figures = {"in_memory": round(ours)}
        if parts:
            less = count("in_memory", "", args.requests, parts)
            figures[f"without {','.join(sorted(parts))}"] = round(less)
        print(json.dumps(figures))
        return
    with fast_server() as url:
        raw = count("raw", url, args.requests, set())
        ours = count("register_many", url, args.requests, set())
        figures = {"raw": round(raw), "register_many": round(ours)}
        if parts:
            less = count("register_many", url, args.requests, parts)
            figures[f"without {','.join(sorted(parts))}"] = round(less)
    figures["ratio"] = round(ours / raw, 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
