"""
The service error the emulator's state and handlers raise.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from maiu_async._errorcodes import ErrorCode


__all__ = ["ServiceError"]


class ServiceError(Exception):
    """
    A request the service refuses with one row of the error table.

    The dispatcher turns it into an error body; the seeding helpers of
    `EmulatorState` let it propagate to the test that called them.

    Attributes:
        row: The error table row (status, code, message).
        detail: Why, for people reading a test failure; never sent.

    """

    def __init__(self, row: ErrorCode, detail: str) -> None:
        super().__init__(f"{row.code} {row.message} ({detail})")
        self.row = row
        self.detail = detail
