"""
The journal of a bulk analysis: its line format over `Journal`.

The file handling (header, lock, torn tail, fsync) is ``_journal``'s; the
header's ``kind`` is ``analysis``, so neither job opens the other's
journal.  Lines (tab-separated, newline-terminated)::

    P <asset id> <status> <index id>      reserved: may be requested from
                                          now on; the analysis status read
                                          just before (the baseline)
    A <asset id> <attempts>               requested
    D <asset id> <status> <index id>      requested, and waited for: the
                                          analysis ended with <status>
    F <asset id> <attempts> <reason>      failed: certainly not requested
    U <asset id> <attempts> <reason>      unknown: may have been requested
    N <asset id>                          not attempted: reserved, unsent

An absent index id is written ``-``.  ``P`` lines are fsynced before the
request is sent (group commit: one fsync for the reservations of every
worker waiting meanwhile).  On reopening, an asset whose last line is
``P`` or ``U`` "may be requested": its analysis status is read and
compared with the baseline before anything is sent again.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import anyio
import attrs

from ..exceptions import JournalError
from ._analysis_report import TERMINAL, AnalysisOutcome, RequestStatus
from ._journal import Journal, encode_field
from ._keys import KeyTable
from ._report import clip


if TYPE_CHECKING:
    import os

    from ._journal import JobIdentity


__all__ = ["KIND", "AnalysisJournal", "Baseline", "Recorded"]

#: The journal header's ``kind``.
KIND: Final = "analysis"
_FIELDS: Final = {"P": 4, "A": 3, "D": 4, "F": 4, "U": 4, "N": 2}
_NONE: Final = "-"


@attrs.frozen
class Baseline:
    """
    An asset's analysis status just before it was first requested.
    """

    status: str | None
    index_id: int | None


@attrs.frozen
class Recorded:
    """
    What an earlier run recorded of one asset.

    *status*: ``None`` if requested but not waited for.
    """

    status: str | None = None
    index_id: int | None = None


@attrs.define
class _State:
    # Assets requested (A, D) and those that may be (P, U last).
    requested: dict[int, Recorded] = attrs.Factory(dict)
    maybe: dict[int, Baseline] = attrs.Factory(dict)

    def apply(self, fields: list[str]) -> None:
        tag = fields[0]
        expected = _FIELDS.get(tag)
        if expected is None:
            raise ValueError(f"unknown record {clip(tag, 40)!r}")
        if len(fields) < expected:
            raise ValueError(
                f"a {tag!r} record has {expected} tab-separated fields, "
                f"this line {len(fields)}"
            )
        asset_id = _number(fields[1], "asset id")
        if tag == "P":
            self.maybe[asset_id] = Baseline(
                _status(fields[2]), _optional(fields[3])
            )
            self.requested.pop(asset_id, None)
        elif tag == "U":
            self.maybe.setdefault(asset_id, Baseline(None, None))
        elif tag in {"F", "N"}:
            self.maybe.pop(asset_id, None)
        else:  # "A", "D"
            self.maybe.pop(asset_id, None)
            self.requested[asset_id] = (
                Recorded()
                if tag == "A"
                else Recorded(_status(fields[2]), _optional(fields[3]))
            )


def _number(field: str, what: str) -> int:
    if not (field.isascii() and field.isdigit()) or int(field) < 1:
        raise ValueError(f"{what} {clip(field, 40)!r} is not a valid number")
    return int(field)


def _optional(field: str) -> int | None:
    return None if field == _NONE else _number(field, "index id")


def _status(field: str) -> str | None:
    if field == _NONE:
        return None
    if not (field.isascii() and field.replace("_", "").isalpha()):
        raise ValueError(f"status {clip(field, 40)!r} is not valid")
    return field


def _text(value: object) -> str:
    return _NONE if value is None else str(value)


class AnalysisJournal:
    """
    An open analysis journal: reserve assets, record outcomes, commit.
    """

    __slots__ = (
        "_broken",
        "_durable",
        "_journal",
        "_lock",
        "_queued",
        "_seq",
    )

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._broken: JournalError | None = None
        self._queued: list[str] = []
        self._seq = 0
        self._durable = 0
        self._lock = anyio.Lock()

    def __repr__(self) -> str:
        return f"<AnalysisJournal {self._journal.path!r}>"

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], identity: JobIdentity
    ) -> tuple[AnalysisJournal, dict[int, Recorded], dict[int, Baseline]]:
        """
        Open (or create) the journal at *path*; read what it holds.

        Returns:
            The journal, the assets recorded as requested, and those
            that may have been (with their baselines).

        Raises:
            JournalError: As `Journal.open`.

        """
        state = _State()
        journal, _ = Journal.open(
            path,
            attrs.evolve(identity, kind=KIND),
            KeyTable(),
            apply=state.apply,
        )
        return cls(journal), state.requested, state.maybe

    async def reserve(self, asset_id: int, baseline: Baseline) -> None:
        """
        Durably note that *asset_id* may be requested from now on.

        Reservations made meanwhile by other workers share the fsync.
        """
        self._queued.append(
            f"P\t{asset_id}\t{_text(baseline.status)}\t"
            f"{_text(baseline.index_id)}\n"
        )
        self._seq += 1
        mine = self._seq
        async with self._lock:
            if self._broken is not None:
                raise self._broken
            if self._durable >= mine:
                return
            upto = self._seq
            lines, self._queued = "".join(self._queued), []
            try:
                await self._journal.append(lines)
            except JournalError as exc:
                self._broken = exc
                raise
            self._durable = upto

    def record(self, outcome: AnalysisOutcome) -> None:
        """
        Buffer the line of one outcome; `commit` writes it.
        """
        status = outcome.status
        asset = outcome.asset_id
        if status is RequestStatus.SKIPPED:
            return
        if status is RequestStatus.REQUESTED:
            analyzed = outcome.analyze_status
            if analyzed in TERMINAL:
                line = f"D\t{asset}\t{analyzed}\t{_text(outcome.index_id)}\n"
            elif outcome.resumed:
                return
            else:
                line = f"A\t{asset}\t{outcome.attempts}\n"
        elif status is RequestStatus.NOT_ATTEMPTED:
            line = f"N\t{asset}\n"
        else:
            tag = "F" if status is RequestStatus.FAILED else "U"
            error = encode_field(clip(outcome.error or ""))
            line = f"{tag}\t{asset}\t{outcome.attempts}\t{error}\n"
        self._journal.buffer(line)

    def has_pending(self) -> bool:
        """Whether lines wait for `commit`."""
        return self._journal.has_pending()

    async def commit(self) -> None:
        """Write and fsync every buffered line."""
        await self._journal.commit()

    def commit_sync(self) -> None:
        """`commit`, blocking."""
        self._journal.commit_sync()

    def close(self) -> None:
        """Close the file."""
        self._journal.close()
