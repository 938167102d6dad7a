"""
What a job knows about asset ids: the watermark, and the ids it owns.

Asset ids grow as assets are created (the emulator's behaviour, checked
on every answer).  So an asset that an ambiguous request created has an
id above the highest id known to exist *before* that request was sent:
the request's watermark.  The job learns the highest id once at its
start (`Marks.high`, from one read of the list's ends, see
``_reconciler``) and from every answer; each request takes the mark in
force when it is sent.  Assets at or below a key's watermark (the same
key registered earlier, from another bucket, say) are never taken for
that key's.

If an answer ever brings an id at or below the mark its request was sent
with, ids do not grow on this server: the job stops trusting watermarks
(`Marks.grows`) and reconciles against the whole project.

The job also learns whether the list shows full keys or base names
(`Marks.names`): from any listed name with a ``/`` (full keys), or from
an asset whose key the job knows (`Marks.samples`).  Until it knows that
full keys are shown, it keeps the ids it registered (`Marks.owned`), so
that its own assets are never taken for another key with the same base
name (about 60 bytes a key, and only then).

Strictly private.
"""

from __future__ import annotations

import enum

from collections import deque
from typing import TYPE_CHECKING, Final

import anyio


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["FROM_JOURNAL", "Marks", "NameStyle", "base_name"]

#: `Pending.watermark` of a key an earlier run may have sent: use the
#: watermark the journal recorded (`Marks.resumed`).
FROM_JOURNAL: Final = -1

_SAMPLES = 256


def base_name(key: str) -> str:
    """A key's last path segment."""
    return key.rsplit("/", 1)[-1]


class NameStyle(enum.Enum):
    """What the list shows as ``fileName``."""

    UNKNOWN = "unknown"
    FULL = "full keys"
    BASE = "base names"


class Marks:
    """
    One job's knowledge of asset ids; see the module.
    """

    __slots__ = (
        "grows",
        "high",
        "names",
        "owned",
        "probing",
        "ready",
        "resumed",
        "samples",
    )

    def __init__(self) -> None:
        #: The highest id known to exist; ``None`` until learned.
        self.high: int | None = None
        #: Whether ids have grown with every answer so far.
        self.grows = True
        #: The watermark the journal recorded for an earlier run's keys.
        self.resumed: int | None = None
        #: What the list shows as names.
        self.names = NameStyle.UNKNOWN
        #: Ids this job registered, while names are not known to be keys.
        self.owned: set[int] = set()
        #: Recently registered ``(id, key)`` pairs whose key has a ``/``.
        self.samples: deque[tuple[int, str]] = deque(maxlen=_SAMPLES)
        #: Set once the starting watermark is known (or cannot be).
        self.ready = anyio.Event()
        #: Whether a worker is reading the starting watermark.
        self.probing = False

    def __repr__(self) -> str:
        return (
            f"<Marks high={self.high} grows={self.grows} "
            f"names={self.names.value!r}>"
        )

    def learn(self, highest: int | None) -> None:
        """Note that an asset with id *highest* exists."""
        if highest is not None and (self.high is None or highest > self.high):
            self.high = highest

    def answered(self, asset_id: int, mark: int | None, key: str) -> None:
        """
        Learn from a successful registration of *key*, sent at *mark*.
        """
        if mark is not None and asset_id <= mark:
            self.grows = False
        self.learn(asset_id)
        self.own(asset_id, key)

    def own(self, asset_id: int, key: str) -> None:
        """Note that *asset_id* is this job's asset for *key*."""
        if self.names is not NameStyle.FULL:
            self.owned.add(asset_id)
            if "/" in key:
                self.samples.append((asset_id, key))

    def effective(self, watermark: int | None) -> int | None:
        """
        The watermark to use for a key sent at *watermark*.

        ``None``: no watermark, the whole project is searched.
        """
        if not self.grows:
            return None
        if watermark == FROM_JOURNAL:
            return self.resumed
        return watermark

    def learn_names(self, assets: Mapping[int, str | None]) -> None:
        """
        Learn from a listing whether names are full keys or base names.
        """
        if self.names is not NameStyle.UNKNOWN:
            return
        if any(name is not None and "/" in name for name in assets.values()):
            self._known(NameStyle.FULL)
            return
        for asset_id, key in self.samples:
            name = assets.get(asset_id)
            if name == key:
                self._known(NameStyle.FULL)
                return
            if name == base_name(key):
                self._known(NameStyle.BASE)
                return

    def _known(self, style: NameStyle) -> None:
        self.names = style
        if style is NameStyle.FULL:
            # Owned ids only ever told base names apart.
            self.owned = set()
            self.samples.clear()
