"""
What a bulk registration tells its caller: outcomes, events, the report.

Strictly private; the public names are re-exported by
``maiu_async.bulk``.
"""

from __future__ import annotations

import enum

from typing import Final, Protocol, TypeAlias

import attrs

from ..models import ImportState, SkippedKey


__all__ = [
    "ECHO_LIMIT",
    "BulkEvent",
    "BulkReport",
    "EventHook",
    "Outcome",
    "OutcomeHook",
    "OutcomeStatus",
    "ReconcileFinished",
    "RetryScheduled",
    "SkippedKey",
    "clip",
]

#: The longest text an outcome echoes whole (a key or an error).  Keys
#: longer than this many characters are over the 1024-byte limit of
#: Object Storage keys, so no key that can be sent is ever shortened.
ECHO_LIMIT: Final = 1024
#: How much of a longer text is kept, followed by its length.
_ECHO_KEEP: Final = 200


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """
    Return *text*, or its start and its length if longer than *limit*.

    Outcomes, journal lines, events and reports echo what they are given;
    a 100 MB input line must not be copied into each of them.

    Strictly private.
    """
    if len(text) <= limit:
        return text
    return f"{text[: min(limit, _ECHO_KEEP)]}... ({len(text)} characters)"


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
        NOT_ATTEMPTED: Never sent: the job stopped (Ctrl-C, `Job.stop`, or
            a failure that stops every key) before this key reached the
            server.  Certainly not registered by this job; a rerun with
            the same journal sends it.

    .. versionchanged:: 26.1.0 *NOT_ATTEMPTED*.

    """

    REGISTERED = "registered"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_ATTEMPTED = "not_attempted"


@attrs.frozen(kw_only=True)
class Outcome:
    """
    The final result for one input key.

    Attributes:
        key: The Object Storage key, as given; a key too long to be one
            (over 1024 characters) is shortened to its start and its
            length.
        status: What happened to it.
        asset_id: The asset's id, for `OutcomeStatus.REGISTERED`.
        error: Why it was skipped, failed, is unknown or was not
            attempted; ``None`` when registered.  Long texts are shortened
            to their start and their length.
        attempts: Registration requests sent for this key (0 when it was
            skipped or already registered in the journal).
        latency: Seconds from its first attempt to this outcome.
        resumed: Registered by an earlier run, according to the journal.
        reconciled: Found in the project's asset list after an attempt
            whose answer was lost.
        import_status: Where the asset's import ended, when the job
            waited for it (`BulkOptions.wait`): a final `ImportState`,
            or ``IN_PROGRESS`` if waiting ended first (timeout, stop);
            ``None`` when not waited for.
        import_message: The service's message for *import_status*, or
            why waiting ended before it was final.

    .. versionchanged:: 26.1.0 *import_status* and *import_message*.

    """

    key: str
    status: OutcomeStatus
    asset_id: int | None = None
    error: str | None = None
    attempts: int = 0
    latency: float = 0.0
    resumed: bool = False
    reconciled: bool = False
    import_status: ImportState | None = None
    import_message: str | None = None


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
        not_attempted: Keys taken from the input but never sent because
            the job stopped (`OutcomeStatus.NOT_ATTEMPTED`).
        resumed: Keys the journal already recorded as registered.
        reconciled: Keys found in the asset list after a lost answer.
        requests: Registration requests sent.
        retries: Requests that repeated an earlier attempt.
        throttled: 429 answers received.
        reconcile_passes: Passes over the project's asset list.
        duration: Seconds the job ran.
        stopped: Whether the job was stopped before the input ran out.
        imports: Registered keys per import status, when the job waited
            for imports (`BulkOptions.wait`); empty otherwise.
        polls: Import-status requests sent.

    .. versionchanged:: 26.1.0 *not_attempted* (keys left unsent now have
       an outcome); *abandoned* is its deprecated alias; *imports* and
       *polls*.

    """

    registered: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    not_attempted: int = 0
    resumed: int = 0
    reconciled: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    reconcile_passes: int = 0
    duration: float = 0.0
    stopped: bool = False
    imports: dict[ImportState, int] = attrs.field(factory=dict)
    polls: int = 0

    @property
    def all_imported(self) -> bool:
        """
        Whether every key that could be sent ended imported.

        True when every key taken from the input, skipped keys aside,
        is registered with import status ``COMPLETED``.  Only meaningful
        when the job waited for imports.
        """
        sendable = self.total - self.skipped
        return sendable == self.imports.get(ImportState.COMPLETED, 0)

    @property
    def total(self) -> int:
        """Keys with an outcome (every key taken from the input)."""
        return (
            self.registered
            + self.skipped
            + self.failed
            + self.unknown
            + self.not_attempted
        )

    @property
    def abandoned(self) -> int:
        """
        Deprecated alias of `not_attempted`.

        .. deprecated:: 0.2.0 Use `not_attempted`.
        """
        return self.not_attempted

    @property
    def counts(self) -> dict[OutcomeStatus, int]:
        """Outcomes per status."""
        return {
            OutcomeStatus.REGISTERED: self.registered,
            OutcomeStatus.SKIPPED: self.skipped,
            OutcomeStatus.FAILED: self.failed,
            OutcomeStatus.UNKNOWN: self.unknown,
            OutcomeStatus.NOT_ATTEMPTED: self.not_attempted,
        }

    @property
    def rate(self) -> float:
        """The achieved rate: registration requests per second."""
        return self.requests / self.duration if self.duration > 0 else 0.0
