"""
A scripted stand-in for `MaiuClient`, for what the emulator cannot provoke.

It offers exactly the part of the client's public API that bulk uses:
``endpoint``, ``limiter``, ``assets.register`` and ``assets.list``.
Each registration attempt asks a script what to do.
"""

from __future__ import annotations

import collections
import math

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.lowlevel

from maiu_async import (
    AdaptiveLimiter,
    Asset,
    AuthenticationFailed,
    BadRequest,
    ConnectionLost,
    Page,
    ServerError,
)


if TYPE_CHECKING:
    import os


URL = "http://fake.invalid/api/v1/workspaces/ws/projects/1/assets"

#: What one attempt does: register, or fail in one of these ways.
OK = "ok"
BAD = "400"
BUSY = "503"
RESET = "reset"  # dropped before processing: nothing created
LOST = "lost"  # processed, answer lost: created
DENIED = "401"

Script = Callable[[str, int], str]


def always(action: str) -> Script:
    """A script doing *action* for every attempt of every key."""
    return lambda *_: action


def status_error(cls, status):
    """An API error of class *cls*."""
    return cls(
        status=status,
        api_code=None,
        api_message="scripted",
        method="POST",
        url=URL,
    )


class FakeAssets:
    """``client.assets``: a registry of created assets, and a script."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.created: list[tuple[str, int]] = []
        self.attempts: collections.Counter[str] = collections.Counter()
        self.list_error: Exception | None = None
        self.pages_read = 0
        #: If set, each asset remembers this file's size when its request
        #: was sent (see `crash_at`).
        self.journal: str | os.PathLike[str] | None = None
        self.sent_at: dict[int, int] = {}
        self._next_id = 1

    def count(self) -> collections.Counter[str]:
        """Assets per key."""
        return collections.Counter(key for key, _ in self.created)

    def crash_at(self, size: int) -> None:
        """
        Forget the assets of requests sent after the journal had *size*
        bytes, as if the job had died then (those sent before are kept,
        even if a real server might still have been processing them).
        """
        self.created = [
            (key, asset_id)
            for key, asset_id in self.created
            if self.sent_at[asset_id] <= size
        ]

    def _create(self, key: str, sent_at: int) -> Asset:
        asset_id = self._next_id
        self._next_id += 1
        self.created.append((key, asset_id))
        self.sent_at[asset_id] = sent_at
        return Asset(asset_id=asset_id, file_name=key)

    async def register(
        self, *_: object, key: str, retry: object, **__: object
    ) -> Asset:
        """Do what the script says for this attempt."""
        assert retry is None
        self.attempts[key] += 1
        action = self.script(key, self.attempts[key])
        # A blocking stat, on purpose: it must see the size at once.
        sent_at = Path(self.journal).stat().st_size if self.journal else 0  # noqa: ASYNC240
        await anyio.lowlevel.checkpoint()
        if action == OK:
            return self._create(key, sent_at)
        if action == LOST:
            self._create(key, sent_at)
            raise ConnectionLost("scripted loss", method="POST", url=URL)
        if action == RESET:
            raise ConnectionLost("scripted reset", method="POST", url=URL)
        if action == BAD:
            raise status_error(BadRequest, 400)
        if action == BUSY:
            raise status_error(ServerError, 503)
        if action == DENIED:
            raise status_error(AuthenticationFailed, 401)
        raise AssertionError(action)

    async def list(
        self, *_: object, page_num: int, page_size: int, **__: object
    ) -> Page[Asset]:
        """One page of the created assets, in creation order."""
        await anyio.lowlevel.checkpoint()
        self.pages_read += 1
        if self.list_error is not None:
            raise self.list_error
        start = (page_num - 1) * page_size
        content = tuple(
            Asset(asset_id=asset_id, file_name=key)
            for key, asset_id in self.created[start : start + page_size]
        )
        return Page(
            content=content,
            total_count=len(self.created),
            total_page=max(1, math.ceil(len(self.created) / page_size)),
            page_no=page_num,
            page_size=page_size,
        )


class FakeClient:
    """The slice of `MaiuClient` that bulk uses."""

    endpoint = "http://fake.invalid:8080"

    def __init__(self, script: Script) -> None:
        self.assets = FakeAssets(script)
        self.limiter = AdaptiveLimiter()
