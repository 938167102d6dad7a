"""
``maiu-async emulator ...``: forwarded to the emulator's own entry point.

Plain Python, no click: the emulator must run on a bare install.

Strictly private.
"""

from __future__ import annotations

import sys

from typing import TYPE_CHECKING

from maiu_async.emulator._cli import main


if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["run_emulator"]


def run_emulator(args: Sequence[str]) -> int:
    """
    Run the emulator's command line with *args*; return its exit status.

    Its argparse ends ``--help`` and bad arguments with `SystemExit`,
    which is turned into the status here, so that ``main`` returns
    instead of ending the interpreter.
    """
    try:
        return main(list(args))
    except SystemExit as exc:
        return _status(exc.code)


def _status(code: object) -> int:
    # The interpreter's rules for `sys.exit(code)`: None is success, an
    # int is the status, anything else is printed and means 1.
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1
