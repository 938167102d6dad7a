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
    "EXIT_NOTHING",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "describe",
    "exit_for_signal",
    "failure_of",
    "one_line",
]

#: Everything sendable was done.
EXIT_OK: Final = 0
#: The command ran, but some keys failed or their fate is unknown (or,
#: with ``import --wait``, an import did not end ``COMPLETED``).
EXIT_FAILURES: Final = 1
#: The command cannot run as given: arguments, input, credentials, or a
#: workspace or project that does not exist.  Fix it before retrying.
EXIT_USAGE: Final = 2
#: The service or the network failed; retrying later may work.
EXIT_SERVICE: Final = 3
#: The input held no key that could be registered (none at all, or every
#: one skipped): a typo'd prefix, a CSV file, the wrong file.
EXIT_NOTHING: Final = 4
#: Stopped by Ctrl-C (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED: Final = 130
#: Stopped by SIGTERM (128 + 15); SIGHUP gives 129 the same way.
EXIT_TERMINATED: Final = 143

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


def exit_for_signal(signum: int) -> int:
    """
    The exit status of an import stopped in order by signal *signum*.

    128 + its number, as a shell reports a process a signal killed:
    130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.

    Strictly private.
    """
    return 128 + signum


def failure_of(exc: Exception) -> tuple[int, str]:
    """
    The exit code and one-line message of an expected failure.

    A `MaiuError` is described by the table; anything else (a keys file
    that is not UTF-8, a command's own failure) by its text, with its
    ``exit_code`` attribute or 2.

    Strictly private.
    """
    if isinstance(exc, MaiuError):
        return describe(exc)
    return getattr(exc, "exit_code", EXIT_USAGE), one_line(str(exc))


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
