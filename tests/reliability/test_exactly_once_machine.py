"""
A stateful property: exactly once through jobs, stops and resumes.

A hypothesis `RuleBasedStateMachine` drives bulk jobs (whole, or stopped
part-way, then resumed from the same journal) against one emulator with
keyed faults (lost answers, unprocessed 500s and 502s; the same keys
fail on the same attempts whatever the arrival order) and one of the
list behaviours of issue 11.  After every step it checks the ledger:
server state against the latest outcome of each key and the journal.

Each example's emulator runs in a thread of its own, so that the
machine's rules (plain functions) can each run a job with `anyio.run`.
"""

from __future__ import annotations

import asyncio
import collections
import shutil
import tempfile
import threading

from pathlib import Path
from typing import Any

import anyio
import pytest

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient, RetryPolicy
from maiu_async.bulk import OutcomeStatus, ReconcilePolicy, stream_register
from maiu_async.emulator import Emulator, Faults


WS = "machine-ws"
BUCKET = "machine-bucket"
KEYS = [f"m/{i:03d}.mp4" for i in range(40)] + ["x/dup.mp4", "y/dup.mp4"]
RETRY = RetryPolicy(attempts=6, initial=0.001, maximum=0.005)
RECONCILE = ReconcilePolicy(
    delay=0.0, retry=RetryPolicy(attempts=10, initial=0.001, maximum=0.005)
)
BEHAVIOURS = [
    {},
    {"list_order": "descending"},
    {"list_page_cap": 7},
    {"list_order": "descending", "list_page_cap": 7},
    {"list_order": "unstable", "list_page_cap": 7},
    {"list_order": "created-ties", "list_page_cap": 7},
    {"file_name_style": "basename", "list_page_cap": 7},
]


class _Server:
    """An emulator serving from its own thread and event loop."""

    def __init__(self, **knobs: Any) -> None:
        self.emu = Emulator(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
        )
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> str:
        self._thread.start()
        self._ready.wait()
        return self.emu.url

    def stop(self) -> None:
        if self._loop is not None and self._done is not None:
            self._loop.call_soon_threadsafe(self._done.set)
        self._thread.join()

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._done = asyncio.Event()
        try:
            async with self.emu:
                self._ready.set()
                await self._done.wait()
        finally:
            self._ready.set()


class ExactlyOnce(RuleBasedStateMachine):
    """Jobs, stops and resumes; the ledger holds after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.server: _Server | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="maiu-machine-"))
        self.journal = self.folder / "job.journal"
        self.latest: dict[str, OutcomeStatus] = {}
        self.ids: dict[str, int | None] = {}

    @initialize(
        behaviour=st.sampled_from(BEHAVIOURS),
        seed=st.integers(0, 10_000),
        old=st.integers(0, len(KEYS)),
    )
    def start(self, behaviour: dict[str, Any], seed: int, old: int) -> None:
        """Start an emulator; the first *old* keys exist from elsewhere."""
        faults = Faults(
            lost_response=0.1, error_500=0.05, error_502=0.05, keyed=True
        )
        self.server = _Server(faults=faults, seed=seed, **behaviour)
        state = self.server.emu.state
        state.add_workspace(WS, BUCKET)
        self.project = state.add_project(WS, "machine").project_id
        for key in KEYS[:old]:
            state.add_asset(WS, self.project, key, "old-bucket")
        self.url = self.server.start()

    @rule(count=st.integers(1, len(KEYS)))
    def run_job(self, count: int) -> None:
        """A whole job over the first *count* keys reports every one."""
        keys = KEYS[:count]
        seen = anyio.run(self._job, keys, None)
        assert set(keys) == set(seen)

    @rule(after=st.integers(0, 10), count=st.integers(1, len(KEYS)))
    def stopped_job(self, after: int, count: int) -> None:
        """A job stopped after *after* outcomes."""
        anyio.run(self._job, KEYS[:count], after)

    async def _job(self, keys: list[str], stop_after: int | None) -> set[str]:
        seen: set[str] = set()
        outcomes = []
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=self.url
        ) as client:
            common: Any = {
                "bucket_name": BUCKET,
                "keys": keys,
                "journal": self.journal,
                "retry": RETRY,
                "reconcile": RECONCILE,
            }
            async with stream_register(
                client, WS, self.project, **common
            ) as stream:
                async for outcome in stream:
                    outcomes.append(outcome)
                    if stop_after is not None and len(outcomes) >= stop_after:
                        stream.stop()
        for outcome in outcomes:
            seen.add(outcome.key)
            if not outcome.resumed:
                self.latest[outcome.key] = outcome.status
                self.ids[outcome.key] = outcome.asset_id
        return seen

    @invariant()
    def ledger_holds(self) -> None:
        """No duplicate; outcomes and journal agree with the server."""
        if self.server is None:
            return
        ours = collections.defaultdict(list)
        for asset in self.server.emu.state.assets_of(WS, self.project):
            if asset.bucket_name == BUCKET:
                ours[asset.key].append(asset.asset_id)
        assert {} == {k: v for k, v in ours.items() if len(v) > 1}
        for key, status in self.latest.items():
            if status is OutcomeStatus.REGISTERED:
                assert [self.ids[key]] == ours[key]
            elif status is OutcomeStatus.FAILED:
                assert [] == ours[key]
        if self.journal.exists():
            for line in self.journal.read_text().splitlines()[1:]:
                fields = line.split("\t")
                if fields[0] == "R":
                    assert [int(fields[2])] == ours[fields[1]]

    def teardown(self) -> None:
        """Stop the emulator; remove the journal."""
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


TestExactlyOnce = ExactlyOnce.TestCase
TestExactlyOnce.settings = settings(
    max_examples=4, stateful_step_count=4, deadline=None
)


@pytest.mark.heavy
class TestExactlyOnceHeavy(ExactlyOnce.TestCase):
    """The same machine, longer and more often."""

    settings = settings(max_examples=60, stateful_step_count=12, deadline=None)
