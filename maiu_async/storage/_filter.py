"""
Which listed objects can be registered, and why the others cannot.

The rules are the register-asset call's, checked from what a listing
already says (the key and the size), so nothing doomed is ever sent:

- folders (keys ending in ``/``, as the console creates them) cannot be
  registered (error 10016) [D];
- only MP4, MKV, MOV, WebM videos and JPG, PNG, HEIC images [D];
- videos up to 10 GB, images up to 10 MB [D] (binary units, see
  `maiu_async.limits`);
- an empty object is no media file [I]: it could only fail the import.

Strictly private; the names are re-exported by ``maiu_async.storage``.
"""

from __future__ import annotations

import enum

import attrs

from .. import limits
from .._validation import check_asset_key, extension_of
from ..exceptions import UsageError, ValidationError
from ..models import SkippedKey


__all__ = ["ListedObject", "ObjectFilter", "SkipReason", "human_size"]


class SkipReason(enum.Enum):
    """
    Why a listed object is not registered.

    Attributes:
        FOLDER: A folder marker (its key ends in ``/``).
        UNSUPPORTED_EXTENSION: Not a supported video or image format (or
            no extension at all).
        INVALID_KEY: A key the API cannot take (longer than 1,024 bytes,
            say).
        EMPTY: Zero bytes long.
        TOO_LARGE: Over the size limit of its kind.

    .. versionadded:: 26.1.0

    """

    FOLDER = "folder"
    UNSUPPORTED_EXTENSION = "unsupported extension"
    INVALID_KEY = "invalid key"
    EMPTY = "empty"
    TOO_LARGE = "too large"


def human_size(size: int) -> str:
    """
    Write *size* bytes in binary units: ``10 MiB``, ``10.5 GiB``.

    Strictly private.
    """
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    if unit == "bytes":
        return f"{size} bytes"
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


@attrs.frozen(kw_only=True)
class ListedObject:
    """
    One listed object and the filter's decision about it.

    Attributes:
        key: The object's full key.
        size: Its size in bytes, as listed.
        skip: Why it is not registered; ``None`` if it is.
        detail: The reason in words (for reports), ``None`` if selected.

    .. versionadded:: 26.1.0

    """

    key: str
    size: int
    skip: SkipReason | None = None
    detail: str | None = None

    @property
    def selected(self) -> bool:
        """
        Whether the object is to be registered.
        """
        return self.skip is None

    def to_item(self) -> str | SkippedKey:
        """
        Return the bulk engine's input for this object.

        Its key if selected, else a `maiu_async.models.SkippedKey` carrying
        the reason.
        """
        if self.skip is None:
            return self.key
        return SkippedKey(self.key, self.detail or self.skip.value)


def _non_negative(
    _inst: object, attribute: attrs.Attribute[int], value: int
) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(
            f"{attribute.name} must be a non-negative integer, not {value!r}"
        )


@attrs.frozen(kw_only=True)
class ObjectFilter:
    """
    Decide, from its key and listed size, whether to register an object.

    Attributes:
        video_max_bytes: The largest video registered.
        image_max_bytes: The largest image registered.
        skip_empty: Skip objects of zero bytes.

    .. versionadded:: 26.1.0

    """

    video_max_bytes: int = attrs.field(
        default=limits.VIDEO_MAX_BYTES, validator=_non_negative
    )
    image_max_bytes: int = attrs.field(
        default=limits.IMAGE_MAX_BYTES, validator=_non_negative
    )
    skip_empty: bool = True

    def classify(self, key: str, size: int) -> ListedObject:
        """
        Return the object with the decision about it.
        """
        try:
            check_asset_key(key)
        except ValidationError as exc:
            # The words are check_asset_key's, as for keys from a file;
            # the category is ours.  A supported extension means some
            # other rule failed (length, encoding).
            if key.endswith("/"):
                why = SkipReason.FOLDER
            elif extension_of(key) in limits.SUPPORTED_EXTENSIONS:
                why = SkipReason.INVALID_KEY
            else:
                why = SkipReason.UNSUPPORTED_EXTENSION
            return ListedObject(
                key=key, size=size, skip=why, detail=exc.reason
            )
        if size == 0 and self.skip_empty:
            return ListedObject(
                key=key,
                size=size,
                skip=SkipReason.EMPTY,
                detail="is empty (0 bytes)",
            )
        video = extension_of(key) in limits.VIDEO_EXTENSIONS
        most = self.video_max_bytes if video else self.image_max_bytes
        if size > most:
            kind = "videos" if video else "images"
            return ListedObject(
                key=key,
                size=size,
                skip=SkipReason.TOO_LARGE,
                detail=(
                    f"is {human_size(size)} ({size} bytes); {kind} may be "
                    f"at most {human_size(most)}"
                ),
            )
        return ListedObject(key=key, size=size)
