"""
The feeder: input keys in, keys worth sending out to the workers.

A sync run (`BulkOptions.skip_existing`) first reads the names of the
project's assets (``_existing``), which also serves as the preflight.
It reads the input a chunk at a time, takes an admission token per key
(waiting when the pipeline is full), settles at once what is not to be
sent (invalid keys, repeats, keys an earlier run registered, keys the
project has), parks the
keys an earlier run may have sent for reconciling, reserves the rest in
the journal (one write and one fsync per chunk) and puts them on the
work stream.

When the job stops (or the input raises), every key already read gets
an outcome: those read ahead but not yet sent are not attempted.

Strictly private.
"""

from __future__ import annotations

import time

from collections.abc import AsyncIterable
from itertools import islice
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel

from ..exceptions import JournalError, MaiuError
from ._existing import Existing, read_existing
from ._journal import TABLE_ID_MAX
from ._keys import DUPLICATE, NEW, skip_reason
from ._pipeline import Pending
from ._preflight import preflight
from ._report import ALREADY_IN_PROJECT, Outcome, OutcomeStatus, SkippedKey
from ._state import FeederState


if TYPE_CHECKING:
    from collections.abc import Iterable

    from anyio.streams.memory import MemoryObjectReceiveStream

    from ._keys import KeyTable
    from ._pipeline import Pipeline


__all__ = ["Feeder"]

_DUPLICATE_REASON = "duplicate of an earlier key in the input"
_EARLIER_RUN = "an earlier run may have registered it (journal)"


