"""
Checks run before anything is sent, each raising `ValidationError`.

The rules and numbers come from `maiu_async.limits`; every error names the
argument and shows the offending value.

Workspace names are checked two ways.
Creating one enforces the documented rule (3-63 characters of
``[a-z0-9-]``).
Naming an existing one refuses what could never be a name (empty,
control characters, ``.`` and ``..``, which servers fold away as path
steps) and upper-case letters A-Z: names are lower case, and a mixed-case
name (``-w CLI-WS``) is a typo that would only come back as a 404.
Every other character is percent-encoded, so no name can change which
path is requested, and workspaces made before the rule, or by the legacy
service, stay reachable.

Strictly private.
"""

from __future__ import annotations

import functools
import re

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from . import limits
from .exceptions import ValidationError, echo
from .models import ThumbnailSpec


__all__ = [
    "check_asset_key",
    "check_bool",
    "check_bucket_name",
    "check_choice",
    "check_exactly_one",
    "check_file_name",
    "check_id",
    "check_ids",
    "check_int_range",
    "check_new_workspace_name",
    "check_page",
    "check_phrases",
    "check_project_name",
    "check_search_id",
    "check_text",
    "check_thumbnails",
    "check_time_range",
    "check_workspace_ref",
    "extension_of",
]

S = TypeVar("S", bound=str)

_WORKSPACE_REF_MAX = 255
# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_UPPER = re.compile("[A-Z]")


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def _require_str(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(
            field=field,
            value=value,
            reason=f"expected a string, got {type(value).__name__}",
        )
    _require_utf8(field, value)
    return value


def _require_utf8(field: str, value: str) -> None:
    # A lone surrogate ("\ud800", from a file decoded with
    # "surrogateescape", say) cannot be UTF-8 encoded: refused here, it
    # would otherwise fail as a UnicodeEncodeError while the request is
    # being built, and take a whole bulk job down with it.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                field=field,
                value=value,
                reason="is not valid Unicode text (lone surrogate)",
            ) from None


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
    if _UPPER.search(value):
        raise ValidationError(
            field="workspace",
            value=value,
            reason="workspace names are lower case; did you mean "
            f"{echo(value.lower())}?",
        )
    _require_utf8("workspace", value)
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


_CONTROL_NAMES = {
    "\x00": "a NUL",
    "\t": "a TAB",
    "\n": "a line feed",
    "\r": "a carriage return",
    "\x1b": "an ESC",
    "\x7f": "a DEL",
}
# Characters no one types into a key: a byte-order mark (from a second
# file pasted into the first) and the Unicode line separators.
_INVISIBLE_NAMES = {
    "\ufeff": "a byte-order mark",
    "\u2028": "a line separator",
    "\u2029": "a paragraph separator",
}
_CHAR_HINTS = {
    "\r": " (two lines glued together?)",
    "\t": " (a tab-separated line?)",
    "\ufeff": " (the start of another file pasted in?)",
}
_INVISIBLE = re.compile("[\ufeff\u2028\u2029]")
_URL = re.compile(r"([a-z][a-z0-9+.-]*)://([^/]*)/?(.*)", re.IGNORECASE)
# `aws s3 ls` output: "2024-05-01 09:30:12   10485760 videos/a.mp4", and
# "                           PRE videos/" for a folder.
_S3_LS_OBJECT = re.compile(r"\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +\d+ (.+)")
_S3_LS_FOLDER = re.compile(r"\s*PRE (.+/)")
# A key with a supported extension, then a field separator and more: a
# line of a CSV or TSV file ("videos/a.mp4,10485760").
_CSV = re.compile(
    r"(.+\.(?:"
    + "|".join(sorted(limits.SUPPORTED_EXTENSIONS))
    + r"))([,;\t|].*)",
    re.IGNORECASE,
)


def _describe_char(char: str) -> str:
    name = _CONTROL_NAMES.get(char) or _INVISIBLE_NAMES.get(char)
    code = f"U+{ord(char):04X}"
    return f"{name} ({code})" if name else f"a control character {code}"


