"""
What a bulk registration tells its caller: outcomes, events, the report.

Strictly private; the public names are re-exported by
``maiu_async.bulk``.
"""

from __future__ import annotations

import enum

from typing import Protocol, TypeAlias

import attrs

from ..models import SkippedKey


__all__ = [
    "BulkEvent",
    "BulkReport",
    "EventHook",
    "Outcome",
    "OutcomeHook",
    "OutcomeStatus",
    "ReconcileFinished",
    "RetryScheduled",
    "SkippedKey",
]


class OutcomeStatus(enum.Enum):
    """
    What finally happened to one key.

    Attributes:
        REGISTERED: The key is an asset of the project (registered by
            this job, by an earlier run of the same journal, or found by
            reconciling an ambiguous failure).
        SKIPPED: Never sent: the key is invalid or repeats an earlier one
            of the input.
        FAILED: Not registered, and certainly not created by this job:
            the API refused it, or every attempt failed before the server
            could act on it.
        UNKNOWN: An attempt may have created the asset but this job could
            not find out (reconciling disabled, failed, or stopped).

    """

    REGISTERED = "registered"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class Outcome:
    """
    The final result for one input key.

    Attributes:
        key: The Object Storage key, as given.
        status: What happened to it.
        asset_id: The asset's id, for `OutcomeStatus.REGISTERED`.
        error: Why it was skipped, failed or is unknown; ``None`` when
            registered.
        attempts: Registration requests sent for this key (0 when it was
            skipped or already registered in the journal).
        latency: Seconds from its first attempt to this outcome.
        resumed: Registered by an earlier run, according to the journal.
        reconciled: Found in the project's asset list after an attempt
            whose answer was lost.

    """

    key: str
    status: OutcomeStatus
    asset_id: int | None = None
    error: str | None = None
    attempts: int = 0
    latency: float = 0.0
    resumed: bool = False
    reconciled: bool = False


@attrs.frozen(kw_only=True)
class RetryScheduled:
    """
    A key's registration failed and will be tried again.

    Attributes:
        key: The key.
        attempt: The attempt that failed, from 1.
        wait: Seconds until the next attempt.
        error: What went wrong.

    """

    key: str
    attempt: int
    wait: float
    error: str


@attrs.frozen(kw_only=True)
class ReconcileFinished:
    """
    A pass over the project's asset list, looking for ambiguous keys.

    Attributes:
        keys: Keys looked for.
        found: Keys found, hence registered.
        pages: List pages read.
        error: Why the pass failed, or ``None``.

    """

    keys: int
    found: int
    pages: int
    error: str | None = None


#: Every event record a bulk job reports through its *on_event* hook.
BulkEvent: TypeAlias = RetryScheduled | ReconcileFinished


class OutcomeHook(Protocol):
    """
    Called once per key with its final outcome.

    It runs on the event loop between requests: keep it quick, and do
    not block.  An exception stops the job and is raised by it.
    """

    def __call__(self, outcome: Outcome, /) -> None:
        """Receive one outcome."""


class EventHook(Protocol):
    """
    Called with each retry and reconcile event; the same rules apply.
    """

    def __call__(self, event: BulkEvent, /) -> None:
        """Receive one event."""


@attrs.frozen(kw_only=True)
class BulkReport:
    """
    The summary of a bulk registration.

    Every count covers the outcomes delivered, all of which are in the
    journal (when there is one) by the time the report exists.

    Attributes:
        registered: Keys registered (including `resumed` and
            `reconciled`).
        skipped: Keys never sent: invalid or duplicated in the input.
        failed: Keys certainly not registered.
        unknown: Keys that may or may not have been registered.
        resumed: Keys the journal already recorded as registered.
        reconciled: Keys found in the asset list after a lost answer.
        abandoned: Keys taken from the input but left unsent because the
            job was stopped; they have no outcome.
        requests: Registration requests sent.
        retries: Requests that repeated an earlier attempt.
        throttled: 429 answers received.
        reconcile_passes: Passes over the project's asset list.
        duration: Seconds the job ran.
        stopped: Whether the job was stopped before the input ran out.

    """

    registered: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    resumed: int = 0
    reconciled: int = 0
    abandoned: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    reconcile_passes: int = 0
    duration: float = 0.0
    stopped: bool = False

    @property
    def total(self) -> int:
        """Keys with an outcome."""
        return self.registered + self.skipped + self.failed + self.unknown

    @property
    def counts(self) -> dict[OutcomeStatus, int]:
        """Outcomes per status."""
        return {
            OutcomeStatus.REGISTERED: self.registered,
            OutcomeStatus.SKIPPED: self.skipped,
            OutcomeStatus.FAILED: self.failed,
            OutcomeStatus.UNKNOWN: self.unknown,
        }

    @property
    def rate(self) -> float:
        """The achieved rate: registration requests per second."""
        return self.requests / self.duration if self.duration > 0 else 0.0
