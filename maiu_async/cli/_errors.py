"""
Exit codes, and one line of text for every error the CLI expects.

Each `maiu_async.MaiuError` subclass has a fixed exit code and a label
that says, in a word or two, what kind of trouble it is.  The most
specific class in the table wins, so a new subclass inherits its
parent's row until it gets its own.

Strictly private.
"""

from __future__ import annotations

from typing import Final

from maiu_async.exceptions import (
    APIStatusError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    ConnectError,
    ConnectionLost,
    CredentialsNotFound,
    JournalError,
    MaiuError,
    NotFound,
    PermissionDenied,
    ProjectLimitExceeded,
    RateLimited,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
    UsageError,
    ValidationError,
)
from maiu_async.storage import (
    ObjectStorageError,
    ObjectStorageRefused,
    ObjectStorageUnavailable,
)


__all__ = [
    "EXIT_FAILURES",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "describe",
    "one_line",
]

#: Everything sendable was done.
EXIT_OK: Final = 0
#: The command ran, but some keys failed or their fate is unknown.
EXIT_FAILURES: Final = 1
#: The command cannot run as given: arguments, input, credentials, or a
#: workspace or project that does not exist.  Fix it before retrying.
EXIT_USAGE: Final = 2
#: The service or the network failed; retrying later may work.
EXIT_SERVICE: Final = 3
#: Stopped by Ctrl-C (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED: Final = 130

_CREDENTIALS_HINT = (
    "set NCLOUD_ACCESS_KEY_ID and NCLOUD_SECRET_ACCESS_KEY; "
    "no account? try `maiu-async demo`, or start `maiu-async emulator` "
    "and pass its URL with --endpoint"
)

# (class, exit code, label, hint or ""); most specific first only for
# readability: `describe` walks the exception's MRO.
_TABLE: Final[tuple[tuple[type[MaiuError], int, str, str], ...]] = (
    (CredentialsNotFound, EXIT_USAGE, "no credentials", _CREDENTIALS_HINT),
    (UsageError, EXIT_USAGE, "usage", ""),
    (ProjectLimitExceeded, EXIT_USAGE, "project limit reached", ""),
    (ValidationError, EXIT_USAGE, "invalid input", ""),
    (JournalError, EXIT_USAGE, "journal", ""),
    (
        AuthenticationFailed,
        EXIT_USAGE,
        "credentials rejected",
        "check the access key, its secret key and the system clock",
    ),
    (PermissionDenied, EXIT_USAGE, "permission denied", ""),
    (NotFound, EXIT_USAGE, "not found", ""),
    (Conflict, EXIT_USAGE, "already exists", ""),
    (BadRequest, EXIT_USAGE, "request refused", ""),
    (
        RateLimited,
        EXIT_SERVICE,
        "rate limited",
        "lower --rate or --concurrency",
    ),
    (ServerError, EXIT_SERVICE, "server error", "try again later"),
    (APIStatusError, EXIT_SERVICE, "API error", ""),
    (
        ConnectError,
        EXIT_SERVICE,
        "cannot connect",
        "check --endpoint (or $MAIU_ENDPOINT) and the network",
    ),
    (RequestTimeout, EXIT_SERVICE, "timed out", ""),
    (ConnectionLost, EXIT_SERVICE, "connection lost", ""),
    (TransportError, EXIT_SERVICE, "network error", ""),
    (ResponseDecodeError, EXIT_SERVICE, "unexpected answer", ""),
    (
        ObjectStorageRefused,
        EXIT_USAGE,
        "object storage refused",
        "check --bucket, --prefix, --s3-endpoint and the keys",
    ),
    (
        ObjectStorageUnavailable,
        EXIT_SERVICE,
        "object storage unavailable",
        "check --s3-endpoint and the network",
    ),
    (ObjectStorageError, EXIT_SERVICE, "object storage", ""),
    (MaiuError, EXIT_SERVICE, "error", ""),
)
_ROWS: Final = {cls: (code, label, hint) for cls, code, label, hint in _TABLE}


def one_line(text: str) -> str:
    """
    Fold *text* onto one line.

    Strictly private.
    """
    return " ".join(part.strip() for part in text.splitlines() if part)


def describe(exc: MaiuError) -> tuple[int, str]:
    """
    Return the exit code and the one-line message for *exc*.

    Strictly private.
    """
    for cls in type(exc).__mro__:
        row = _ROWS.get(cls)
        if row is not None:
            code, label, hint = row
            break
    else:  # pragma: no cover -- MaiuError is in the table
        raise AssertionError("unreachable")
    message = f"{label}: {one_line(str(exc))}"
    if hint:
        message += f" ({hint})"
    return code, message
