"""
What goes wrong when Object Storage is listed, in the SDK's error tree.

::

    MaiuError
    └── ObjectStorageError            .operation, .bucket, .code, .status
        ├── ObjectStorageRefused      the store said no (4xx): no such
        │                             bucket, access denied, bad keys
        └── ObjectStorageUnavailable  no usable answer: network, timeout,
                                      5xx after the client's retries

botocore's exceptions never leave this package: `translate` maps them
at the boundary, as ``_transport`` does for aiohttp's.

Strictly private; the classes are re-exported by ``maiu_async.storage``.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import MaiuError


__all__ = [
    "ObjectStorageError",
    "ObjectStorageRefused",
    "ObjectStorageUnavailable",
    "translate",
]


class ObjectStorageError(MaiuError):
    """
    An Object Storage request failed.

    Attributes:
        operation: The S3 operation (``ListObjects``, ``HeadObject``).
        bucket: The bucket it was about.
        code: The S3 error code (``NoSuchBucket``, ``AccessDenied``...),
            or ``None`` when there was no answer.
        status: The HTTP status, or ``None`` when there was no answer.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        bucket: str,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.bucket = bucket
        self.code = code
        self.status = status


class ObjectStorageRefused(ObjectStorageError):
    """
    Object Storage refused the request (4xx): fix it before retrying.

    .. versionadded:: 0.1.0

    """


class ObjectStorageUnavailable(ObjectStorageError):
    """
    Object Storage gave no usable answer; retrying later may work.

    .. versionadded:: 0.1.0

    """


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
