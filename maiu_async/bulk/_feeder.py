"""
The feeder: input keys in, keys worth sending out to the workers.

It reads the input a chunk at a time, takes an admission token per key
(waiting when the pipeline is full), settles at once what is not to be
sent (invalid keys, repeats, keys an earlier run registered), parks the
keys an earlier run may have sent for reconciling, reserves the rest in
the journal (one write and one fsync per chunk) and puts them on the
work stream.

Strictly private.
"""

from __future__ import annotations

import time

from collections.abc import AsyncIterable
from itertools import islice
from typing import TYPE_CHECKING, cast

import anyio
import anyio.lowlevel

from ._keys import DUPLICATE, NEW, skip_reason
from ._pipeline import Pending
from ._report import Outcome, OutcomeStatus, SkippedKey
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

    __slots__ = ("_batch", "_chunk", "_keys", "_maybe", "_pipe", "_table")

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

    async def run(self) -> None:
        """
        Feed every key, until the input ends or the job stops.
        """
        pipe = self._pipe
        try:
            with pipe.scopes.feed:
                keys = self._keys
                if isinstance(keys, AsyncIterable):
                    await self._feed_async(keys)
                else:
                    await self._feed_sync(keys)
        finally:
            batch, self._batch = self._batch, []
            for key in batch:
                pipe.flow.active += 1
                pipe.abandon(key)
            pipe.flow.feeder = FeederState.DONE
            pipe.settled()

    async def _feed_sync(self, keys: Iterable[object]) -> None:
        iterator = iter(keys)
        while True:
            try:
                chunk = list(islice(iterator, self._chunk))
            except Exception as exc:  # noqa: BLE001 -- their iterable
                self._pipe.fail(exc)
                return
            if not chunk:
                return
            await self._take(chunk)

    async def _feed_async(self, keys: AsyncIterable[object]) -> None:
        send, recv = anyio.create_memory_object_stream[object](self._chunk)

        async def pump() -> None:
            async with send:
                try:
                    async for key in keys:
                        await send.send(key)
                except Exception as exc:  # noqa: BLE001 -- their iterable
                    self._pipe.fail(exc)

        with send, recv:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pump)
                await self._feed_chunks(recv)

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
        for key in chunk:
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
            if screen(key):
                batch.append(cast("str", key))
        if batch:
            await self._dispatch()
        else:
            await anyio.lowlevel.checkpoint()

    def _screen(self, key: object) -> bool:
        """
        Whether *key* is to be sent; if not, it is settled here.
        """
        pipe = self._pipe
        reason = skip_reason(key)
        if reason is not None:
            if isinstance(key, SkippedKey):
                pipe.skip(key.key, key.reason)
            else:
                pipe.skip(key, reason)
            return False
        key = cast("str", key)  # skip_reason refuses anything else
        seen = self._table.mark_seen(key)
        if seen == NEW:
            maybe = self._maybe
            if maybe and key in maybe:
                self._resume_maybe(key, maybe.pop(key))
                return False
            return True
        if seen == DUPLICATE:
            pipe.skip(key, _DUPLICATE_REASON)
        else:
            pipe.outbox.settle(
                Outcome(
                    key=key,
                    status=OutcomeStatus.REGISTERED,
                    asset_id=seen - 1,
                    resumed=True,
                )
            )
        return False

    async def _dispatch(self) -> None:
        pipe = self._pipe
        batch = self._batch
        journal = pipe.outbox.journal
        if journal is not None:
            await journal.reserve(batch)
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
