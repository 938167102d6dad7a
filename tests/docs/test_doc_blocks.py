"""
The Markdown reader finds every runnable block and every bad marker.
"""

from __future__ import annotations

import pytest

from docblocks import MarkdownError, blocks_of


FENCE = "```"


@pytest.fixture(name="write")
def _write(tmp_path):
    def write(text: str):
        path = tmp_path / "page.md"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_finds_python_and_shell_blocks_with_their_lines(write):
    """Runnable fences are found in order, prose fences are not."""
    path = write(
        f"# t\n\n{FENCE}python\nx = 1\n{FENCE}\n"
        f"{FENCE}text\nno\n{FENCE}\n"
        f"  ~~~~bash\n  ls\n  ~~~~\n"
    )

    found = [(b.line, b.kind, b.source) for b in blocks_of(path)]

    assert [(3, "python", "x = 1"), (9, "sh", "ls")] == found


def test_marker_applies_to_the_next_block(write):
    """A not-run marker before a block carries its reason."""
    path = write(f"<!-- not-run: needs PyPI -->\n\n{FENCE}sh\npip\n{FENCE}\n")

    (block,) = blocks_of(path)

    assert "needs PyPI" == block.not_run


def test_background_marker_applies_to_the_next_block(write):
    """A background marker before a shell block carries its reason."""
    path = write(f"<!-- background: serves -->\n{FENCE}sh\nserve\n{FENCE}\n")

    (block,) = blocks_of(path)

    assert ("serves", None) == (block.background, block.not_run)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<!-- not-run: -->\n```sh\nls\n```\n", id="no-reason"),
        pytest.param(
            "<!-- not-run: r -->\nprose\n```sh\nls\n```\n", id="stale"
        ),
        pytest.param("<!-- not-run: r -->\n```text\nx\n```\n", id="prose"),
        pytest.param("```sh\nls\n```\n<!-- not-run: r -->\n", id="trailing"),
        pytest.param("```python\nx = 1\n", id="unclosed"),
        pytest.param(
            "<!-- background: r -->\n```python\nx = 1\n```\n",
            id="background-python",
        ),
        pytest.param(
            "<!-- background: -->\n```sh\nls\n```\n", id="background-bare"
        ),
    ],
)
def test_bad_markdown_is_refused(write, text):
    """A marker without its block, or an open fence, is an error."""
    path = write(text)

    with pytest.raises(MarkdownError, match=r"page\.md"):
        blocks_of(path)
