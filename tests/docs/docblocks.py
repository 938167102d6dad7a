"""
Find the runnable code blocks of Markdown files.

A fenced block runs when its language is Python (``python``, ``py``,
``python3``) or shell (``sh``, ``bash``, ``shell``, ``console``,
``zsh``); every other fence (``text``, ``toml``...) is prose.

A block that cannot run says so in an HTML comment on the last non-blank
line before its fence, with a reason::

    <!-- not-run: installs from PyPI -->
    ```sh
    pip install maiu-async
    ```

Such blocks are counted, never silently dropped: a marker without a
reason, or one that is not followed by a runnable fence, is an error.

A shell block that serves until Ctrl-C (a server) says so the same way::

    <!-- background: serves until Ctrl-C -->
    ```sh
    python -m maiu_async.emulator --port 8080
    ```

The runner starts it, waits until it prints the URL it serves, runs the
page's next blocks against it and stops it after the page.
"""

from __future__ import annotations

import re

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs


if TYPE_CHECKING:
    from collections.abc import Iterator


__all__ = ["Block", "MarkdownError", "blocks_of"]

Kind = Literal["python", "sh"]

LANGUAGES: dict[str, Kind] = {
    "python": "python",
    "py": "python",
    "python3": "python",
    "sh": "sh",
    "bash": "sh",
    "shell": "sh",
    "console": "sh",
    "zsh": "sh",
}
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_MARKER = re.compile(
    r"^<!--\s*(?P<kind>not-run|background):\s*(?P<reason>.*?)\s*-->$"
)
_MARKER_PREFIX = re.compile(r"^<!--\s*(?P<kind>not-run|background)\b")


class MarkdownError(ValueError):
    """
    A file breaks the conventions above; the message names file and line.
    """


@attrs.frozen(kw_only=True)
class Block:
    """
    One runnable fenced block.

    Attributes:
        path: The Markdown file.
        line: The line of the opening fence, from 1.
        kind: ``"python"`` or ``"sh"``.
        source: The code, without its fence and common indentation.
        not_run: The marker's reason, or ``None`` for a block that runs.
        background: For a server's block, its marker's reason, else
            ``None``.

    """

    path: Path
    line: int
    kind: Kind
    source: str
    not_run: str | None = None
    background: str | None = None

    def where(self, root: Path) -> str:
        """
        Return ``FILE:LINE``, relative to *root* when possible.
        """
        try:
            name = self.path.relative_to(root).as_posix()
        except ValueError:
            name = str(self.path)
        return f"{name}:{self.line}"


def _language(info: str) -> str:
    # ```python title="x.py"` and ``` { .python } both name python.
    info = info.strip().lstrip("{").strip()
    first = info.split(maxsplit=1)[0] if info else ""
    return first.lstrip(".").lower()


def _dedent(lines: list[str], indent: str) -> str:
    return "\n".join(
        line[len(indent) :] if line.startswith(indent) else line.lstrip()
        for line in lines
    )


def _fence_end(lines: list[str], start: int, fence: re.Match[str]) -> int:
    # The index of the closing fence line: the same character, as long.
    mark = fence["fence"]
    close = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
    for index in range(start, len(lines)):
        if close.match(lines[index]):
            return index
    raise MarkdownError(f"line {start}: the fence is not closed")


def _items(lines: list[str]) -> Iterator[tuple[int, str | Block]]:
    # (line, "KIND:REASON") for markers, (line, Block) for runnable
    # fences and (line, "") for anything else that is not blank.
    index = 0
    while index < len(lines):
        text, number = lines[index], index + 1
        index += 1
        fence = _FENCE.match(text)
        if fence is None:
            stripped = text.strip()
            prefix = _MARKER_PREFIX.match(stripped)
            if prefix is not None:
                match = _MARKER.match(stripped)
                if match is None or not match.group("reason"):
                    raise MarkdownError(
                        f"line {number}: write "
                        f"'<!-- {prefix['kind']}: REASON -->' with a reason"
                    )
                yield number, f"{match['kind']}:{match['reason']}"
            elif stripped:
                yield number, ""
            continue
        end = _fence_end(lines, index, fence)
        kind = LANGUAGES.get(_language(fence["info"]))
        body = _dedent(lines[index:end], fence["indent"])
        index = end + 1
        if kind is None:
            yield number, ""
        else:
            yield (
                number,
                Block(path=Path(), line=number, kind=kind, source=body),
            )


def blocks_of(path: Path) -> list[Block]:
    """
    Return the runnable blocks of *path*, in order, marked ones included.

    Raises:
        MarkdownError: A fence is not closed, or a ``not-run`` marker is
            malformed or stands before no runnable block.

    """
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    marker: tuple[int, str, str] | None = None
    try:
        for number, item in _items(lines):
            if isinstance(item, Block):
                found.append(_marked(attrs.evolve(item, path=path), marker))
                marker = None
                continue
            if marker is not None:
                break
            if item:
                kind, _, reason = item.partition(":")
                if kind in {"not-run", "background"}:
                    marker = (number, kind, reason)
    except MarkdownError as exc:
        raise MarkdownError(f"{path}: {exc}") from None
    if marker is not None:
        raise MarkdownError(
            f"{path}:{marker[0]}: a {marker[1]} marker must stand right "
            "before a python or sh block"
        )
    return found


def _marked(block: Block, marker: tuple[int, str, str] | None) -> Block:
    if marker is None:
        return block
    number, kind, reason = marker
    if kind == "not-run":
        return attrs.evolve(block, not_run=reason)
    if block.kind != "sh":
        raise MarkdownError(
            f"line {number}: a background marker must stand before a sh block"
        )
    return attrs.evolve(block, background=reason)
