"""
botocore's failures, translated into the SDK's error tree.

The classes (`ObjectStorageError` and its two subclasses) live in
`maiu_async.exceptions` with the rest of the tree.  botocore's exceptions
never leave this package: `translate` maps them at the boundary, as
``_transport`` does for aiohttp's.

Strictly private.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import (
    ObjectStorageError,
    ObjectStorageRefused,
    ObjectStorageUnavailable,
)


__all__ = ["translate"]


def translate(
    exc: BaseException, *, operation: str, bucket: str
) -> ObjectStorageError | None:
    """
    Map a botocore, aiohttp or OS error to an `ObjectStorageError`.

    Returns ``None`` for anything else (a bug: let it propagate).

    Strictly private.
    """
    from botocore.exceptions import (  # noqa: PLC0415 -- the s3 extra
        BotoCoreError,
        ClientError,
    )

    if isinstance(exc, ClientError):
        response: Any = exc.response or {}
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        status = meta.get("HTTPStatusCode")
        code = error.get("Code") or None
        text = error.get("Message") or ""
        message = (
            f"{operation} on bucket {bucket!r}: "
            f"{code or 'error'} (HTTP {status})"
            + (f": {text}" if text and text != code else "")
        )
        cls: type[ObjectStorageError] = (
            ObjectStorageRefused
            if isinstance(status, int) and 400 <= status < 500
            else ObjectStorageUnavailable
        )
        return cls(
            message,
            operation=operation,
            bucket=bucket,
            code=code,
            status=status if isinstance(status, int) else None,
        )
    if isinstance(exc, BotoCoreError | OSError | TimeoutError):
        # botocore's texts name the endpoint, never a credential.
        return ObjectStorageUnavailable(
            f"{operation} on bucket {bucket!r}: {exc}",
            operation=operation,
            bucket=bucket,
        )
    return None