def _odd_key_reason(value: str) -> str | None:
    # What a line that cannot be the key the user meant looks like, or
    # None.  Each reason says what was found and where.  Every pattern
    # runs only past a cheap test that anything it matches passes (a
    # bulk job checks every key: almost all are plain).
    odd = None
    if not value.isprintable():  # controls, U+FEFF, U+2028, U+2029 are not
        odd = _CONTROL.search(value) or _INVISIBLE.search(value)
    if odd is not None:
        where = odd.start()
        hint = _CHAR_HINTS.get(odd.group(), "")
        return (
            f"contains {_describe_char(odd.group())} at character "
            f"{where + 1}{hint}"
        )
    url = _URL.fullmatch(value) if "://" in value else None
    if url is not None:
        scheme, host, rest = url.groups()
        if scheme.lower() == "s3":
            return (
                f"is an S3 URL, not a key: give the key {echo(rest)} "
                f"and the bucket {echo(host)} separately"
            )
        return f"is a {scheme} URL, not an Object Storage key"
    first = value[0]
    listed = None
    # Both listings start with optional spaces, then a digit or "PRE".
    if first.isspace() or first.isdigit() or first == "P":
        listed = _S3_LS_OBJECT.fullmatch(value) or _S3_LS_FOLDER.fullmatch(
            value
        )
    if listed is not None:
        return (
            "looks like a line of `aws s3 ls` output; the key in it is "
            f"{echo(listed.group(1))}"
        )
    if value[0].isspace() or value[-1].isspace():
        side = "starts" if value[0].isspace() else "ends"
        return (
            f"{side} with a space ({_describe_space(value, side)}); "
            "keys copied with padding do not name the object"
        )
    return None


def _describe_space(value: str, side: str) -> str:
    char = value[0] if side == "starts" else value[-1]
    return "' '" if char == " " else f"U+{ord(char):04X}"


# A key no rule below can refuse: printable ASCII with no space (so no
# control, padding or `aws s3 ls` line), no ":" (no URL), no "," ";" "|"
# (no CSV line), ending in a supported extension (so not a folder).  An
# ASCII key's size in bytes is its length.  Almost every key of a bulk
# job is one; tests/test_validation.py checks that the full rules
# accept whatever this accepts.
_PLAIN_KEY = re.compile(
    r"[!-+\--9<-{}~]*\.(?:"
    + "|".join(
        # Each letter in both cases, spelled out: IGNORECASE would also
        # take the Kelvin sign for "k", and is slower.
        "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in ext)
        for ext in sorted(limits.SUPPORTED_EXTENSIONS)
    )
    + ")"
)


def check_asset_key(key: object) -> str:
    """
    Check an Object Storage key before registering it as an asset.

    Besides the Object Storage rules (not empty, at most
    `limits.OBJECT_KEY_MAX_BYTES`, not a folder) and a supported
    extension, refuses what cannot be the key the user meant, saying what
    it looks like: control characters (NUL, TAB, CR...), a byte-order
    mark or line separator, an ``s3://bucket/key`` or other URL, a line
    of ``aws s3 ls`` output, a CSV line (``key,size``), and leading or
    trailing spaces.

    .. versionchanged:: 26.1.0
       Refuses control characters, URLs, listing and CSV lines, padding.
    """
    if (
        type(key) is str
        and len(key) <= limits.OBJECT_KEY_MAX_BYTES
        and _PLAIN_KEY.fullmatch(key) is not None
    ):
        return key
    return _check_asset_key_fully(key)


def _check_asset_key_fully(key: object) -> str:
    # `check_asset_key` for any key: every rule, in order.
    value = _require_str("key", key)
    if not value:
        raise ValidationError(field="key", value=value, reason="empty")
    # Length first: a 100 MB line is refused without being copied or
    # scanned (a character is at least one byte).
    most = limits.OBJECT_KEY_MAX_BYTES
    huge = len(value) > most
    # An ASCII string's length is its size in bytes; no copy to count.
    plain = huge or value.isascii()
    size = len(value) if plain else len(value.encode("utf-8"))
    if size > most:
        raise ValidationError(
            field="key",
            value=value,
            reason=(
                f"is {'at least ' if huge else ''}{size} bytes long; Object "
                f"Storage keys are at most {most} bytes"
            ),
        )
    odd = _odd_key_reason(value)
    if odd is not None:
        raise ValidationError(field="key", value=value, reason=odd)
    if value.endswith("/"):
        raise ValidationError(
            field="key",
            value=value,
            reason="is a folder; only files can be registered",
        )
    ext = extension_of(value)
    if ext not in limits.SUPPORTED_EXTENSIONS:
        csv = _CSV.fullmatch(value)
        if csv is not None:
            raise ValidationError(
                field="key",
                value=value,
                reason=(
                    f"looks like a CSV line: the key {echo(csv.group(1))} "
                    f"followed by {echo(csv.group(2))}"
                ),
            )
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


