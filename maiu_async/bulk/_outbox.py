"""
Delivering outcomes: count, journal, fsync, then hand over.

Every settled key goes through `Outbox.settle`.  Without a journal or an
outcome stream the outcome is handed to *on_result* at once.  Otherwise
it is buffered; the flusher task (`Outbox.run`) writes and fsyncs the
journal lines of everything buffered so far in one go (group commit),
then delivers those outcomes in order, to *on_result* and to the stream.
So no outcome reaches the caller before it is durable.

Memory is bounded by the admission semaphore: the feeder takes a token
per key read, and the token comes back when the key's outcome is
delivered.

If the journal cannot be written (disk full, I/O error), the job fails,
but the outcomes settled so far are still delivered: they are the only
record of what happened (a report file may be on another disk), and a
rerun is safe anyway, since every key that may have been sent has a
durable ``P`` line and is looked up before it is sent again.

Strictly private.
"""

from __future__ import annotations

import enum

from collections import deque
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import anyio

from ..exceptions import JournalError


if TYPE_CHECKING:
    from collections.abc import Callable

    from anyio.streams.memory import MemoryObjectSendStream

__all__ = ["Outbox", "OutboxState"]

#: What is delivered: a registration's `Outcome`, or another job's.
T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class _Counter(Protocol[T_contra]):
    def count(self, outcome: T_contra, /) -> None: ...


class _Recorder(Protocol[T_contra]):
    # `Journal`, or a job's own line format over it.
    def record(self, outcome: T_contra, /) -> None: ...
    def has_pending(self) -> bool: ...
    async def commit(self) -> None: ...
    def commit_sync(self) -> None: ...


#: The journal: `Journal`, or another job's line format over it.
J = TypeVar("J", bound=_Recorder[Any])


class OutboxState(enum.Enum):
    """
    Whether the flusher has more to expect.
    """

    OPEN = "open"
    #: No key will settle any more: flush what is left, then end.
    CLOSING = "closing"


class Outbox(Generic[T, J]):
    """
    Settled outcomes on their way to the caller.
    """

    __slots__ = (
        "_admit",
        "_broken",
        "_on_result",
        "_out",
        "_ready",
        "_state",
        "_stream",
        "_tally",
        "_unacked",
        "_wake",
        "journal",
        "on_failure",
    )

    def __init__(
        self,
        *,
        tally: _Counter[T],
        tokens: int,
        on_result: Callable[[T], None] | None,
        out: MemoryObjectSendStream[T] | None,
    ) -> None:
        self._tally = tally
        self._admit = anyio.Semaphore(tokens)
        self._on_result = on_result
        self._out = out
        self._stream = out  # `_out` is dropped once the reader leaves
        self._unacked: list[T] = []
        self._ready: deque[T] = deque()
        self._wake = anyio.Event()
        self._state = OutboxState.OPEN
        # The journal failed: nothing more is written to it; outcomes are
        # still delivered, and the job is failing.
        self._broken = False
        #: Set by `Job.run` when the job has a journal.
        self.journal: J | None = None
        #: Called with a hook's or the journal's exception.
        self.on_failure: Callable[[BaseException], None] = _unset

    @property
    def buffered(self) -> bool:
        """Whether outcomes wait for the flusher."""
        return self.journal is not None or self._stream is not None

    # -- admission -------------------------------------------------------

    def admit_nowait(self) -> None:
        """
        Take a token for one key, or raise `anyio.WouldBlock`.
        """
        self._admit.acquire_nowait()

    async def admit(self) -> None:
        """Wait for a token for one key."""
        await self._admit.acquire()

    # -- settling --------------------------------------------------------

    def settle(self, outcome: T, *, journaled: bool = True) -> None:
        """
        Count *outcome* and deliver it, at once or after the next commit.

        With *journaled* false it gets no journal line: a key read but
        never reserved, which a rerun treats as new anyway.
        """
        self._tally.count(outcome)
        if not self.buffered:
            self._admit.release()
            self._call_hook(outcome)
            return
        journal = self.journal
        if journal is not None and journaled and not self._broken:
            journal.record(outcome)
        self._unacked.append(outcome)
        self._wake.set()

    def close(self) -> None:
        """Note that no key will settle any more."""
        if self._state is OutboxState.OPEN:
            self._state = OutboxState.CLOSING
        self._wake.set()

    def close_stream(self) -> None:
        """End the outcome stream, if any: its reader's iteration ends."""
        if self._stream is not None:
            self._stream.close()

    # -- the flusher -----------------------------------------------------

    async def run(self) -> None:
        """
        Commit and deliver buffered outcomes until `close`.
        """
        while True:
            if not self._unacked:
                if self._state is OutboxState.CLOSING:
                    return
                await self._wake.wait()
                self._wake = anyio.Event()
                continue
            count = len(self._unacked)
            journal = self.journal
            if (
                journal is not None
                and journal.has_pending()
                and not self._broken
            ):
                # Commits the lines of at least the first `count`
                # outcomes: each line is buffered with its outcome.
                try:
                    await journal.commit()
                except JournalError as exc:
                    self.broken(exc)
            self._ready.extend(self._unacked[:count])
            del self._unacked[:count]
            await self._deliver()

    async def _deliver(self) -> None:
        ready = self._ready
        release = self._admit.release
        while ready:
            outcome = ready.popleft()
            release()
            self._call_hook(outcome)
            out = self._out
            if out is None:
                continue
            try:
                out.send_nowait(outcome)
            except anyio.WouldBlock:
                try:
                    await out.send(outcome)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    self._out = None
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._out = None

    def flush_now(self) -> None:
        """
        Commit and deliver everything left, without awaiting.

        For the end of a stopped job, whose flusher may have been cut
        short.
        """
        if self.journal is not None and not self._broken:
            try:
                self.journal.commit_sync()
            except JournalError as exc:
                self.broken(exc)
        self._ready.extend(self._unacked)
        self._unacked.clear()
        while self._ready:
            outcome = self._ready.popleft()
            self._admit.release()
            self._call_hook(outcome)
            if self._out is not None:
                try:
                    self._out.send_nowait(outcome)
                except (
                    anyio.WouldBlock,
                    anyio.BrokenResourceError,
                    anyio.ClosedResourceError,
                ):
                    self._out = None

    def broken(self, exc: JournalError) -> None:
        """
        Note that the journal failed: write no more, fail the job.
        """
        if not self._broken:
            self._broken = True
            self.on_failure(exc)

    def _call_hook(self, outcome: T) -> None:
        hook = self._on_result
        if hook is None:
            return
        try:
            hook(outcome)
        except Exception as exc:  # noqa: BLE001 -- the caller's hook
            self._on_result = None
            self.on_failure(exc)


def _unset(exc: BaseException) -> None:  # pragma: no cover -- replaced
    raise exc
