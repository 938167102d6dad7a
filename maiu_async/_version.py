"""
The installed package's version: its one home.

Read from the package's metadata, once per process (finding it on disk
takes a few milliseconds).

Strictly private.
"""

from __future__ import annotations

import functools

from importlib.metadata import PackageNotFoundError, version


__all__ = ["package_version"]


@functools.cache
def package_version() -> str | None:
    """
    Return the installed version of maiu-async, or ``None``.

    ``None`` when the package runs from a checkout that is not installed.
    """
    try:
        return version("maiu-async")
    except PackageNotFoundError:  # pragma: no cover -- run from a checkout
        return None
