"""
The generated pages cover their tables whole, and refuse what is wrong.
"""

from __future__ import annotations

import importlib.util
import types

from pathlib import Path

import pytest

from maiu_async import _errorcodes, limits


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(name="hooks", scope="module")
def _hooks():
    spec = importlib.util.spec_from_file_location(
        "docs_hooks", ROOT / "docs" / "_hooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(markdown: str) -> list[str]:
    return [
        line
        for line in markdown.splitlines()
        if line.startswith("| ") and not line.startswith("| name |")
    ]


def test_error_codes_has_a_row_per_code(hooks):
    """Each code of the shared table appears once, with its exception."""
    rows = _rows(hooks.render_error_codes())[1:]  # after the header

    assert len(_errorcodes.TABLE) == len(rows)
    for row in _errorcodes.TABLE:
        cell = f"| `{row.code}` | {row.status} |"
        assert 1 == sum(cell in line and row.source in line for line in rows)


def test_limits_has_a_row_per_public_name(hooks):
    """Every name of limits.__all__ has exactly one row."""
    rows = _rows(hooks.render_limits())

    names = [line.split("`")[1] for line in rows if line.startswith("| `")]
    assert sorted(limits.__all__) == sorted(names)


def test_limits_notes_keep_their_evidence(hooks):
    """A value's tag becomes its evidence column."""
    rows = _rows(hooks.render_limits())

    (row,) = [r for r in rows if r.startswith("| `PROJECTS_PER_WORKSPACE`")]
    assert "| documented |" in row


def test_emulator_help_is_a_text_block(hooks):
    """The emulator's help is rendered as a fenced text block."""
    text = hooks.render_emulator_help()

    assert text.startswith("```text\nusage: ")
    assert "--port" in text


def test_unknown_marker_fails_the_build(hooks):
    """A marker that names no generator stops the build."""
    config = types.SimpleNamespace(config_file_path=str(ROOT / "mkdocs.yml"))

    with pytest.raises(ValueError, match="unknown generated part"):
        hooks.on_page_markdown(
            "<!-- generated: nothing -->\n", None, config, None
        )


def test_source_stays_in_the_repository(hooks):
    """A source include may not leave the repository."""
    with pytest.raises(ValueError, match="no such file"):
        hooks.render_source(ROOT, "../outside.py")


def test_source_renders_a_fenced_file(hooks):
    """A source include is the file, fenced and titled."""
    text = hooks.render_source(ROOT, "examples/quickstart.py")

    assert text.startswith('```python title="examples/quickstart.py"\n')
    assert text.endswith("\n```\n")
