"""
Fault storm: bulk registration while the emulator fails in every way.

The emulator injects, together, 5% each of 500, 502 and 503, 3% resets
before processing, 5% 429 with ``Retry-After``, 1% requests processed
whose answer is lost, plus latency jitter.  Afterwards the emulator's
state is compared to the input key by key: every key is registered
exactly once or reported as failed / unknown, none twice, none missing
from both.

Sizes: 1,500 keys by default (each fault kind still meets dozens of
requests); 20,000 and 100,000 with ``-m heavy``.
"""

from __future__ import annotations

import collections

import attrs
import pytest

from reliability_support import (
    BUCKET,
    FAILED,
    REGISTERED,
    SKIPPED,
    STORM,
    STORM_RECONCILE,
    STORM_RETRY,
    UNKNOWN,
    WORKSPACE,
    Ledger,
    held_assets,
    journal_states,
    reconcile_ledger,
    storm_keys,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import ConnectionLimits, MaiuClient
from maiu_async.bulk import (
    BulkReport,
    Outcome,
    register_many,
    stream_register,
)
from maiu_async.bulk._report import clip
from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio

#: Invalid keys mixed into the input: reported skipped, never sent.
INVALID = ["", "folder/", "notes.txt", "no-extension", "x" * 1100 + ".mp4"]
_TAGS = {REGISTERED: "R", FAILED: "F", UNKNOWN: "U", SKIPPED: "S"}


def storm_input(count: int) -> tuple[list[str], list[str]]:
    """The valid keys, and the input: those plus repeats and invalid keys."""
    keys = storm_keys(count)
    repeats = keys[:: max(1, count // 20)]
    return keys, [*keys, *repeats, *INVALID]


@attrs.frozen
class Storm:
    """What one storm left behind."""

    emu: Emulator
    project_id: int
    keys: list[str]
    feed: list[str]
    outcomes: list[Outcome]
    report: BulkReport

    def ledger(self) -> Ledger:
        """The input against the emulator's state and the outcomes."""
        held = held_assets(self.emu, WORKSPACE, self.project_id)
        return reconcile_ledger(self.keys, self.outcomes, held)


async def storm(count: int, seed: int, **options) -> Storm:
    """Register *count* keys (plus repeats and invalid keys) in a storm."""
    keys, feed = storm_input(count)
    outcomes: list[Outcome] = []
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        faults=STORM,
        latency=0.0005,
        jitter=0.002,
        seed=seed,
    ) as emu:
        emu.state.add_workspace(WORKSPACE, BUCKET)
        project_id = emu.state.add_project(WORKSPACE, "storm").project_id
        async with MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            endpoint=emu.url,
            limits=ConnectionLimits(max_connections=128),
        ) as client:
            report = await register_many(
                client,
                WORKSPACE,
                project_id,
                bucket_name=BUCKET,
                keys=feed,
                concurrency=64,
                retry=STORM_RETRY,
                on_result=outcomes.append,
                **options,
            )
    return Storm(emu, project_id, keys, feed, outcomes, report)


@pytest.mark.parametrize(
    ("count", "seed"),
    [
        pytest.param(1_500, 1, id="1.5k"),
        pytest.param(20_000, 2, id="20k", marks=pytest.mark.heavy),
        pytest.param(100_000, 3, id="100k", marks=pytest.mark.heavy),
    ],
)
async def test_storm_registers_each_key_once_or_reports_it(
    tmp_path, count, seed
):
    """Under the full storm every key is done once or reported, none lost."""
    journal = tmp_path / "storm.journal"

    run = await storm(count, seed, journal=journal, reconcile=STORM_RECONCILE)

    ledger = run.ledger()
    stats = run.emu.stats
    print(  # noqa: T201 -- the numbers RELIABILITY.md quotes (-s)
        f"\nstorm {count}: {ledger.by_status} faults={stats.faults} "
        f"requests={stats.requests} reconciled={run.report.reconciled} "
        f"passes={run.report.reconcile_passes} "
        f"unknown_present={ledger.unknown_present} "
        f"duration={run.report.duration:.1f}s"
    )
    assert dict.fromkeys(ledger.flaws, 0) == ledger.flaws
    assert [] == [kind for kind, n in stats.faults.items() if n == 0]
    assert (count, len(run.feed) - count) == (ledger.keys, run.report.skipped)
    assert stats.assets_created == (
        run.report.registered + ledger.unknown_present
    )
    assert run.report.reconciled > 0
    final = {
        o.key: _TAGS[o.status] for o in run.outcomes if o.status is not SKIPPED
    }
    journaled = journal_states(journal)
    assert final == {k: v for k, v in journaled.items() if v != "S"}


async def test_storm_without_reconciling_reports_unknowns():
    """With reconciling off, ambiguous keys are reported unknown, not lost."""
    run = await storm(1_500, 4, reconcile=None)

    ledger = run.ledger()
    print(  # noqa: T201 -- the numbers RELIABILITY.md quotes (-s)
        f"\nstorm no-reconcile: {ledger.by_status} "
        f"unknown_present={ledger.unknown_present} "
        f"faults={run.emu.stats.faults}"
    )
    assert dict.fromkeys(ledger.flaws, 0) == ledger.flaws
    assert run.report.unknown > 0
    assert ledger.unknown_present > 0
    assert run.emu.stats.assets_created == (
        run.report.registered + ledger.unknown_present
    )


async def test_storm_through_the_stream_form():
    """stream_register under the storm keeps the same promise."""
    keys, feed = storm_input(1_500)
    outcomes: list[Outcome] = []
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        faults=STORM,
        latency=0.0005,
        jitter=0.002,
        seed=5,
    ) as emu:
        emu.state.add_workspace(WORKSPACE, BUCKET)
        project_id = emu.state.add_project(WORKSPACE, "stream").project_id
        async with (
            MaiuClient(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
            ) as client,
            stream_register(
                client,
                WORKSPACE,
                project_id,
                bucket_name=BUCKET,
                keys=feed,
                retry=STORM_RETRY,
                reconcile=STORM_RECONCILE,
            ) as stream,
        ):
            outcomes.extend([outcome async for outcome in stream])

    ledger = reconcile_ledger(
        keys, outcomes, held_assets(emu, WORKSPACE, project_id)
    )
    assert dict.fromkeys(ledger.flaws, 0) == ledger.flaws
    assert len(feed) == len(outcomes) == stream.report.total
    # A key too long to be one is echoed shortened (issue 13).
    assert collections.Counter(map(clip, feed)) == collections.Counter(
        o.key for o in outcomes
    )
