"""
What an import did: the counts, how it ended, its exit status.

Strictly private.
"""

from __future__ import annotations

import signal

from typing import TYPE_CHECKING, Final

import attrs

from maiu_async.models import ImportState

from ._errors import (
    EXIT_FAILURES,
    EXIT_NOTHING,
    EXIT_OK,
    exit_for_signal,
    failure_of,
)
from ._storage import skipped_by_reason


if TYPE_CHECKING:
    from pathlib import Path

    from maiu_async.bulk import BulkReport
    from maiu_async.storage import ListingStats


__all__ = ["EXAMPLES_PER_STATUS", "ImportSummary"]

#: Examples of keys that were not registered, kept per status for the
#: summary; the report file has them all.
EXAMPLES_PER_STATUS: Final = 3


@attrs.frozen(kw_only=True)
class ImportSummary:
    """
    What an import did, for the table, ``--json`` and the exit code.

    Attributes:
        signal: The signal that stopped the import, if one did.
        failure: The systemic failure that stopped it, if one did.
        waited: Whether the import waited for import statuses
            (``--wait``).

    Strictly private.
    """

    workspace: str
    project_id: int
    bucket: str
    total: int | None
    report: BulkReport
    report_path: Path | None
    journal_path: Path | None
    examples: tuple[tuple[str, str, str], ...]
    listing: ListingStats | None = None
    signal: int | None = None
    failure: Exception | None = None
    waited: bool = False

    @property
    def interrupted(self) -> bool:
        """Whether a signal stopped the import."""
        return self.signal is not None

    @property
    def nothing_sendable(self) -> bool:
        """Whether the input held no key that could be registered."""
        r = self.report
        return not (r.registered or r.failed or r.unknown)

    @property
    def exit_code(self) -> int:
        """
        The exit status; see ``maiu-async import --help``.

        The failure's code, 128 + the signal, 1 when keys failed (or,
        with ``--wait``, a key's import did not end ``COMPLETED``), 4 when
        nothing could be sent, else 0.
        """
        if self.failure is not None:
            return failure_of(self.failure)[0]
        if self.signal is not None:
            return exit_for_signal(self.signal)
        if self.report.failed or self.report.unknown:
            return EXIT_FAILURES
        if self.not_imported:
            return EXIT_FAILURES
        if self.nothing_sendable:
            return EXIT_NOTHING
        return EXIT_OK

    @property
    def not_imported(self) -> int:
        """
        Registered keys whose import did not end ``COMPLETED`` (waited).
        """
        if not self.waited:
            return 0
        r = self.report
        return r.registered - r.imports.get(ImportState.COMPLETED, 0)

    def import_counts(self) -> str:
        """The registered keys per import status, in words."""
        imports = self.report.imports
        return ", ".join(
            f"{imports[status]:,} {status.value}"
            for status in sorted(imports, key=_import_order)
        )

    @property
    def not_attempted(self) -> int | None:
        """Keys of the input without an outcome, if the total is known."""
        if self.total is None:
            return None
        return max(0, self.total - self.report.total)

    def examples_title(self) -> str:
        """The title of the examples of keys not registered."""
        if self.report_path is None:
            return (
                f"Not registered (at most {EXAMPLES_PER_STATUS} per status; "
                "--report PATH lists every key)"
            )
        return "Not registered (examples; every key is in the report)"

    def verdict(self) -> str:
        """The last line of the summary, in words."""
        r = self.report
        if self.failure is not None:
            return (
                f"Stopped by a systemic failure: {failure_of(self.failure)[1]}"
            )
        if self.signal is not None:
            return f"Interrupted ({_signal_name(self.signal)})."
        if r.failed or r.unknown:
            return f"{r.failed:,} failed, {r.unknown:,} unknown. " + (
                "The report says why for each key."
                if self.report_path is not None
                else "Pass --report PATH to see why for each key."
            )
        if self.not_imported:
            return (
                f"{self.not_imported:,} registered keys did not finish "
                f"importing ({self.import_counts()}). "
                + (
                    "The report gives each key's import_status."
                    if self.report_path is not None
                    else "Pass --report PATH to see each key's status."
                )
            )
        if self.nothing_sendable:
            what = (
                "the input holds no key"
                if not r.skipped
                else f"all {r.skipped:,} keys of the input were skipped"
            )
            return (
                f"Nothing to register: {what} (check the keys file or "
                "the prefix)."
            )
        done = "registered and imported" if self.waited else "registered"
        return f"Done: every valid key is {done}" + (
            f" ({r.skipped:,} skipped)." if r.skipped else "."
        )

    def as_json(self) -> dict[str, object]:
        """The summary as one JSON object (no secret is part of it)."""
        r = self.report
        listed: dict[str, object] = {}
        if self.listing is not None:
            listed = {
                "listed": self.listing.listed,
                "pages": self.listing.pages,
                "skipped_by_reason": skipped_by_reason(self.listing),
            }
        return {
            "workspace": self.workspace,
            "project_id": self.project_id,
            "bucket": self.bucket,
            "total_keys": self.total,
            "registered": r.registered,
            "skipped": r.skipped,
            "failed": r.failed,
            "unknown": r.unknown,
            "resumed": r.resumed,
            "reconciled": r.reconciled,
            "not_attempted": self.not_attempted,
            "requests": r.requests,
            "retries": r.retries,
            "rate_limited": r.throttled,
            "imports": {
                status.value: count
                for status, count in sorted(
                    r.imports.items(), key=lambda i: _import_order(i[0])
                )
            }
            if self.waited
            else None,
            "import_polls": r.polls,
            "duration_s": round(r.duration, 3),
            "rate_per_s": round(r.rate, 1),
            "interrupted": self.interrupted,
            "signal": None
            if self.signal is None
            else _signal_name(self.signal),
            "nothing_sendable": self.nothing_sendable,
            "error": None
            if self.failure is None
            else failure_of(self.failure)[1],
            "exit_code": self.exit_code,
            "report": None
            if self.report_path is None
            else str(self.report_path),
            "journal": None
            if self.journal_path is None
            else str(self.journal_path),
            **listed,
        }


def _import_order(status: ImportState) -> tuple[int, str]:
    # Known statuses in their documented order, any other after them.
    known = list(ImportState.__members__.values())
    return (known.index(status) if status in known else len(known), status)


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
