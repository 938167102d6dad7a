"""
The ``maiu-async`` command.

Its commands need the ``cli`` extra (click and rich)::

    pip install 'maiu-async[cli]'

Without it, `main` prints that hint and exits 2, except for
``maiu-async emulator ...``, which is then forwarded to the emulator's
own argparse entry point (the same flags, from one table), so the
emulator runs on a bare install.
"""

from __future__ import annotations

import importlib.util
import sys

from typing import TYPE_CHECKING

from ._errors import EXIT_USAGE


if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["main"]

_EXTRA = ("click", "rich")
_INSTALL_HINT = "pip install 'maiu-async[cli]'"


def _missing_dependency() -> str | None:
    for name in _EXTRA:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):
            return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``maiu-async`` command line.

    It can be called in-process: it returns instead of calling
    `sys.exit`, writes to `sys.stdout` and `sys.stderr` as they are at the
    time, and keeps no state between calls.  It runs its own event loop
    (`asyncio.run`), so call it from a thread with no running loop.

    Args:
        argv: The arguments, without the program name; ``sys.argv[1:]`` if
            omitted.

    Returns:
        The exit status: 0 success, 1 some keys failed or are unknown,
        2 usage, input or credential error, 3 service or network error,
        4 nothing to send, 129 SIGHUP, 130 interrupted (Ctrl-C),
        143 SIGTERM.

    """
    args = list(sys.argv[1:] if argv is None else argv)
    missing = _missing_dependency()
    if missing is not None and args[:1] == ["emulator"]:
        # The emulator's own argparse front end: the same flags.  Imported
        # here: no other command loads the emulator.
        from ._passthrough import run_emulator  # noqa: PLC0415

        return run_emulator(args[1:])
    if missing is not None:
        sys.stderr.write(
            f"maiu-async: this command needs the 'cli' extra ({missing} is "
            f"not installed); install it with: {_INSTALL_HINT}\n"
        )
        return EXIT_USAGE
    from ._group import run  # noqa: PLC0415 -- click is optional

    return run(args)