class Feeder:
    """
    Reads the input and dispatches keys; see the module.

    Args:
        pipe: The job's shared state.
        keys: The input.
        table: Keys seen in this run, and those an earlier run
            registered.
        maybe: Keys an earlier run may have sent, with their attempts.
        chunk: Keys read, screened and reserved at a time.
    """

    __slots__ = (
        "_batch",
        "_checked",
        "_chunk",
        "_existing",
        "_held",
        "_keys",
        "_maybe",
        "_pipe",
        "_pos",
        "_reading",
        "_table",
    )

    def __init__(
        self,
        pipe: Pipeline,
        keys: Iterable[object] | AsyncIterable[object],
        *,
        table: KeyTable,
        maybe: dict[str, int],
        chunk: int,
    ) -> None:
        self._pipe = pipe
        self._keys = keys
        self._table = table
        self._maybe = maybe
        self._chunk = chunk
        self._batch: list[str] = []
        self._checked = False
        self._existing: Existing | None = None
        # Keys read and not yet screened: the chunk being taken (from
        # `_pos` on), and a key the async pump holds.
        self._reading: list[object] = []
        self._pos = 0
        self._held: list[object] = []

    async def run(self) -> None:
        """
        Feed every key, until the input ends or the job stops.
        """
        pipe = self._pipe
        try:
            with pipe.scopes.feed:
                if pipe.options.skip_existing and not await self._sync():
                    return
                keys = self._keys
                if isinstance(keys, AsyncIterable):
                    await self._feed_async(keys)
                else:
                    await self._feed_sync(keys)
        finally:
            self._unread()
            pipe.flow.feeder = FeederState.DONE
            pipe.settled()

    async def _sync(self) -> bool:
        """
        Read what the project has; whether the job may go on.
        """
        pipe = self._pipe
        try:
            self._existing = await read_existing(pipe)
        except MaiuError as exc:
            exc.add_note(
                "while reading the project's assets to skip those it has "
                "(skip_existing); no key was sent"
            )
            pipe.fail(exc)
            return False
        # The list was read with the job's credentials: no preflight.
        self._checked = True
        return True

    def _unread(self) -> None:
        # Every key read gets an outcome.  Those without a token give one
        # back all the same: harmless, nothing is admitted any more.
        unread = self._pipe.unread
        left = [*self._batch, *self._reading[self._pos :], *self._held]
        self._batch.clear()
        self._held.clear()
        self._reading, self._pos = [], 0
        for key in left:
            unread(key)

    async def _feed_sync(self, keys: Iterable[object]) -> None:
        iterator = iter(keys)
        while not self._pipe.stopping:
            chunk: list[object] = []
            self._reading, self._pos = chunk, 0
            try:
                chunk.extend(islice(iterator, self._chunk))
            except Exception as exc:  # noqa: BLE001 -- their iterable
                self._pipe.fail(exc)
                return
            if not chunk:
                return
            await self._take(chunk)

    async def _feed_async(self, keys: AsyncIterable[object]) -> None:
        send, recv = anyio.create_memory_object_stream[object](self._chunk)

        held = self._held

        async def pump() -> None:
            async with send:
                try:
                    async for key in keys:
                        held.append(key)
                        await send.send(key)
                        held.clear()
                except Exception as exc:  # noqa: BLE001 -- their iterable
                    self._pipe.fail(exc)

        with send, recv:
            try:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(pump)
                    await self._feed_chunks(recv)
            finally:
                # The pump has ended: what it read is all in the stream.
                self._unread()
                while True:
                    try:
                        self._pipe.unread(recv.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break

    async def _feed_chunks(
        self, recv: MemoryObjectReceiveStream[object]
    ) -> None:
        flow = self._pipe.flow
        while True:
            flow.feeder = FeederState.WAITING
            self._pipe.settled()
            try:
                chunk = [await recv.receive()]
            except anyio.EndOfStream:
                return
            finally:
                flow.feeder = FeederState.READING
            while len(chunk) < self._chunk:
                try:
                    chunk.append(recv.receive_nowait())
                except (anyio.WouldBlock, anyio.EndOfStream):
                    break
            await self._take(chunk)

    async def _take(self, chunk: list[object]) -> None:
        pipe = self._pipe
        outbox = pipe.outbox
        batch = self._batch
        screen = self._screen
        self._reading, self._pos = chunk, 0
        for pos, key in enumerate(chunk):
            self._pos = pos
            try:
                outbox.admit_nowait()
            except anyio.WouldBlock:
                # Holding a partial batch is safe: it is smaller than the
                # tokens the rest of the pipeline holds and will release.
                pipe.flow.feeder = FeederState.WAITING
                pipe.settled()
                try:
                    await outbox.admit()
                finally:
                    pipe.flow.feeder = FeederState.READING
            sent = screen(key)
            if sent is not None:
                batch.append(sent)
        self._pos = len(chunk)
        if batch:
            await self._dispatch()
        else:
            await anyio.lowlevel.checkpoint()

    def _screen(self, key: object) -> str | None:
        """
        Return *key* if it is to be sent; if not, settle it here.
        """
        pipe = self._pipe
        reason = skip_reason(key)
        if reason is not None:
            if isinstance(key, SkippedKey):
                pipe.skip(key.key, key.reason)
            else:
                pipe.skip(key, reason)
            return None
        if not isinstance(key, str):  # pragma: no cover -- refused above
            raise TypeError(f"not a key: {type(key).__name__}")
        seen = self._table.mark_seen(key)
        if seen == NEW:
            existing = self._existing
            if existing is not None and key in existing:
                # Before the journal's "may exist": a key the project
                # has is never sent again, whoever created it.
                pipe.skip(key, ALREADY_IN_PROJECT)
                return None
            maybe = self._maybe
            if maybe and key in maybe:
                self._resume_maybe(key, maybe.pop(key))
                return None
            return key
        if seen == DUPLICATE:
            pipe.skip(key, _DUPLICATE_REASON)
        else:
            asset_id = seen - 1
            journal = pipe.outbox.journal
            if asset_id == TABLE_ID_MAX and journal is not None:
                asset_id = journal.large_ids.get(key, asset_id)
            pipe.outbox.settle(
                Outcome(
                    key=key,
                    status=OutcomeStatus.REGISTERED,
                    asset_id=asset_id,
                    resumed=True,
                )
            )
        return None

    async def _dispatch(self) -> None:
        pipe = self._pipe
        if pipe.stopping:
            # What is left in the batch is not attempted (see `run`).
            await anyio.lowlevel.checkpoint()
            return
        if not self._checked and pipe.options.preflight:
            self._checked = True
            try:
                await preflight(pipe)
            except Exception as exc:  # noqa: BLE001 -- raised by the job
                pipe.fail(exc)
                return
        batch = self._batch
        journal = pipe.outbox.journal
        if journal is not None:
            try:
                await journal.reserve(batch)
            except JournalError as exc:
                pipe.outbox.broken(exc)
                return
        send = pipe.send
        for key in batch:
            send(key)
        batch.clear()

    def _resume_maybe(self, key: str, attempts: int) -> None:
        pipe = self._pipe
        item = Pending(key, attempts, time.perf_counter(), _EARLIER_RUN)
        if pipe.options.reconcile is not None:
            pipe.park(item)
        elif pipe.options.retry_ambiguous:
            item.maybe_created = True
            pipe.send(item)
        else:
            pipe.final(item, OutcomeStatus.UNKNOWN, _EARLIER_RUN)
