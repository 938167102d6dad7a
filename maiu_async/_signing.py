"""
NCP API Gateway signature v2 (HMAC-SHA256): signing and verifying.

Pure functions and a small signer object; no I/O, no HTTP library.
The client signs with it and the emulator verifies with it; both are
pinned by known-answer vectors computed outside our code.

Strictly private.
"""

from __future__ import annotations

import base64
import binascii
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
#: Methods and paths whose first line's HMAC state a signer keeps.
_PREFIXES_KEPT = 256
#: SHA-256's block size, and the HMAC pads (RFC 2104).
_BLOCK = 64
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


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

    HMAC-SHA256 (RFC 2104) over `hashlib` directly: the padded key's
    inner and outer hash states are computed once; so is, for each method
    and path, the inner state after the string to sign's first line (a
    bulk job signs one path thousands of times).  Each request signs with
    copies, in C calls only (`hmac.HMAC` adds a Python frame per call).

    Strictly private.
    """

    __slots__ = (
        "_access_key",
        "_inner",
        "_last",
        "_last_key",
        "_outer",
        "_prefixes",
        "_tail",
    )

    def __init__(self, credentials: Credentials) -> None:
        self._access_key = credentials.access_key
        self._tail = "\n" + credentials.access_key
        key = credentials.secret_key.encode()
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))
        self._prefixes: dict[tuple[str, str], hashlib._Hash] = {}
        # The last headers made, by method, path and timestamp: a bulk
        # job sends several requests to one path each millisecond, and
        # they carry the same signature (it does not cover the body).
        self._last_key: tuple[str, str, str] | None = None
        self._last: dict[str, str] = {}

    def __repr__(self) -> str:
        return "<Signer>"

    def signature(
        self, method: str, path_with_query: str, timestamp_ms: str
    ) -> str:
        """
        Return the Base64 signature of one request.
        """
        inner = self._prefixes.get((method, path_with_query))
        if inner is None:
            inner = self._prefixed(method, path_with_query)
        inner = inner.copy()
        inner.update((timestamp_ms + self._tail).encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return binascii.b2a_base64(outer.digest(), newline=False).decode()

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
        key = (method, path_with_query, timestamp_ms)
        if key == self._last_key:
            return self._last.copy()
        headers = {
            HEADER_TIMESTAMP: timestamp_ms,
            HEADER_ACCESS_KEY: self._access_key,
            HEADER_SIGNATURE: self.signature(
                method, path_with_query, timestamp_ms
            ),
            "Content-Type": "application/json",
        }
        self._last_key, self._last = key, headers
        return headers.copy()

    def _prefixed(self, method: str, path_with_query: str) -> hashlib._Hash:
        prefixes = self._prefixes
        if len(prefixes) >= _PREFIXES_KEPT:
            # Paths with ids in them are many; the hot ones come back.
            prefixes.clear()
        inner = self._inner.copy()
        inner.update(f"{method} {path_with_query}\n".encode())
        prefixes[method, path_with_query] = inner
        return inner


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
