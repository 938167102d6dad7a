# ruff: noqa: INP001
# (A MkDocs hook file, loaded by path from mkdocs.yml: not a package.)
"""
MkDocs hooks: pages generated from the package, so they cannot drift.

A page asks for a generated part with a marker line of its own::

    <!-- generated: error-codes -->

Markers:

- ``error-codes``: the table of ``maiu_async._errorcodes``;
- ``limits``: every value of ``maiu_async.limits``, with its evidence tag
  and the comment written beside it;
- ``emulator-help``: the help of ``python -m maiu_async.emulator``, the
  argparse twin of ``maiu-async emulator`` (the same options);
- ``source PATH``: a file of the repository (an example script), as a
  fenced block; the examples run as scripts in the test suite, so this
  keeps them out of the snippet runner and out of ``ruff format``.

An unknown marker fails the build.  The footer shows the version the
installed package reports (``importlib.metadata``, from the git tags).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata
import inspect
import io
import os
import re

from pathlib import Path
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page


__all__ = [
    "on_config",
    "on_page_markdown",
    "render_emulator_help",
    "render_error_codes",
    "render_limits",
    "render_source",
]

_MARKER = re.compile(
    r"^<!-- generated: ([a-z-]+)(?: (\S+))? -->$", re.MULTILINE
)
_TAG = re.compile(r"\[(D|I|\?|3P)\]")
_SECTION = re.compile(r"^# -+ (.+?) -*$")
_EVIDENCE = {
    "D": "documented",
    "I": "inferred",
    "?": "our choice",
    "3P": "third-party clients",
}
_HELP_WIDTH = "79"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """
    Stamp the installed package's version into the footer.
    """
    version = importlib.metadata.version("maiu-async")
    config["copyright"] = f"maiu-async {version} · MIT licence"
    return config


def on_page_markdown(
    markdown: str,
    page: Page,  # noqa: ARG001 -- the hook's signature
    config: MkDocsConfig,
    files: Files,  # noqa: ARG001 -- the hook's signature
) -> str:
    """
    Replace every ``<!-- generated: NAME [ARG] -->`` line with its content.

    Raises:
        ValueError: A marker names no generator, or its argument is wrong.

    """
    root = Path(config.config_file_path).parent

    def replace(match: re.Match[str]) -> str:
        name, argument = match.group(1), match.group(2)
        if name == "source":
            if argument is None:
                raise ValueError("`generated: source` needs a path")
            return render_source(root, argument)
        render = GENERATORS.get(name)
        if render is None or argument is not None:
            raise ValueError(f"unknown generated part {match.group(0)!r}")
        return render()

    return _MARKER.sub(replace, markdown)


def _cell(text: str) -> str:
    # Prose from the modules' comments, in a table cell: outside code
    # spans, a pipe would end the cell and `10**9` would turn bold.
    parts = re.split(r"(`+[^`]*`+)", text.replace("\n", " "))
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([|*_])", r"\\\1", parts[i])
    return "".join(parts)


def _code(text: str) -> str:
    # A code span whose fence is longer than any backtick run inside.
    longest = max((len(r) for r in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_error_codes() -> str:
    """
    Return the error-code table as Markdown, one row per code.
    """
    from maiu_async import _errorcodes  # noqa: PLC0415 -- at build time

    lines = [
        "| source | code | HTTP | message | evidence | raises |",
        "|---|---|---|---|---|---|",
    ]
    for row in sorted(_errorcodes.TABLE, key=lambda r: (r.source, r.code)):
        exc = row.exception.__name__
        lines.append(
            f"| {row.source} | {_code(row.code)} | {row.status} "
            f"| {_cell(row.message)} | {_EVIDENCE[row.evidence]} "
            f"| [`{exc}`][maiu_async.exceptions.{exc}] |"
        )
    return "\n".join(lines) + "\n"


def _comment_blocks(source: str) -> dict[int, list[str]]:
    # Line number of each assignment -> the `#:` lines right above it.
    blocks: dict[int, list[str]] = {}
    pending: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
            continue
        if pending:
            blocks[number] = pending
        pending = []
    return blocks


def _sections(source: str) -> dict[int, str]:
    # `# --- analysis, indexes ---` lines start a section.
    found: dict[int, str] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = _SECTION.match(line)
        if match:
            found[number] = match.group(1)
    return found


def _value(obj: object) -> str:
    if isinstance(obj, frozenset):
        return " ".join(_code(str(item)) for item in sorted(obj))
    if isinstance(obj, re.Pattern):
        return _code(obj.pattern)
    if isinstance(obj, tuple):
        return " ".join(_code(str(item)) for item in obj)
    if isinstance(obj, int) and not isinstance(obj, bool):
        return _code(f"{obj:_}")
    return _code(repr(obj))


def _limit_rows(module: Any) -> Iterator[tuple[str | None, str]]:  # noqa: ANN401 -- a module
    source = inspect.getsource(module)
    comments = _comment_blocks(source)
    sections = _sections(source)
    public = set(module.__all__)
    section_lines = sorted(sections)
    for node in ast.parse(source).body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in public
        ):
            continue
        name = node.targets[0].id
        above = [n for n in section_lines if n < node.lineno]
        section = sections[above[-1]] if above else None
        text = " ".join(comments.get(node.lineno, []))
        tags = _TAG.findall(text)
        evidence = ", ".join(_EVIDENCE[t] for t in tags) or "see the note"
        note = re.sub(r"\s+", " ", _TAG.sub("", text)).strip()
        note = re.sub(r" ([.,;:])", r"\1", note) or "as above"
        expression = ast.get_source_segment(source, node.value) or ""
        value = _value(getattr(module, name))
        if expression and expression != repr(getattr(module, name)):
            value = f"{value} ({_code(expression)})"
        cells = (_code(name), value, evidence, _cell(note))
        yield section, "| " + " | ".join(cells) + " |"


def render_limits() -> str:
    """
    Return every limit as Markdown tables, one per section of the module.
    """
    from maiu_async import limits  # noqa: PLC0415 -- at build time

    header = [
        "| name | value | evidence | note |",
        "|---|---|---|---|",
    ]
    out: list[str] = []
    current: object = object()
    for section, row in _limit_rows(limits):
        if section != current:
            current = section
            title = "General" if section is None else section.capitalize()
            out += ["", f"### {title}", "", *header]
        out.append(row)
    return "\n".join(out).lstrip("\n") + "\n"


def render_emulator_help() -> str:
    """
    Return ``python -m maiu_async.emulator --help`` as a text block.

    The argparse front end: the same options as ``maiu-async emulator``
    (one table builds both), whose click help the reference shows.
    """
    from maiu_async.emulator._cli import main  # noqa: PLC0415 -- build time

    buffer = io.StringIO()
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = _HELP_WIDTH
    try:
        with (
            contextlib.redirect_stdout(buffer),
            contextlib.suppress(SystemExit),
        ):
            main(["--help"])
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    text = buffer.getvalue().strip()
    if not text:
        raise ValueError("the emulator's --help printed nothing")
    return f"```text\n{text}\n```\n"


def render_source(root: Path, relative: str) -> str:
    """
    Return the file *relative* to *root* as a fenced block.

    Raises:
        ValueError: The path leaves *root*, or is not a file.

    """
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise ValueError(f"no such file in the repository: {relative}")
    language = {".py": "python", ".sh": "sh"}.get(path.suffix, "text")
    text = path.read_text(encoding="utf-8").rstrip("\n")
    return f'```{language} title="{relative}"\n{text}\n```\n'


GENERATORS: dict[str, Callable[[], str]] = {
    "error-codes": render_error_codes,
    "limits": render_limits,
    "emulator-help": render_emulator_help,
}
