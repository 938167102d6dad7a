"""
Every validation rule, each naming the offending value.
"""

from __future__ import annotations

import pytest

from hypothesis import example, given
from hypothesis import strategies as st

from maiu_async import ValidationError, _validation, limits
from maiu_async._validation import (
    check_asset_key,
    check_bucket_name,
    check_id,
    check_new_workspace_name,
    check_page,
    check_project_name,
    check_workspace_ref,
)
from maiu_async.exceptions import echo


def refused(check, value) -> ValidationError:
    """Run a check that must refuse, and return its error."""
    with pytest.raises(ValidationError) as info:
        check(value)
    assert echo(value) in str(info.value)
    return info.value


@pytest.mark.parametrize(
    "name", ["abc", "my-workspace", "a" * 63, "0-9", "---"]
)
def test_new_workspace_names_accepted(name):
    """Names of 3-63 characters of [a-z0-9-] are accepted."""
    assert name == check_new_workspace_name(name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param("ab", "3 to 63", id="too-short"),
        pytest.param("a" * 64, "3 to 63", id="too-long"),
        pytest.param("My-Workspace", "lower-case", id="upper-case"),
        pytest.param("my workspace", "lower-case", id="space"),
        pytest.param("my_workspace", "lower-case", id="underscore"),
        pytest.param("작업공간작업", "lower-case", id="unicode"),
    ],
)
def test_new_workspace_names_refused(name, words):
    """Anything else is refused with the rule in the message."""
    assert words in str(refused(check_new_workspace_name, name))


@pytest.mark.parametrize("name", ["", ".", "..", "a\nb", "a\x00", "x" * 256])
def test_workspace_refs_refused(name):
    """Names that could never be used in a path are refused."""
    refused(check_workspace_ref, name)


@pytest.mark.parametrize("name", ["a b", "a/b", "100%", "작업", "a?b"])
def test_workspace_refs_encoded_not_refused(name):
    """Odd but harmless names are left to percent-encoding."""
    assert name == check_workspace_ref(name)


@pytest.mark.parametrize(
    "name", ["p", "x" * 100, "my project (2)", "프로젝트", "a-b_c.d"]
)
def test_project_names_accepted(name):
    """1-100 characters without ; | ` are accepted."""
    assert name == check_project_name(name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param("", "1 to 100", id="empty"),
        pytest.param("x" * 101, "1 to 100", id="too-long"),
        pytest.param("a;b", "';'", id="semicolon"),
        pytest.param("a|b", "'|'", id="bar"),
        pytest.param("a`b", "'`'", id="backtick"),
        pytest.param("a\tb", "control", id="tab"),
    ],
)
def test_project_names_refused(name, words):
    """Length, forbidden characters and control characters are refused."""
    assert words in str(refused(check_project_name, name))


@given(
    st.text(min_size=1, max_size=100).filter(
        lambda s: (
            not set(s) & set(";|`")
            and all(c.isprintable() or c == " " for c in s)
        )
    )
)
def test_project_names_property(name):
    """Every printable name of legal length without ; | ` passes."""
    assert name == check_project_name(name)


@pytest.mark.parametrize(
    "key",
    [
        "a.mp4",
        "dir/sub/clip.MKV",
        "x.mov",
        "x.webm",
        "p.jpg",
        "p.JPEG",
        "p.png",
        "p.heic",
        "한글/영상.mp4",
    ],
)
def test_keys_accepted(key):
    """Supported extensions, any case, any folder depth, are accepted."""
    assert key == check_asset_key(key)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("videos/", "folder", id="folder"),
        pytest.param("notes.txt", "'txt'", id="bad-extension"),
        pytest.param("noextension", "no extension", id="no-extension"),
        pytest.param("clip.mp4.part", "'part'", id="partial"),
        pytest.param("a" * 1021 + ".mp4", "1025 bytes", id="too-long"),
    ],
)
def test_keys_refused(key, words):
    """Empty keys, folders, unsupported formats and long keys are refused."""
    assert words in str(refused(check_asset_key, key))


def test_key_limit_is_in_bytes():
    """The 1024 limit counts UTF-8 bytes, not characters."""
    key = "가" * 340 + ".mp4"  # 1020 + 4 bytes: exactly the limit
    assert key == check_asset_key(key)
    assert len(key.encode()) == limits.OBJECT_KEY_MAX_BYTES
    refused(check_asset_key, "가" + key)


def _odd_by_every_pattern(value: str) -> bool:
    # The key reasons' patterns, each tried on the whole key: what
    # `_odd_key_reason` finds without its cheap pre-tests.
    v = _validation
    return bool(
        v._CONTROL.search(value)
        or v._INVISIBLE.search(value)
        or v._URL.fullmatch(value)
        or v._S3_LS_OBJECT.fullmatch(value)
        or v._S3_LS_FOLDER.fullmatch(value)
        or value[0].isspace()
        or value[-1].isspace()
    )


