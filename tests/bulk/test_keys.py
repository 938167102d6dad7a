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
    ("key", "reason"),
    [
        pytest.param(
            "a.mp4\x00", "contains a NUL (U+0000) at character 6", id="nul"
        ),
        pytest.param(
            "a.mp4\rb.mp4",
            "contains a carriage return (U+000D) at character 6 "
            "(two lines glued together?)",
            id="cr",
        ),
        pytest.param(
            "a.mp4\t10",
            "contains a TAB (U+0009) at character 6 (a tab-separated line?)",
            id="tab",
        ),
        pytest.param(
            "a\x1b[0m.mp4", "contains an ESC (U+001B) at character 2", id="esc"
        ),
        pytest.param(
            "a\x85.mp4", "contains a control character U+0085", id="c1"
        ),
        pytest.param(
            "\ufeffvideos/a.mp4",
            "contains a byte-order mark (U+FEFF) at character 1",
            id="bom",
        ),
        pytest.param(
            "s3://my-bucket/videos/a.mp4",
            "is an S3 URL, not a key: give the key 'videos/a.mp4' and the "
            "bucket 'my-bucket' separately",
            id="s3-url",
        ),
        pytest.param(
            "https://kr.object.ncloudstorage.com/b/a.mp4",
            "is a https URL, not an Object Storage key",
            id="https-url",
        ),
        pytest.param(
            "2024-05-01 09:30:12   10485760 videos/a b.mp4",
            "looks like a line of `aws s3 ls` output; the key in it is "
            "'videos/a b.mp4'",
            id="aws-s3-ls",
        ),
        pytest.param(
            "                           PRE videos/",
            "looks like a line of `aws s3 ls` output; the key in it is "
            "'videos/'",
            id="aws-s3-ls-folder",
        ),
        pytest.param(
            "videos/a.mp4,10485760",
            "looks like a CSV line: the key 'videos/a.mp4' followed by "
            "',10485760'",
            id="csv",
        ),
        pytest.param(
            "videos/a.mp4 ", "ends with a space (' ')", id="trailing-space"
        ),
        pytest.param(
            " videos/a.mp4", "starts with a space (' ')", id="leading-space"
        ),
        pytest.param(
            "videos/a.mp4\u00a0", "ends with a space (U+00A0)", id="nbsp"
        ),
    ],
)
def test_keys_that_cannot_be_meant_say_what_they_look_like(key, reason):
    """Odd keys are skipped with what they look like, not a bad extension."""
    said = skip_reason(key) or ""

    assert reason in said
    assert "unsupported extension" not in said


def test_long_odd_key_reason_is_cut():
    """A reason quoting part of a huge line stays short, with its length."""
    said = skip_reason("s3://b/" + "k" * 990 + ".mp4") or ""

    assert "(994 characters)" in said
    assert len(said) < 400


def test_huge_key_refused_for_its_length_first():
    """A 10 MB line is too long, said without scanning it for odd parts."""
    said = skip_reason("s3://b/" + "\x00" * 10_000_000) or ""

    assert "is at least 10000007 bytes long" in said


@pytest.mark.parametrize(
    "key",
    [
        "a.mp4",
        "deep/path/clip.MOV",
        "사진/이미지.jpg",
        "sp ace.png",
        "a,b.mp4",
        "s3 notes/x.mp4",
        "2024-05-01 clip.mp4",
    ],
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


@pytest.mark.anyio
async def test_bulk_job_skips_odd_keys_and_sends_only_the_good(target, client):
    """A job sends none of the odd keys and reports why for each."""
    from maiu_async.bulk import OutcomeStatus, register_many  # noqa: PLC0415

    odd = [
        "a.mp4\rb.mp4",
        "\ufeffc.mp4",
        "s3://b/d.mp4",
        "2024-05-01 09:30:12   10 e.mp4",
        "f.mp4,10",
        "g.mp4 ",
        "h\x00.mp4",
    ]
    outcomes = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name="b",
        keys=[*odd, "good.mp4"],
        on_result=outcomes.append,
    )

    skipped = {
        o.key: o.error for o in outcomes if o.status is OutcomeStatus.SKIPPED
    }
    assert (1, len(odd)) == (report.registered, report.skipped)
    assert set(odd) == set(skipped)
    assert [] == [
        key for key, why in skipped.items() if "extension" in (why or "")
    ]
    assert {"good.mp4": 1} == dict(target.assets_by_key())
