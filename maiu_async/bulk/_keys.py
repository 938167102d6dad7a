"""
Which input keys are sent: validation, duplicates, earlier runs.

`KeyTable` remembers every key of a run in 8 bytes (16 once a journal
says some were registered before), so a million keys cost 16-32 MB where
a `set` of the strings would cost well over 100 MB.  It stores 64-bit
fingerprints (Python's `hash` of the string, stable within a process),
not the keys: two different keys share a fingerprint with probability
about ``n**2 / 2**65`` (5e-8 for a million keys), in which case the second
would be reported as a duplicate of the first.

Strictly private.
"""

from __future__ import annotations

from array import array

from .._validation import check_asset_key
from ..exceptions import ValidationError


__all__ = ["DUPLICATE", "NEW", "KeyTable", "skip_reason"]

#: `KeyTable.mark_seen`: the key was not seen before in this run.
NEW = 0
#: `KeyTable.mark_seen`: the key was already seen in this run.
DUPLICATE = -1

_MIN_SLOTS = 1024


def skip_reason(key: object) -> str | None:
    """
    Return why *key* cannot be registered, or ``None`` if it can.

    The rules are the client's own (`check_asset_key`): not a string,
    empty, a folder, too long, unsupported extension.
    """
    try:
        check_asset_key(key)
    except ValidationError as exc:
        return exc.reason
    return None


class KeyTable:
    """
    An open-addressing map from key fingerprints to registration state.

    Each entry knows whether its key was seen in this run and, when a
    journal said so, the asset id an earlier run registered it as.

    Strictly private.
    """

    __slots__ = ("_fps", "_limit", "_mask", "_size", "_vals")

    def __init__(self, expected: int = 0) -> None:
        self._alloc(_slots_for(expected))
        self._vals: array[int] | None = None

    def __len__(self) -> int:
        return self._size

    def __contains__(self, key: str) -> bool:
        return bool(self._fps[self._find(hash(key) or 1)])

    def expect(self, count: int) -> None:
        """
        Make room for *count* keys at once (saves rehashing as it grows).
        """
        slots = _slots_for(count)
        if slots > len(self._fps):
            self._rehash(slots)

    def mark_seen(self, key: str) -> int:
        """
        Note that *key* occurs in this run's input.

        Returns:
            `NEW` if it had not been seen, `DUPLICATE` if it had, or
            ``asset_id + 1`` if a journal recorded it as registered.

        """
        fp = hash(key) or 1
        fps = self._fps
        mask = self._mask
        i = fp & mask
        while True:
            slot = fps[i]
            if slot == 0:
                break
            if slot == fp:
                vals = self._vals
                if vals is None:
                    return DUPLICATE
                value = vals[i]
                if value & 1:
                    return DUPLICATE
                vals[i] = value | 1
                return value >> 1
            i = (i + 1) & mask
        fps[i] = fp
        if self._vals is not None:
            self._vals[i] = 1
        self._grown()
        return NEW

    def set_registered(self, key: str, asset_id: int) -> None:
        """
        Record that an earlier run registered *key* as *asset_id*.
        """
        if self._vals is None:
            self._vals = _zeros(len(self._fps))
            # Entries from before had no value: they were all "seen".
            for i, slot in enumerate(self._fps):
                if slot:
                    self._vals[i] = 1
        i = self._find(hash(key) or 1)
        value = (asset_id + 1) << 1
        if self._fps[i]:
            self._vals[i] = value | (self._vals[i] & 1)
            return
        self._fps[i] = hash(key) or 1
        self._vals[i] = value
        self._grown()

    def registered(self, key: str) -> int | None:
        """
        Return the asset id a journal recorded for *key*, if any.
        """
        i = self._find(hash(key) or 1)
        if not self._fps[i] or self._vals is None:
            return None
        value = self._vals[i] >> 1
        return value - 1 if value else None

    def _find(self, fp: int) -> int:
        fps = self._fps
        mask = self._mask
        i = fp & mask
        while fps[i] and fps[i] != fp:
            i = (i + 1) & mask
        return i

    def _alloc(self, slots: int) -> None:
        self._fps = _zeros(slots)
        self._mask = slots - 1
        self._limit = slots * 3 // 5
        self._size = 0

    def _grown(self) -> None:
        self._size += 1
        if self._size > self._limit:
            self._rehash(len(self._fps) * 2)

    def _rehash(self, slots: int) -> None:
        old_fps, old_vals, size = self._fps, self._vals, self._size
        self._alloc(slots)
        new_vals = _zeros(slots) if old_vals is not None else None
        fps, mask = self._fps, self._mask
        for j, fp in enumerate(old_fps):
            if not fp:
                continue
            i = fp & mask
            while fps[i]:
                i = (i + 1) & mask
            fps[i] = fp
            if new_vals is not None and old_vals is not None:
                new_vals[i] = old_vals[j]
        self._size = size
        self._vals = new_vals


def _slots_for(count: int) -> int:
    slots = _MIN_SLOTS
    while slots * 3 < count * 5:
        slots *= 2
    return slots


def _zeros(slots: int) -> array[int]:
    return array("q", [0]) * slots
