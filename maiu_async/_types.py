"""
Named types shared by the client and its resources.

Strictly private.
"""

from __future__ import annotations

import enum

from typing import Final, TypeAlias

from ._retry import RetryPolicy


__all__ = ["USE_CLIENT_DEFAULT", "RetryArg", "UseClientDefault"]


class UseClientDefault(enum.Enum):
    """
    The type of `USE_CLIENT_DEFAULT`: "not given", as opposed to ``None``.
    """

    USE_CLIENT_DEFAULT = enum.auto()

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"


#: Per-call arguments default to this: "whatever the client was given".
USE_CLIENT_DEFAULT: Final = UseClientDefault.USE_CLIENT_DEFAULT

#: A per-call retry policy: a policy, ``None`` (no retries) or the default.
RetryArg: TypeAlias = RetryPolicy | UseClientDefault | None
