"""
Crash and resume: ``maiu-async import`` SIGKILLed at random points.

The CLI runs as a subprocess against the in-process emulator (with a few
lost answers, resets and 503s), is killed with SIGKILL at seeded random
points (during start-up, or from inside the emulator as it creates a
random number of the assets still missing, so the run cannot have
finished and has lost that answer), its journal is sometimes torn the
way a crash tears it, and it is rerun with the same journal until it
finishes.  At the end the emulator
holds every key exactly once.

Sizes: 1,000 keys and 3 kills by default; 20,000 keys and 8 kills with
``-m heavy``.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal

from typing import TYPE_CHECKING, Any

import anyio
import attrs
import pytest

from reliability_support import (
    BUCKET,
    WORKSPACE,
    Tripwire,
    cli_argv,
    cli_env,
    held_assets,
    install_tripwire,
    journal_states,
    running,
    storm_keys,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.emulator import Emulator, Faults


if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from anyio.abc import Process


pytestmark = pytest.mark.anyio

#: Enough trouble that killed runs leave keys to reconcile.
CRASH_FAULTS = Faults(error_503=0.02, reset=0.01, lost_response=0.02)
#: A failure guard: a CLI run taking this long is hung, not slow.
RUN_LIMIT = 240.0


def record_count(journal: Path) -> int:
    """Complete records in the journal (header excluded), 0 if absent."""
    try:
        return max(0, journal.read_bytes().count(b"\n") - 1)
    except FileNotFoundError:
        return 0


def tear(journal: Path, rng: random.Random) -> str:
    """
    Damage the journal's end as a crash mid-write would; say how.

    Only ever a torn *last* write: the engine fsyncs reservations before
    it sends, so a crash cannot lose a complete line that was acted on.
    """
    if not journal.exists():
        return "absent"
    how = rng.choice(["none", "torn-record", "torn-utf8", "chopped"])
    data = journal.read_bytes()
    if how == "torn-record":
        journal.write_bytes(data + b"R\tstorm/clip-00")
    elif how == "torn-utf8":
        journal.write_bytes(data + b'P\t"storm/\xe2\x82')
    elif how == "chopped":
        body = data.rstrip(b"\n")
        start = body.rfind(b"\n") + 1
        if start == 0 or body[start : start + 1] == b"P":
            # The header, or a reservation acted on: not ours to tear.
            return "none"
        journal.write_bytes(data[: start + rng.randint(1, len(body) - start)])
    return how


@attrs.define
class Importer:
    """Runs ``maiu-async import`` on one keys file and one journal."""

    argv: list[str]
    env: dict[str, str]
    logs: Path
    runs: int = 0

    @contextlib.asynccontextmanager
    async def start(self) -> AsyncIterator[tuple[Process, Path, Path]]:
        """Run once; yield the process and the files of its stdout, stderr."""
        self.runs += 1
        out = self.logs / f"out-{self.runs}"
        err = self.logs / f"err-{self.runs}"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            async with running(
                self.argv, env=self.env, stdout=stdout, stderr=stderr
            ) as process:
                yield process, out, err

    async def run_and_kill(
        self, rng: random.Random, tripwire: Tripwire, missing: int
    ) -> str:
        """
        Start a run and SIGKILL it at a random point; say which.

        *missing* counts the keys the server does not hold yet; each will
        be created once, by this run or by a request of a killed run that
        is still being handled.  The kill comes as the emulator creates
        a random number of them, at most half, so the run cannot have
        finished; a quarter of the runs are killed earlier if a random
        delay (start-up) ends first.  Nothing missing: killed at once.
        """
        more = rng.randint(1, max(1, missing // 2))
        delay = rng.uniform(0.0, 1.0) if rng.random() < 0.25 else None
        when = ["at start"]
        started: list[Process] = []

        def kill(how: str) -> None:
            # Before the start, the run is killed as soon as it starts.
            if started and started[0].returncode is None:
                when[0] = how
                started[0].kill()

        # Armed before anything awaits, so every creation from here on
        # counts, whichever run's request it answers.
        tripwire.arm(more, lambda: kill(f"at {tripwire.created} created"))
        try:
            async with self.start() as (process, _, _):
                started.append(process)
                if not missing or tripwire.created >= tripwire.goal:
                    kill("at start")
                with anyio.fail_after(RUN_LIMIT):
                    if delay is not None:
                        with anyio.move_on_after(delay):
                            await process.wait()
                        kill(f"after {delay:.2f}s")
                    await process.wait()
        finally:
            tripwire.disarm()
        assert -signal.SIGKILL == process.returncode
        return when[0]

    async def finish(self) -> tuple[list[int | None], dict[str, Any]]:
        """Rerun until a run succeeds (3 at most): exit codes, summary."""
        codes: list[int | None] = []
        for _ in range(3):
            async with self.start() as (process, out, err):
                with anyio.fail_after(RUN_LIMIT):
                    await process.wait()
            codes.append(process.returncode)
            assert "Traceback" not in err.read_text()
            if process.returncode == 0:
                break
        return codes, json.loads(out.read_text())


@pytest.mark.parametrize(
    ("count", "kills", "seed"),
    [
        pytest.param(1_000, 3, 7, id="1k-3kills"),
        pytest.param(20_000, 8, 8, id="20k-8kills", marks=pytest.mark.heavy),
    ],
)
async def test_sigkilled_import_resumes_to_exactly_once(
    monkeypatch, tmp_path, count, kills, seed
):
    """Killed at random points, torn, rerun: each key is registered once."""
    tripwire = install_tripwire(monkeypatch)
    rng = random.Random(seed)
    keys = storm_keys(count)
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("".join(f"{k}\n" for k in keys), encoding="utf-8")
    journal = tmp_path / "import.journal"
    report = tmp_path / "report.jsonl"
    history: list[tuple[str, int, str]] = []
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        faults=CRASH_FAULTS,
        latency=0.001,
        jitter=0.002,
        seed=seed,
    ) as emu:
        emu.state.add_workspace(WORKSPACE, BUCKET)
        project_id = emu.state.add_project(WORKSPACE, "crash").project_id
        importer = Importer(
            argv=cli_argv(
                *("import", "--workspace", WORKSPACE, "--bucket", BUCKET),
                *("--project-id", str(project_id)),
                *("--keys-file", str(keys_file), "--journal", str(journal)),
                *("--report", str(report), "--json"),
                # A killed run's requests all reached the emulator, which
                # processes at once: nothing can land late.
                *("--reconcile-delay", "0"),
            ),
            env=cli_env(tmp_path, emu.url),
            logs=tmp_path,
        )
        for _ in range(kills):
            missing = count - len(held_assets(emu, WORKSPACE, project_id))
            when = await importer.run_and_kill(rng, tripwire, missing)
            history.append((when, record_count(journal), tear(journal, rng)))
            held = held_assets(emu, WORKSPACE, project_id)
            assert [] == [k for k, ids in held.items() if len(ids) > 1]
        codes, summary = await importer.finish()
        held = held_assets(emu, WORKSPACE, project_id)

    print(  # noqa: T201 -- the numbers RELIABILITY.md quotes (-s)
        f"\ncrash {count}: kills={history} final codes={codes} "
        f"resumed={summary['resumed']} "
        f"reconciled={summary['reconciled']} faults={emu.stats.faults}"
    )
    assert 0 == codes[-1]
    assert dict.fromkeys(keys, 1) == {k: len(ids) for k, ids in held.items()}
    assert (count, 0, 0) == (
        summary["registered"],
        summary["failed"],
        summary["unknown"],
    )
    assert count == emu.stats.assets_created
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert {k: held[k][0] for k in keys} == {
        line["key"]: line["asset_id"] for line in lines
    }
    assert (count, {"registered"}) == (
        len(lines),
        {line["status"] for line in lines},
    )
    assert dict.fromkeys(keys, "R") == journal_states(journal)


def test_tear_never_drops_a_reservation(tmp_path):
    """The tearing helper leaves complete reservation lines alone."""
    journal = tmp_path / "j"
    journal.write_bytes(b'{"format": 1}\nP\ta.mp4\nP\tb.mp4\n')
    for seed in range(20):
        tear(journal, random.Random(seed))
        assert journal.read_bytes().startswith(
            b'{"format": 1}\nP\ta.mp4\nP\tb.mp4\n'
        )
