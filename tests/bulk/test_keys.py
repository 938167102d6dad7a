"""
Tests for input screening: skip reasons and the compact key table.
"""

from __future__ import annotations

import pytest

from hypothesis import given
from hypothesis import strategies as st

from maiu_async.bulk._keys import DUPLICATE, NEW, KeyTable, skip_reason


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("videos/", "folder", id="folder"),
        pytest.param("notes.txt", "unsupported extension", id="extension"),
        pytest.param("noext", "no extension", id="no-extension"),
        pytest.param("a" * 1030 + ".mp4", "bytes long", id="too-long"),
        pytest.param(42, "expected a string", id="not-a-string"),
    ],
)
def test_invalid_keys_have_a_reason(key, reason):
    """Each kind of invalid key is refused with a reason naming it."""
    assert reason in (skip_reason(key) or "")


@pytest.mark.parametrize(
    "key", ["a.mp4", "deep/path/clip.MOV", "사진/이미지.jpg", "sp ace.png"]
)
def test_valid_keys_have_no_reason(key):
    """Valid keys, upper-case extensions and Unicode included, pass."""
    assert skip_reason(key) is None


def test_second_sighting_is_a_duplicate():
    """A key seen twice is NEW, then DUPLICATE."""
    table = KeyTable()

    assert [NEW, DUPLICATE, NEW] == [
        table.mark_seen("a.mp4"),
        table.mark_seen("a.mp4"),
        table.mark_seen("b.mp4"),
    ]


def test_registered_key_reports_its_asset_id_once():
    """A journal-registered key yields its asset id + 1, then DUPLICATE."""
    table = KeyTable()
    table.mark_seen("seen.mp4")
    table.set_registered("done.mp4", 41)

    assert [42, DUPLICATE, DUPLICATE, 41, None] == [
        table.mark_seen("done.mp4"),
        table.mark_seen("done.mp4"),
        table.mark_seen("seen.mp4"),
        table.registered("done.mp4"),
        table.registered("seen.mp4"),
    ]


def test_asset_id_zero_is_distinct_from_new():
    """Asset id 0 is stored as 1, so it is not mistaken for NEW."""
    table = KeyTable()
    table.set_registered("zero.mp4", 0)

    assert 1 == table.mark_seen("zero.mp4")


@given(
    keys=st.lists(st.text(max_size=8), max_size=3000),
    registered=st.dictionaries(
        st.text(max_size=8), st.integers(0, 2**40), max_size=300
    ),
)
def test_table_agrees_with_a_dict(keys, registered):
    """Through growth and rehashing, the table behaves like a dict."""
    table = KeyTable()
    for key, asset_id in registered.items():
        table.set_registered(key, asset_id)
    seen: set[str] = set()
    expected, actual = [], []
    for key in keys:
        if key in seen:
            expected.append(DUPLICATE)
        elif key in registered:
            expected.append(registered[key] + 1)
        else:
            expected.append(NEW)
        seen.add(key)
        actual.append(table.mark_seen(key))

    assert expected == actual
    assert len(seen | set(registered)) == len(table)


def test_expect_presizes_without_losing_entries():
    """Growing ahead of time keeps every entry and its value."""
    table = KeyTable()
    table.set_registered("kept.mp4", 7)
    table.mark_seen("other.mp4")

    table.expect(100_000)

    assert (8, DUPLICATE) == (
        table.mark_seen("kept.mp4"),
        table.mark_seen("other.mp4"),
    )
