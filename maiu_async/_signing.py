"""
NCP API Gateway signature v2 (HMAC-SHA256): signing and verifying.

Pure functions and a small signer object; no I/O, no HTTP library.
The client signs with it and the emulator verifies with it; both are
pinned by known-answer vectors computed outside our code.

Strictly private.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from ._credentials import Credentials


__all__ = ["Signer", "string_to_sign", "verify"]

HEADER_TIMESTAMP = "x-ncp-apigw-timestamp"
HEADER_ACCESS_KEY = "x-ncp-iam-access-key"
HEADER_SIGNATURE = "x-ncp-apigw-signature-v2"


def string_to_sign(
    method: str, path_with_query: str, timestamp_ms: str, access_key: str
) -> str:
    """
    Build the string the gateway signs: three lines, no trailing newline.

    Strictly private.
    """
    return f"{method} {path_with_query}\n{timestamp_ms}\n{access_key}"


def _sign(
    mac: hmac.HMAC,
    method: str,
    path_with_query: str,
    timestamp_ms: str,
    access_key: str,
) -> str:
    mac.update(
        string_to_sign(
            method, path_with_query, timestamp_ms, access_key
        ).encode()
    )
    return base64.b64encode(mac.digest()).decode("ascii")


class Signer:
    """
    Signs requests for one access key.

    The HMAC key schedule is computed once; each request signs with a copy.

    Strictly private.
    """

    __slots__ = ("_access_key", "_mac")

    def __init__(self, credentials: Credentials) -> None:
        self._access_key = credentials.access_key
        self._mac = hmac.new(
            credentials.secret_key.encode(), digestmod=hashlib.sha256
        )

    def __repr__(self) -> str:
        return "<Signer>"

    def signature(
        self, method: str, path_with_query: str, timestamp_ms: str
    ) -> str:
        """
        Return the Base64 signature of one request.
        """
        return _sign(
            self._mac.copy(),
            method,
            path_with_query,
            timestamp_ms,
            self._access_key,
        )

    def headers(
        self,
        method: str,
        path_with_query: str,
        timestamp_ms: str | None = None,
    ) -> dict[str, str]:
        """
        Return the four headers every request carries.

        Args:
            method: Upper-case HTTP method.
            path_with_query: The exact path and query put on the wire.
            timestamp_ms: Milliseconds since the epoch; now if omitted.

        """
        if timestamp_ms is None:
            timestamp_ms = str(time.time_ns() // 1_000_000)
        return {
            HEADER_TIMESTAMP: timestamp_ms,
            HEADER_ACCESS_KEY: self._access_key,
            HEADER_SIGNATURE: self.signature(
                method, path_with_query, timestamp_ms
            ),
            "Content-Type": "application/json",
        }


def verify(  # noqa: PLR0913 -- the four signed parts plus key and claim
    *,
    secret_key: str,
    method: str,
    path_with_query: str,
    timestamp_ms: str,
    access_key: str,
    signature: str,
) -> bool:
    """
    Check a signature in constant time.

    Strictly private.
    """
    mac = hmac.new(secret_key.encode(), digestmod=hashlib.sha256)
    expected = _sign(mac, method, path_with_query, timestamp_ms, access_key)
    return hmac.compare_digest(expected.encode(), signature.encode())
