"""
Memory depends on concurrency, not on how many keys there are.

Each run is a fresh process (through a scripted client, so that the
pipeline, not a server, is measured), and its peak RSS is read back.
"""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

import pytest


WORKER = Path(__file__).with_name("memory_worker.py")
LIMIT = 100 * 1024 * 1024


def peak_rss(count: int, *args: str) -> int:
    """Run the worker over *count* keys; return its peak RSS in bytes."""
    done = subprocess.run(
        [sys.executable, str(WORKER), str(count), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=WORKER.parent,
    )
    registered, peak = map(int, done.stdout.split())
    assert count == registered
    return peak


def test_200k_keys_stay_far_below_100_mb():
    """A 200,000-key job peaks well under the 100 MB budget."""
    assert peak_rss(200_000) < LIMIT * 0.7


@pytest.mark.heavy
@pytest.mark.parametrize("journal", [False, True], ids=["plain", "journal"])
def test_a_million_keys_run_in_under_100_mb(tmp_path, journal):
    """1,000,000 keys, with or without a journal, peak under 100 MB."""
    args = [str(tmp_path / "million.journal")] if journal else []

    assert peak_rss(1_000_000, *args) < LIMIT
