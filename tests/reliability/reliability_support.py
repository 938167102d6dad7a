"""
Helpers of the reliability suite: fault mixes, accounting, subprocesses.

A module with a unique name, like ``testkeys`` (``from conftest import
...`` would pick whichever conftest pytest loaded last).  The
credentials are the suite-wide ones of ``testkeys``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import socket
import sys

from typing import TYPE_CHECKING

import anyio
import attrs

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import RetryPolicy
from maiu_async.bulk import Outcome, OutcomeStatus, ReconcilePolicy
from maiu_async.emulator import EmulatorState, Faults


if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Callable,
        Iterable,
        Iterator,
    )
    from pathlib import Path
    from typing import IO

    import pytest

    from anyio.abc import Process

    from maiu_async.emulator import Emulator


WORKSPACE = "storm-ws"
BUCKET = "storm-bucket"

#: The issue's storm: 5% each of 500/502/503, 3% resets before
#: processing, 5% 429 with Retry-After, 1% processed-but-answer-lost.
STORM = Faults(
    error_500=0.05,
    error_502=0.05,
    error_503=0.05,
    reset=0.03,
    rate_limited=0.05,
    retry_after=0.05,
    lost_response=0.01,
)

#: Patient but quick retries: a key fails only after 8 faulted attempts.
STORM_RETRY = RetryPolicy(
    attempts=8, initial=0.005, maximum=0.05, max_retry_after=0.1
)
#: Reconciling at once (the emulator applies a lost request before it
#: drops the connection), with list pages retried through the storm.
STORM_RECONCILE = ReconcilePolicy(
    delay=0.0,
    retry=RetryPolicy(attempts=20, initial=0.005, maximum=0.05),
)

REGISTERED = OutcomeStatus.REGISTERED
SKIPPED = OutcomeStatus.SKIPPED
FAILED = OutcomeStatus.FAILED
UNKNOWN = OutcomeStatus.UNKNOWN


def storm_keys(count: int, prefix: str = "storm/clip") -> list[str]:
    """*count* distinct, valid keys."""
    return [f"{prefix}-{i:07d}.mp4" for i in range(count)]


@attrs.frozen
class Ledger:
    """
    The input set against the server's state and the job's outcomes.

    Attributes:
        keys: Distinct valid keys of the input.
        by_status: Outcomes per status.
        duplicates: Keys the server holds more than once.
        missing: Keys neither on the server nor reported as not done.
        wrong: Outcomes contradicting the server (registered but absent
            or under another id, failed but present).
        strangers: Keys on the server that the input never had.
        unreported: Keys of the input without an outcome.
        twice_reported: Keys with more than one outcome.
        unknown_present: Unknown keys the server does hold (once).

    """

    keys: int
    by_status: dict[str, int]
    duplicates: int
    missing: int
    wrong: int
    strangers: int
    unreported: int
    twice_reported: int
    unknown_present: int

    @property
    def flaws(self) -> dict[str, int]:
        """Every count that must be zero."""
        return {
            "duplicates": self.duplicates,
            "missing": self.missing,
            "wrong": self.wrong,
            "strangers": self.strangers,
            "unreported": self.unreported,
            "twice_reported": self.twice_reported,
        }


def _verdict(outcome: Outcome | None, ids: list[int]) -> str:
    """How one key's outcome squares with the assets held for it."""
    if outcome is None:
        return "unreported-absent" if not ids else "unreported"
    status = outcome.status
    if status is REGISTERED:
        if not ids:
            return "missing"
        return "ok" if outcome.asset_id in ids else "wrong"
    if status is UNKNOWN:
        return "unknown-present" if ids else "ok"
    # Failed means certainly not created; skipped means never sent.
    return "wrong" if ids else "ok"


def reconcile_ledger(
    valid_keys: Iterable[str],
    outcomes: Iterable[Outcome],
    held: dict[str, list[int]],
) -> Ledger:
    """
    Check the exactly-once promise key by key.

    *held* maps each key to the ids of the assets the server holds for
    it.
    """
    wanted = set(valid_keys)
    # A repeated key of the input is skipped as a duplicate, so only the
    # outcomes other than skipped must be one per key.
    seen: dict[str, Outcome] = {}
    twice = 0
    for outcome in outcomes:
        earlier = seen.get(outcome.key)
        if earlier is None or earlier.status is SKIPPED:
            seen[outcome.key] = outcome
        elif outcome.status is not SKIPPED:
            twice += 1
    verdicts = collections.Counter(
        _verdict(seen.get(key), held.get(key, [])) for key in wanted
    )
    by_status = collections.Counter(o.status.value for o in seen.values())
    return Ledger(
        keys=len(wanted),
        by_status=dict(by_status),
        duplicates=sum(len(ids) > 1 for ids in held.values()),
        missing=verdicts["missing"] + verdicts["unreported-absent"],
        wrong=verdicts["wrong"],
        strangers=len(held.keys() - wanted),
        unreported=verdicts["unreported"] + verdicts["unreported-absent"],
        twice_reported=twice,
        unknown_present=verdicts["unknown-present"],
    )