#: Characters near each pre-test's edge: controls that are spaces too
#: (U+0085), spaces that are not controls, digits that are not ASCII,
#: the pieces of a URL and of `aws s3 ls` lines.
_EDGES = " \t\x85\u3000\u00a0\u2028\u2029\ufeff\x00\x7f\x9f:/s3PRE0-9\u0663a."


@given(
    st.text(
        alphabet=st.sampled_from(_EDGES) | st.characters(),
        min_size=1,
        max_size=40,
    )
)
@example("2024-05-01 09:30:12   10485760 videos/a.mp4")
@example("\u0662\u0660\u0662\u0664-05-01 09:30:12 1 a.mp4")
@example("\x85PRE videos/")
@example("PRE videos/")
@example("                           PRE videos/")
@example("s3://bucket/videos/a.mp4")
@example("videos/a\u2028.mp4")
def test_key_pretests_change_no_answer(value):
    """A key is odd exactly when one of the reasons' patterns matches it."""
    found = _validation._odd_key_reason(value)
    assert (found is not None) == _odd_by_every_pattern(value)


def _answer(check, value):
    # What a key check says: the key, or the refusal's reason.
    try:
        return ("accepted", check(value))
    except ValidationError as exc:
        return ("refused", exc.reason)


_PRINTABLE_ASCII = "".join(map(chr, range(0x20, 0x7F)))


@given(
    st.text(
        alphabet=st.sampled_from(_PRINTABLE_ASCII + _EDGES + "\u212a\u017f")
        | st.characters(),
        max_size=30,
    ),
    st.sampled_from([*sorted(limits.SUPPORTED_EXTENSIONS), "txt", "", "mp4/"]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
@example("videos/clip-0000001", "mp4", str.lower)
@example("s3://bucket/a", "mp4", str.lower)
@example("a,10", "mp4", str.lower)
@example("PRE videos/a", "mp4", str.upper)
@example("\u212a", "mkv", str.lower)  # a Kelvin sign: "k" to IGNORECASE
@example("", "", str.lower)
@example("\u212a" * 1020, "mp4", str.lower)  # 1024 characters, 3064 bytes
def test_plain_key_path_changes_no_answer(stem, ext, case):
    """The fast path answers as every rule does: its accepts included."""
    key = f"{stem}.{case(ext)}" if ext else stem
    full = _answer(_validation._check_asset_key_fully, key)
    assert _answer(check_asset_key, key) == full
    if _validation._PLAIN_KEY.fullmatch(key):
        assert full == ("accepted", key)


@pytest.mark.parametrize(
    ("key", "fast"),
    [
        ("videos/clip-0000001.mp4", True),
        ("2024/01/a.JPEG", True),
        ("a" * 1020 + ".mp4", True),
        ("a" * 1021 + ".mp4", False),  # over the limit: refused in full
        ("가.mp4", False),
        ("\u212a.mkv", False),  # not ASCII, though IGNORECASE folds it
        ("a b.mp4", False),
        ("x:y.mp4", False),
        ("a,b.mp4", False),
        ("a.mp4/", False),
    ],
)
def test_plain_key_path_takes_plain_keys(key, fast):
    """Plain keys of any length up to the limit take the fast path."""
    assert (
        len(key) <= limits.OBJECT_KEY_MAX_BYTES
        and _validation._PLAIN_KEY.fullmatch(key) is not None
    ) is fast


def test_plain_key_path_takes_only_exact_strings():
    """A str subclass goes through every rule, and is returned as given."""

    class Key(str):
        __slots__ = ()

    key = Key("videos/a.mp4")
    assert check_asset_key(key) is key


@pytest.mark.parametrize("bucket", ["", "  ", "a/b", "a\nb"])
def test_bucket_names_refused(bucket):
    """Empty bucket names and ones with '/' are refused."""
    refused(check_bucket_name, bucket)


@pytest.mark.parametrize("value", [0, -1, True, "12", 1.0, None])
def test_ids_refused(value):
    """Ids must be positive integers (not bools, strings or floats)."""
    with pytest.raises(ValidationError) as info:
        check_id("project_id", value)
    assert "project_id" in str(info.value)


@pytest.mark.parametrize(
    ("num", "size"), [(0, 10), (1, 0), (1, 1001), (1, True)]
)
def test_pages_refused(num, size):
    """pageNum >= 1 and pageSize 1-1000 are enforced."""
    with pytest.raises(ValidationError):
        check_page(num, size)


@pytest.mark.parametrize("value", [None, 5, b"bytes"])
def test_non_strings_refused(value):
    """Non-strings get a type message rather than an AttributeError."""
    with pytest.raises(ValidationError) as info:
        check_project_name(value)
    assert "expected a string" in str(info.value)
