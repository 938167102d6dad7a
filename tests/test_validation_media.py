"""
The checks added for analyses, searches and persons.
"""

from __future__ import annotations

import typing

from datetime import UTC, datetime

import pytest

from maiu_async import (
    AssetType,
    ConfidenceLevel,
    SceneRange,
    SourceLanguage,
    ThumbnailSpec,
    ValidationError,
    limits,
)
from maiu_async._validation import (
    check_bool,
    check_choice,
    check_exactly_one,
    check_file_name,
    check_ids,
    check_int_range,
    check_page,
    check_phrases,
    check_text,
    check_thumbnails,
    check_time_range,
)


PRIMARY = ThumbnailSpec(thumbnail_key="k", is_primary_thumbnail=True)


@pytest.mark.parametrize("value", [0, 5, 10])
def test_int_range_accepts_the_bounds(value):
    """Both bounds of an integer range are inside it."""
    assert value == check_int_range("n", value, 0, 10)


@pytest.mark.parametrize("value", [-1, 11, True, 1.0, "1", None])
def test_int_range_refuses(value):
    """Out-of-range numbers, booleans, floats and text are refused."""
    with pytest.raises(ValidationError, match="from 0 to 10"):
        check_int_range("n", value, 0, 10)


def test_choice_names_the_choices():
    """A refused choice lists what is allowed."""
    with pytest.raises(ValidationError) as info:
        check_choice("scene_range", "medium", limits.SCENE_RANGES)

    assert "EXTRA_SHORT, SHORT, MEDIUM, LONG" in str(info.value)


def test_bool_refuses_integers():
    """0 and 1 are not booleans."""
    with pytest.raises(ValidationError):
        check_bool("flag", 1)


@pytest.mark.parametrize(
    ("values", "bounds"),
    [
        pytest.param("12", {}, id="text"),
        pytest.param([1, 2, 3], {"max_len": 2}, id="too-many"),
        pytest.param([], {"min_len": 1}, id="too-few"),
        pytest.param([1, False], {}, id="bool"),
    ],
)
def test_ids_refused(values, bounds):
    """Id sequences are refused by type, length and element."""
    with pytest.raises(ValidationError):
        check_ids("ids", values, **bounds)


def test_ids_tuple():
    """Accepted ids come back as a tuple, in order."""
    assert (3, 1, 2) == check_ids("ids", [3, 1, 2])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        pytest.param("", "1 to 5", id="empty"),
        pytest.param("abcdef", "1 to 5", id="long"),
        pytest.param("   ", "blank", id="blank"),
        pytest.param("a;b|", "';' '|'", id="forbidden"),
        pytest.param("a\tb", "control", id="control"),
    ],
)
def test_text_refused(value, words):
    """Text checks explain which rule was broken."""
    with pytest.raises(ValidationError) as info:
        check_text(
            "t",
            value,
            max_len=5,
            forbidden=limits.TEXT_FORBIDDEN,
            not_blank=True,
        )

    assert words in str(info.value)


def test_phrases():
    """Dialogue phrases are texts without the forbidden characters."""
    assert ("hi", "there") == check_phrases("d", ["hi", "there"])
    with pytest.raises(ValidationError):
        check_phrases("d", ["a`b"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({"a": 1, "b": None}, "a", id="first"),
        pytest.param({"a": None, "b": ""}, "b", id="empty-counts"),
    ],
)
def test_exactly_one(given, expected):
    """The one argument given is named."""
    assert expected == check_exactly_one(**given)


@pytest.mark.parametrize(
    "given", [{"a": None, "b": None}, {"a": 1, "b": 2}], ids=["none", "both"]
)
def test_not_exactly_one(given):
    """Neither or both is refused."""
    with pytest.raises(ValidationError, match="exactly one of a or b"):
        check_exactly_one(**given)


def test_time_range():
    """Open and ordered ranges pass; reversed and mixed ones do not."""
    early, late = datetime(2026, 1, 1), datetime(2026, 2, 1)

    assert (early, None) == check_time_range(early, None)
    assert (early, late) == check_time_range(early, late)
    with pytest.raises(ValidationError, match="before"):
        check_time_range(late, early)
    with pytest.raises(ValidationError, match="naive and aware"):
        check_time_range(early, late.replace(tzinfo=UTC))


def test_file_name_any_extension():
    """Without an extension list, any plain file name passes."""
    assert "profile" == check_file_name("f", "profile")


def test_page_max_size():
    """Page sizes are checked against the list's own maximum."""
    assert (1, 100) == check_page(1, 100, max_size=100)
    with pytest.raises(ValidationError, match="from 1 to 100"):
        check_page(1, 101, max_size=100)


def test_thumbnails_added_need_no_primary():
    """Added thumbnails may have no primary; a new person needs one."""
    plain = ThumbnailSpec(thumbnail_key="k")

    assert (plain,) == check_thumbnails([plain], new_person=False)
    assert (PRIMARY,) == check_thumbnails([PRIMARY], new_person=True)
    with pytest.raises(ValidationError, match="exactly one"):
        check_thumbnails([plain], new_person=True)


def test_literal_types_match_the_limits():
    """The public Literal types list exactly the documented values."""
    assert (
        limits.SCENE_RANGES,
        limits.SOURCE_LANGUAGES,
        limits.CONFIDENCE_LEVELS,
        limits.ASSET_TYPES,
    ) == (
        typing.get_args(SceneRange),
        typing.get_args(SourceLanguage),
        typing.get_args(ConfidenceLevel),
        typing.get_args(AssetType),
    )