def check_page(
    page_num: object,
    page_size: object,
    *,
    max_size: int = limits.ASSET_PAGE_SIZE_MAX,
) -> tuple[int, int]:
    """
    Check list pagination: ``pageNum`` >= 1, ``pageSize`` 1 to *max_size*.
    """
    num = check_id("page_num", page_num)
    return num, check_int_range("page_size", page_size, 1, max_size)


def check_int_range(field: str, value: object, lo: int, hi: int) -> int:
    """
    Check an integer from *lo* to *hi*, both included.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not lo <= value <= hi
    ):
        raise ValidationError(
            field=field,
            value=value,
            reason=f"expected an integer from {lo} to {hi}",
        )
    return value


def check_bool(field: str, value: object) -> bool:
    """
    Check a boolean (``0`` and ``1`` are not booleans).
    """
    if not isinstance(value, bool):
        raise ValidationError(
            field=field, value=value, reason="expected True or False"
        )
    return value


def check_choice(field: str, value: S, choices: tuple[str, ...]) -> S:
    """
    Check that *value* is one of *choices* (exactly, case included).
    """
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(
            field=field,
            value=value,
            reason=f"expected one of {', '.join(choices)}",
        )
    return value


def check_ids(
    field: str,
    values: object,
    *,
    min_len: int = 0,
    max_len: int | None = None,
) -> tuple[int, ...]:
    """
    Check a sequence of ids: positive integers, *min_len* to *max_len*.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValidationError(
            field=field, value=values, reason="expected a sequence of ids"
        )
    if len(values) < min_len or (
        max_len is not None and len(values) > max_len
    ):
        most = "" if max_len is None else f" to {max_len}"
        raise ValidationError(
            field=field,
            value=values,
            reason=f"expected {min_len}{most} ids, not {len(values)}",
        )
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                field=field,
                value=values,
                reason=f"{value!r} is not a positive integer",
            )
    return tuple(values)


def check_text(  # noqa: PLR0913 -- the rule's parts, keyword-only
    field: str,
    value: object,
    *,
    max_len: int,
    min_len: int = 1,
    forbidden: frozenset[str] = frozenset(),
    not_blank: bool = False,
) -> str:
    """
    Check free text: its length, forbidden and control characters.
    """
    text = _require_str(field, value)
    if not min_len <= len(text) <= max_len:
        raise ValidationError(
            field=field,
            value=text,
            reason=f"must be {min_len} to {max_len} characters long, "
            f"not {len(text)}",
        )
    if not_blank and not text.strip():
        raise ValidationError(field=field, value=text, reason="is blank")
    bad = sorted(forbidden.intersection(text))
    if bad:
        raise ValidationError(
            field=field,
            value=text,
            reason=f"may not contain {' '.join(map(repr, bad))}",
        )
    if _has_control(text):
        raise ValidationError(
            field=field, value=text, reason="contains control characters"
        )
    return text


