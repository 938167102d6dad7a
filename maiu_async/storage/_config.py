"""
Where Object Storage is and how to talk to it: `StorageConfig`.

The defaults are NCP Object Storage's, from the API reference (§4.1):

- endpoint ``https://kr.object.ncloudstorage.com``, region
  ``kr-standard`` [D];
- the same NCP access key and secret key as the Media Intelligence API
  [D], resolved the same way when none are given;
- path-style addressing (``https://endpoint/bucket/key``), which public
  NCP code uses throughout; virtual-hosted buckets are unverified [I];
- checksums only "when required": recent botocore releases add CRC
  checksums by default, which S3-compatible stores may reject [3P].

Strictly private; the names are re-exported by ``maiu_async.storage``.
"""

from __future__ import annotations

import contextlib
import os

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import attrs

from attrs import validators as v

from .. import limits
from .._credentials import (
    ENV_S3_ENDPOINT,
    ENV_S3_REGION,
    Credentials,
    resolve_credentials,
)
from ..exceptions import UsageError


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


__all__ = ["Checksum", "StorageConfig", "open_s3_client"]

#: When botocore computes and checks checksums: ``"when_required"`` (only
#: for operations that demand one) or ``"when_supported"`` (botocore's own
#: default since 1.36).
Checksum = Literal["when_required", "when_supported"]

_INSTALL_HINT = "pip install 'maiu-async[s3]'"


def _check_endpoint(
    _inst: object, _attribute: attrs.Attribute[str] | None, value: str
) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
    ):
        raise UsageError(
            f"Object Storage endpoint must be an http(s) URL, not {value!r}"
        )


def _check_non_empty(
    _inst: object, attribute: attrs.Attribute[str], value: str
) -> None:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"Object Storage {attribute.name} is empty")


def _check_range(lo: int, hi: int | None = None) -> Any:  # noqa: ANN401
    def check(
        _inst: object, attribute: attrs.Attribute[int], value: int
    ) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < lo
            or (hi is not None and value > hi)
        ):
            most = "" if hi is None else f" to {hi}"
            raise UsageError(
                f"Object Storage {attribute.name} must be an integer from "
                f"{lo}{most}, not {value!r}"
            )

    return check


def _check_seconds(
    _inst: object, attribute: attrs.Attribute[float], value: float
) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not value > 0
    ):
        raise UsageError(
            f"Object Storage {attribute.name} must be a positive number "
            f"of seconds, not {value!r}"
        )


def _default_endpoint() -> str:
    value = os.environ.get(ENV_S3_ENDPOINT) or limits.OBJECT_STORAGE_ENDPOINT
    try:
        _check_endpoint(None, None, value)
    except UsageError:
        raise UsageError(
            f"${ENV_S3_ENDPOINT} must be an http(s) URL, not {value!r}"
        ) from None
    return value


def _default_region() -> str:
    return os.environ.get(ENV_S3_REGION) or limits.OBJECT_STORAGE_REGION


@attrs.frozen(kw_only=True)
class StorageConfig:
    """
    How to reach NCP Object Storage (or any S3-compatible store).

    Every field has NCP's default; override what differs::

        StorageConfig(endpoint="https://us.object.ncloudstorage.com",
                      region="us-standard")

    Attributes:
        endpoint: The store's base URL; ``$MAIU_S3_ENDPOINT`` (as in the
            CLI), else NCP's Korean endpoint, if omitted.
        region: The region name requests are signed for;
            ``$MAIU_S3_REGION``, else ``kr-standard``, if omitted.
        credentials: The key pair; ``None`` resolves the NCP keys as
            `maiu_async.MaiuClient` does (``NCLOUD_ACCESS_KEY_ID`` /
            ``NCLOUD_SECRET_ACCESS_KEY``, then ``NCLOUD_ACCESS_KEY`` /
            ``NCLOUD_SECRET_KEY``, then ``~/.ncloud/configure``) when the
            store is opened.  Its repr never shows the secret.
        path_style: Address buckets in the path (NCP's documented form)
            rather than in the host name.
        checksum: When checksums are computed and checked.
        page_size: Objects asked for per ``ListObjects`` call, 1 to
            1,000 (the service's maximum).
        max_attempts: Attempts per request, retries included (botocore's
            "standard" retry mode: throttling, 5xx and network errors).
        connect_timeout: Seconds to connect.
        read_timeout: Seconds to wait for an answer.

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0
       *endpoint* and *region* default to ``$MAIU_S3_ENDPOINT`` and
       ``$MAIU_S3_REGION``.

    """

    endpoint: str = attrs.field(
        factory=_default_endpoint, validator=_check_endpoint
    )
    region: str = attrs.field(
        factory=_default_region, validator=_check_non_empty
    )
    credentials: Credentials | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Credentials))
    )
    path_style: bool = attrs.field(default=True, validator=v.instance_of(bool))
    checksum: Checksum = attrs.field(
        default="when_required",
        validator=v.in_(("when_required", "when_supported")),
    )
    page_size: int = attrs.field(
        default=limits.OBJECT_STORAGE_LIST_MAX_KEYS,
        validator=_check_range(1, limits.OBJECT_STORAGE_LIST_MAX_KEYS),
    )
    max_attempts: int = attrs.field(default=5, validator=_check_range(1))
    connect_timeout: float = attrs.field(
        default=10.0, validator=_check_seconds
    )
    read_timeout: float = attrs.field(default=60.0, validator=_check_seconds)


@contextlib.asynccontextmanager
async def open_s3_client(config: StorageConfig) -> AsyncIterator[Any]:
    """
    Open an aiobotocore S3 client for *config*; close it on exit.

    Raises:
        UsageError: aiobotocore (the ``s3`` extra) is not installed.
        CredentialsNotFound: No credentials were given or found.

    Strictly private.
    """
    try:
        from aiobotocore.config import AioConfig  # noqa: PLC0415 -- extra
        from aiobotocore.session import get_session  # noqa: PLC0415
    except ImportError:
        raise UsageError(
            "listing Object Storage needs the 's3' extra (aiobotocore): "
            + _INSTALL_HINT
        ) from None
    creds = config.credentials or resolve_credentials()
    client_config = AioConfig(
        s3={"addressing_style": "path" if config.path_style else "virtual"},
        request_checksum_calculation=config.checksum,
        response_checksum_validation=config.checksum,
        retries={
            "total_max_attempts": config.max_attempts,
            "mode": "standard",
        },
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
    )
    session = get_session()
    # Listings carry a LastModified per object that we never read, and
    # botocore parses each with dateutil: a third of a millisecond per
    # object, minutes of CPU for a million keys.  Leave them as text.
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=str
    )
    async with session.create_client(
        "s3",
        endpoint_url=config.endpoint,
        region_name=config.region,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        config=client_config,
    ) as client:
        yield client
