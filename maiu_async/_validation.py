"""
Checks run before anything is sent, each raising `ValidationError`.

The rules and numbers come from `maiu_async.limits`; every error names the
argument and shows the offending value.

Workspace names are checked two ways.
Creating one enforces the documented rule (3-63 characters of
``[a-z0-9-]``).
Naming an existing one only refuses what could never be a name (empty,
control characters, ``.`` and ``..``, which servers fold away as path
steps): workspaces made before the rule, or by the legacy service, are
still reachable, and every other character is percent-encoded, so no name
can change which path is requested.

Strictly private.
"""

from __future__ import annotations

import functools
import re

from . import limits
from .exceptions import ValidationError


__all__ = [
    "check_asset_key",
    "check_bucket_name",
    "check_id",
    "check_new_workspace_name",
    "check_page",
    "check_project_name",
    "check_workspace_ref",
    "extension_of",
]

_WORKSPACE_REF_MAX = 255
# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def _require_str(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(
            field=field,
            value=value,
            reason=f"expected a string, got {type(value).__name__}",
        )
    return value


def check_new_workspace_name(name: object) -> str:
    """
    Check a name for a new workspace against the documented rule.
    """
    value = _require_str("workspace_name", name)
    lo, hi = limits.WORKSPACE_NAME_MIN_LENGTH, limits.WORKSPACE_NAME_MAX_LENGTH
    if not lo <= len(value) <= hi:
        raise ValidationError(
            field="workspace_name",
            value=value,
            reason=f"must be {lo} to {hi} characters long, not {len(value)}",
        )
    if not limits.WORKSPACE_NAME_PATTERN.fullmatch(value):
        raise ValidationError(
            field="workspace_name",
            value=value,
            reason="only lower-case letters a-z, digits and '-' are allowed",
        )
    return value


def check_workspace_ref(name: object) -> str:
    """
    Check the name of an existing workspace used in a path.
    """
    if isinstance(name, str):
        return _check_workspace_ref(name)
    return _require_str("workspace", name)


@functools.lru_cache(maxsize=256)
def _check_workspace_ref(value: str) -> str:
    # Cached: bulk jobs name the same workspace for every key.
    if not value:
        raise ValidationError(field="workspace", value=value, reason="empty")
    if value in {".", ".."}:
        raise ValidationError(
            field="workspace",
            value=value,
            reason="a dot segment would change the requested path",
        )
    if len(value) > _WORKSPACE_REF_MAX:
        raise ValidationError(
            field="workspace",
            value=value,
            reason=f"longer than {_WORKSPACE_REF_MAX} characters",
        )
    if _has_control(value):
        raise ValidationError(
            field="workspace",
            value=value,
            reason="contains control characters",
        )
    return value


def check_project_name(name: object) -> str:
    """
    Check a project name: length and forbidden characters.
    """
    value = _require_str("name", name)
    hi = limits.PROJECT_NAME_MAX_LENGTH
    if not 1 <= len(value) <= hi:
        raise ValidationError(
            field="name",
            value=value,
            reason=f"must be 1 to {hi} characters long, not {len(value)}",
        )
    bad = sorted({c for c in value if c in limits.PROJECT_NAME_FORBIDDEN})
    if bad:
        raise ValidationError(
            field="name",
            value=value,
            reason=f"may not contain {' '.join(map(repr, bad))}",
        )
    if _has_control(value):
        raise ValidationError(
            field="name", value=value, reason="contains control characters"
        )
    return value


def check_id(field: str, value: object) -> int:
    """
    Check a project or asset id: a positive integer.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            field=field, value=value, reason="expected a positive integer"
        )
    return value


def extension_of(key: str) -> str:
    """
    Return the lower-case extension of an object key, without the dot.
    """
    # What follows the last dot of the last segment, as a server that
    # checks formats by name would read it (".mp4" counts as mp4).
    _, dot, ext = key.rpartition("/")[2].rpartition(".")
    return ext.lower() if dot else ""


def check_asset_key(key: object) -> str:
    """
    Check an Object Storage key before registering it as an asset.
    """
    value = _require_str("key", key)
    if not value:
        raise ValidationError(field="key", value=value, reason="empty")
    if value.endswith("/"):
        raise ValidationError(
            field="key",
            value=value,
            reason="is a folder; only files can be registered",
        )
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > limits.OBJECT_KEY_MAX_BYTES:
        raise ValidationError(
            field="key",
            value=value,
            reason=(
                f"is {size} bytes long; Object Storage keys are at most "
                f"{limits.OBJECT_KEY_MAX_BYTES} bytes"
            ),
        )
    ext = extension_of(value)
    if ext not in limits.SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(limits.SUPPORTED_EXTENSIONS))
        reason = (
            f"unsupported extension {ext!r}" if ext else "has no extension"
        )
        raise ValidationError(
            field="key",
            value=value,
            reason=f"{reason}; supported: {supported}",
        )
    return value


def check_bucket_name(name: object) -> str:
    """
    Check an Object Storage bucket name: non-empty.
    """
    value = _require_str("bucket_name", name)
    if not value.strip():
        raise ValidationError(field="bucket_name", value=value, reason="empty")
    if _has_control(value) or "/" in value:
        raise ValidationError(
            field="bucket_name",
            value=value,
            reason="contains '/' or control characters",
        )
    return value


def check_page(page_num: object, page_size: object) -> tuple[int, int]:
    """
    Check list pagination: ``pageNum`` >= 1, ``pageSize`` 1 to 1000.
    """
    num = check_id("page_num", page_num)
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= limits.ASSET_PAGE_SIZE_MAX
    ):
        raise ValidationError(
            field="page_size",
            value=page_size,
            reason=f"expected an integer from 1 to "
            f"{limits.ASSET_PAGE_SIZE_MAX}",
        )
    return num, page_size
