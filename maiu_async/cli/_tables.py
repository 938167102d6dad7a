"""
How the resource commands speak: human output on stderr, JSON on stdout.

- Human output (sentences, tables, records) goes to stderr: drawn as a
  rich table when stderr is a terminal, as plain aligned text without
  box drawing otherwise (a log file, a pipe, cron).
- ``--json`` output goes to stdout, and nothing else does, so that
  ``maiu-async ... --json | jq`` always reads one JSON document.
- Destructive commands ask on a terminal, take ``--yes``, and without a
  terminal and without ``--yes`` refuse (exit 2) rather than guess.

Strictly private.
"""

from __future__ import annotations

import sys

from typing import TYPE_CHECKING, Final

import click

from ._errors import EXIT_USAGE
from ._options import CommandFailed


if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


__all__ = [
    "confirm_deletion",
    "is_terminal",
    "say",
    "show_record",
    "show_table",
    "yes_option",
]

_GAP: Final = "  "

yes_option: Final = click.option(
    "--yes",
    "-y",
    "assume_yes",
    is_flag=True,
    help="Do not ask for confirmation (needed without a terminal).",
)


def is_terminal(stream: TextIO) -> bool:
    """
    Whether *stream* is an interactive terminal.
    """
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def say(message: str) -> None:
    """
    Print a human message on stderr.
    """
    click.echo(message, err=True)


def _plain_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [
            max(w, len(cell)) for w, cell in zip(widths, row, strict=True)
        ]
    lines = [
        _GAP.join(
            cell.ljust(w) for cell, w in zip(line, widths, strict=True)
        ).rstrip()
        for line in (columns, *rows)
    ]
    return "\n".join(lines)


def show_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    empty: str,
) -> None:
    """
    Print *rows* under *columns* on stderr; *empty* if there are none.

    A rich table on a terminal, plain aligned columns otherwise.
    """
    if not rows:
        say(empty)
        return
    stream = sys.stderr
    if not is_terminal(stream):
        say(_plain_table(columns, rows))
        return
    # Rich only for a terminal: a command piped or logged never loads it.
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    table = Table(box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    Console(file=stream, highlight=False).print(table)


def show_record(pairs: Sequence[tuple[str, str]]) -> None:
    """
    Print one object's fields as aligned ``name  value`` lines on stderr.
    """
    width = max(len(name) for name, _ in pairs)
    say(
        "\n".join(f"{name.ljust(width)}{_GAP}{value}" for name, value in pairs)
    )


def confirm_deletion(what: str, *, assume_yes: bool) -> bool:
    """
    Whether to delete *what*: ``--yes``, or the user says so.

    Raises:
        CommandFailed: Standard input is not a terminal and ``--yes`` was
            not given (exit 2): nobody can answer, and deleting by
            default would be a guess.

    """
    if assume_yes:
        return True
    if not is_terminal(sys.stdin):
        raise CommandFailed(
            f"not deleting {what} without confirmation: standard input is "
            "not a terminal; pass --yes to delete",
            EXIT_USAGE,
        )
    return click.confirm(
        f"Delete {what}? This cannot be undone", default=False, err=True
    )
