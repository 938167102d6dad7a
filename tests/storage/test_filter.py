"""
The filter: which listed objects are registered, and why not the others.
"""

from __future__ import annotations

import pytest

from maiu_async import limits
from maiu_async.exceptions import UsageError
from maiu_async.storage import ListedObject, ObjectFilter, SkipReason
from maiu_async.storage._filter import human_size


GIB = 1024**3
MIB = 1024**2


@pytest.mark.parametrize(
    ("key", "size", "reason"),
    [
        pytest.param("v/a.mp4", 1, None, id="video"),
        pytest.param("v/a.MKV", 5, None, id="upper-case-extension"),
        pytest.param("a.jpeg", 5, None, id="jpeg"),
        pytest.param("a.heic", 5, None, id="heic"),
        pytest.param("v/", 0, SkipReason.FOLDER, id="folder"),
        pytest.param("v/x/", 10, SkipReason.FOLDER, id="folder-with-bytes"),
        pytest.param(
            "v/notes.txt", 5, SkipReason.UNSUPPORTED_EXTENSION, id="txt"
        ),
        pytest.param(
            "v/README", 5, SkipReason.UNSUPPORTED_EXTENSION, id="no-extension"
        ),
        pytest.param(
            "v.mp4/file", 5, SkipReason.UNSUPPORTED_EXTENSION, id="dir-ext"
        ),
        pytest.param(
            "v/" + "x" * 1100 + ".mp4", 5, SkipReason.INVALID_KEY, id="long"
        ),
        pytest.param("v/zero.mp4", 0, SkipReason.EMPTY, id="empty"),
    ],
)
def test_decisions(key, size, reason):
    """Each rule gives its reason; good files are selected."""
    obj = ObjectFilter().classify(key, size)

    assert (key, size, reason) == (obj.key, obj.size, obj.skip)
    assert (reason is None) == obj.selected
    assert (reason is None) == (obj.detail is None)


@pytest.mark.parametrize(
    ("key", "size", "selected"),
    [
        pytest.param("a.mp4", limits.VIDEO_MAX_BYTES, True, id="video-at"),
        pytest.param(
            "a.webm", limits.VIDEO_MAX_BYTES + 1, False, id="video+1"
        ),
        pytest.param("a.png", limits.IMAGE_MAX_BYTES, True, id="image-at"),
        pytest.param(
            "a.heic", limits.IMAGE_MAX_BYTES + 1, False, id="image+1"
        ),
        pytest.param(
            "a.mov", limits.IMAGE_MAX_BYTES + 1, True, id="big-video"
        ),
    ],
)
def test_documented_size_limits(key, size, selected):
    """Videos may be 10 GiB and images 10 MiB, both included."""
    obj = ObjectFilter().classify(key, size)

    assert selected == obj.selected
    if not selected:
        assert SkipReason.TOO_LARGE == obj.skip


def test_limits_default_to_the_documented_ones():
    """The defaults are 10 GB per video and 10 MB per image (binary)."""
    f = ObjectFilter()

    assert (10 * GIB, 10 * MIB) == (f.video_max_bytes, f.image_max_bytes)


def test_too_large_detail_names_both_sizes():
    """The reason says how large the file is and what the limit is."""
    obj = ObjectFilter().classify("p.png", 10 * MIB + 512 * 1024)

    assert (
        "is 10.5 MiB (11010048 bytes); images may be at most 10 MiB"
        == obj.detail
    )


def test_limits_can_be_lowered():
    """A smaller limit is a parameter, for tests and stricter policies."""
    f = ObjectFilter(video_max_bytes=100, image_max_bytes=10)

    assert f.classify("a.mp4", 100).selected
    assert SkipReason.TOO_LARGE == f.classify("a.mp4", 101).skip
    assert SkipReason.TOO_LARGE == f.classify("a.jpg", 11).skip
    assert "videos may be at most 100 bytes" in str(
        f.classify("a.mp4", 101).detail
    )


def test_empty_files_can_be_kept():
    """skip_empty=False registers zero-byte files anyway."""
    assert ObjectFilter(skip_empty=False).classify("z.mp4", 0).selected


def test_reasons_match_the_keys_file_rules():
    """A folder or a bad extension gets the words a keys file gets."""
    from maiu_async.bulk._keys import skip_reason  # noqa: PLC0415

    f = ObjectFilter()
    for key in ("v/", "a.txt", "README", "v/" + "x" * 1100 + ".mp4"):
        assert skip_reason(key) == f.classify(key, 5).detail


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"video_max_bytes": -1}, id="negative"),
        pytest.param({"image_max_bytes": 1.5}, id="float"),
        pytest.param({"video_max_bytes": True}, id="bool"),
    ],
)
def test_bad_limits(bad):
    """Limits are non-negative integers."""
    with pytest.raises(UsageError, match=next(iter(bad))):
        ObjectFilter(**bad)


def test_skipped_object_becomes_a_skipped_key():
    """to_item gives the bulk engine a SkippedKey with the reason."""
    from maiu_async.bulk import SkippedKey  # noqa: PLC0415

    skipped = ObjectFilter().classify("a.txt", 3)
    selected = ObjectFilter().classify("a.mp4", 3)

    assert SkippedKey("a.txt", str(skipped.detail)) == skipped.to_item()
    assert "a.mp4" == selected.to_item()


def test_listed_object_is_a_value():
    """Listed objects compare by value."""
    assert ListedObject(key="a", size=1) == ListedObject(key="a", size=1)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (10 * MIB, "10 MiB"),
        (10 * GIB, "10 GiB"),
        (5000 * GIB, "5000 GiB"),
    ],
)
def test_human_size(size, text):
    """Sizes are written in binary units, without a useless .0."""
    assert text == human_size(size)
