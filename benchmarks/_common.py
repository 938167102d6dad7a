"""
Shared helpers for the benchmark scripts: servers, measurement, output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

from pathlib import Path
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from collections.abc import Iterator

    from maiu_async import MaiuClient
    from maiu_async.emulator import Emulator


HERE = Path(__file__).parent
ACCESS_KEY = "BENCHACCESSKEY"
SECRET_KEY = "bench-secret-key"
LISTEN = re.compile(rb"listening on (http://\S+)")
#: The workspace and bucket of the in-process scenarios.
WS, BUCKET = "bench-ws", "bench-bucket"


@contextlib.contextmanager
def server(*argv: str) -> Iterator[str]:
    """Start a server subprocess, yield its URL, stop it."""
    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = LISTEN.search(line)
        if not match:
            raise RuntimeError(f"server did not start: {line!r}")
        yield match.group(1).decode()
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def fast_server(*flags: str) -> contextlib.AbstractContextManager[str]:
    """The minimal asyncio server of fast_server.py."""
    return server(str(HERE / "fast_server.py"), *flags)


def emulator(*flags: str) -> contextlib.AbstractContextManager[str]:
    """The bundled emulator, as its own process."""
    return server(
        "-m",
        "maiu_async.emulator",
        "--port",
        "0",
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
        *flags,
    )


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def summary(
    n: int, elapsed: float, cpu: float, latencies: list[float]
) -> dict[str, Any]:
    """The figures every scenario reports."""
    lat = sorted(latencies)

    def pct(q: float) -> float:
        if not lat:
            return float("nan")
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000

    return {
        "n": n,
        "seconds": round(elapsed, 3),
        "req_per_s": round(n / elapsed, 1) if elapsed else None,
        "p50_ms": round(pct(0.50), 2),
        "p99_ms": round(pct(0.99), 2),
        "cpu_s": round(cpu, 2),
        "cpu_us_per_req": round(cpu / n * 1e6, 1) if n else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
    }


def run_worker(script: str, *args: str) -> dict[str, Any]:
    """Run a worker script in a fresh process and return its JSON line."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True,
        check=False,
        env=env,
        timeout=1800,
    )
    if out.returncode != 0:
        raise RuntimeError(
            f"{script} {' '.join(args)} failed:\n{out.stderr.decode()[-3000:]}"
        )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def clock() -> float:
    """Monotonic seconds."""
    return time.perf_counter()


def seeded_emulator(**knobs: Any) -> tuple[Emulator, int]:
    """
    An in-process emulator (not yet open) with the workspace ``WS`` and a
    project in it; the emulator and the project's id.
    """
    from maiu_async.emulator import Emulator  # noqa: PLC0415

    emu = Emulator(access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs)
    emu.state.add_workspace(WS, BUCKET)
    return emu, emu.state.add_project(WS, "bench").project_id


def client_of(emu: Emulator) -> MaiuClient:
    """A client (not yet open) of the in-process *emu*."""
    from maiu_async import MaiuClient  # noqa: PLC0415

    return MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
    )