def held_assets(
    emu: Emulator, workspace: str, project_id: int
) -> dict[str, list[int]]:
    """The asset ids the emulator holds, per key."""
    held: dict[str, list[int]] = collections.defaultdict(list)
    for asset in emu.state.assets_of(workspace, project_id):
        held[asset.key].append(asset.asset_id)
    return dict(held)


# -- journals ---------------------------------------------------------------


def _field(text: str) -> str:
    return json.loads(text) if text.startswith('"') else text


def journal_states(path: Path) -> dict[str, str]:
    """
    The last record tag (P, R, F, U, S, N) of every key in a journal.

    A torn last line (no newline) is ignored, as the engine does.
    """
    states: dict[str, str] = {}
    lines = path.read_bytes().split(b"\n")[1:-1]
    for raw in lines:
        fields = raw.decode("utf-8", "surrogatepass").split("\t")
        if fields[0] == "W":  # a run's watermark, not a key's record
            continue
        key = _field(fields[1])
        if fields[0] != "S" or key not in states:
            states[key] = fields[0]
    return states


# -- subprocesses -----------------------------------------------------------


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment minus credentials and endpoints, HOME elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NCLOUD_", "MAIU_"))
    }
    env.update(HOME=str(home), COLUMNS="200", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def cli_env(home: Path, url: str, secret: str = SECRET_KEY) -> dict[str, str]:
    """What a user sets to run the CLI against *url*."""
    return child_env(
        home,
        NCLOUD_ACCESS_KEY_ID=ACCESS_KEY,
        NCLOUD_SECRET_ACCESS_KEY=secret,
        MAIU_ENDPOINT=url,
    )


def cli_argv(*args: str) -> list[str]:
    """The argv that runs ``maiu-async`` with *args*."""
    return [sys.executable, "-m", "maiu_async.cli", *args]


@contextlib.asynccontextmanager
async def running(
    argv: list[str],
    *,
    env: dict[str, str],
    stdout: IO[bytes] | int | None = None,
    stderr: IO[bytes] | int | None = None,
) -> AsyncIterator[Process]:
    """
    Start *argv*; whatever happens, kill it if it still runs, and reap it.

    Every subprocess of the suite runs inside this (or inside
    ``anyio.run_process``, which does the same), so a failed assertion or
    a failure guard firing never leaves a child behind.
    """
    process = await anyio.open_process(
        argv, env=env, stdout=stdout, stderr=stderr
    )
    try:
        yield process
    finally:
        with anyio.CancelScope(shield=True):
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            await process.wait()
            await process.aclose()


@attrs.define
class Tripwire:
    """
    Counts the assets an emulator creates; acts when a count is reached.

    Installed on `maiu_async.emulator.EmulatorState.add_asset` by the
    ``tripwire`` fixture.  The action runs inside the emulator, after the
    asset exists and before its answer is sent, so a client killed there
    has certainly not finished and has lost that answer: a point in a run
    defined by progress, not by the clock.

    Attributes:
        created: Assets created so far.
        goal: The count at which the armed action runs (and is
            disarmed); 0 when nothing is armed.

    """

    created: int = 0
    goal: int = 0
    _action: Callable[[], object] | None = None

    def arm(self, more: int, action: Callable[[], object]) -> None:
        """Run *action* once *more* assets have been created."""
        self.goal = self.created + more
        self._action = action

    def disarm(self) -> None:
        """Forget the pending action, if any."""
        self.goal = 0
        self._action = None

    def note(self) -> None:
        """Count one asset; act if the goal is reached."""
        self.created += 1
        action = self._action
        if action is not None and self.created >= self.goal:
            self.disarm()
            action()


def install_tripwire(monkeypatch: pytest.MonkeyPatch) -> Tripwire:
    """Count every asset any emulator creates, for as long as a test runs."""
    tripwire = Tripwire()
    add_asset = EmulatorState.add_asset

    def counting(self: EmulatorState, *args: object, **kwargs: object):
        asset = add_asset(self, *args, **kwargs)
        tripwire.note()
        return asset

    monkeypatch.setattr(EmulatorState, "add_asset", counting)
    return tripwire


@contextlib.contextmanager
def refusing_url() -> Iterator[str]:
    """
    The URL of a loopback port where connections are refused.

    The port is bound but not listening while the context lasts, so no
    other server can take it meanwhile (a port freed by a closed server
    could be reused by anything on the machine).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