def check_phrases(field: str, values: object) -> tuple[str, ...]:
    """
    Check dialogue phrases: texts without ``;``, ``|`` or backtick.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValidationError(
            field=field, value=values, reason="expected a sequence of texts"
        )
    return tuple(
        check_text(
            field,
            v,
            max_len=limits.QUERY_TEXT_MAX_LENGTH,
            forbidden=limits.TEXT_FORBIDDEN,
            not_blank=True,
        )
        for v in values
    )


def check_exactly_one(**given: object) -> str:
    """
    Check that exactly one of the keyword arguments is not ``None``.

    Returns:
        The name of the one given.

    """
    present = [name for name, value in given.items() if value is not None]
    if len(present) != 1:
        names = " or ".join(given)
        raise ValidationError(
            field=names,
            value=present,
            reason=f"give exactly one of {names}",
        )
    return present[0]


def check_file_name(
    field: str, value: object, extensions: frozenset[str] | None = None
) -> str:
    """
    Check an upload's file name: not a path; a supported extension.
    """
    name = check_text(field, value, max_len=limits.OBJECT_KEY_MAX_BYTES)
    if "/" in name or not name.strip():
        raise ValidationError(
            field=field, value=name, reason="expected a file name"
        )
    ext = extension_of(name)
    if extensions is not None and ext not in extensions:
        raise ValidationError(
            field=field,
            value=name,
            reason=f"expected one of the extensions "
            f"{', '.join(sorted(extensions))}",
        )
    return name


def check_search_id(value: object) -> str:
    """
    Check a search id used as a path segment.

    A non-empty string without control characters, at most
    `limits.QUERY_TEXT_MAX_LENGTH` characters and UTF-8 bytes.
    """
    text = check_text("search_id", value, max_len=limits.QUERY_TEXT_MAX_LENGTH)
    # It is a path segment: counted in UTF-8 bytes, each of which may be
    # percent-encoded to three characters, so that with the longest
    # workspace name the request line stays under the 8 KB servers take.
    size = len(text.encode("utf-8"))
    if size > limits.QUERY_TEXT_MAX_LENGTH:
        raise ValidationError(
            field="search_id",
            value=text,
            reason=f"is {size} bytes long (UTF-8); at most "
            f"{limits.QUERY_TEXT_MAX_LENGTH} fit in a request path",
        )
    return text


def _optional_datetime(field: str, value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    raise ValidationError(
        field=field, value=value, reason="expected a datetime"
    )


def check_time_range(
    start: object, end: object
) -> tuple[datetime | None, datetime | None]:
    """
    Check a time range: datetimes, not ending before it starts.
    """
    first = _optional_datetime("index_modified_from", start)
    last = _optional_datetime("index_modified_to", end)
    if first is None or last is None:
        return first, last
    try:
        backwards = last < first
    except TypeError:
        raise ValidationError(
            field="index_modified_to",
            value=last,
            reason="cannot compare naive and aware times",
        ) from None
    if backwards:
        raise ValidationError(
            field="index_modified_to",
            value=last,
            reason=f"is before index_modified_from {first!r}",
        )
    return first, last


def check_thumbnails(
    thumbnails: object, *, new_person: bool
) -> tuple[ThumbnailSpec, ...]:
    """
    Check thumbnails to give a person.

    1 to 100 of them, with non-empty keys; a new person's must include
    exactly one primary thumbnail, added ones at most one.
    """
    if isinstance(thumbnails, str | bytes) or not isinstance(
        thumbnails, Sequence
    ):
        raise ValidationError(
            field="thumbnails",
            value=thumbnails,
            reason="expected a sequence of ThumbnailSpec",
        )
    items = tuple(thumbnails)
    hi = limits.PERSON_THUMBNAILS_MAX
    if not 1 <= len(items) <= hi:
        raise ValidationError(
            field="thumbnails",
            value=items,
            reason=f"expected 1 to {hi} thumbnails, not {len(items)}",
        )
    for item in items:
        if not isinstance(item, ThumbnailSpec):
            raise ValidationError(
                field="thumbnails",
                value=item,
                reason="expected a ThumbnailSpec",
            )
        check_text(
            "thumbnail_key",
            item.thumbnail_key,
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
        check_bool("is_primary_thumbnail", item.is_primary_thumbnail)
    primaries = sum(t.is_primary_thumbnail for t in items)
    if new_person and primaries != 1:
        raise ValidationError(
            field="thumbnails",
            value=items,
            reason=f"exactly one must be primary, not {primaries}",
        )
    if primaries > 1:
        raise ValidationError(
            field="thumbnails",
            value=items,
            reason=f"at most one may be primary, not {primaries}",
        )
    return items
