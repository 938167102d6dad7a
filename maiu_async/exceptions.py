"""
Every error maiu_async raises, in one tree.

::

    MaiuError
    ├── UsageError(RuntimeError)      programmer mistakes: client not open,
    │                                 reopened, bad configuration
    ├── CredentialsNotFound           no access key / secret key anywhere
    ├── ValidationError(ValueError)   input refused before anything was sent;
    │   │                             .field, .value
    │   └── ProjectLimitExceeded      the 1000-projects-per-workspace cap
    ├── TransportError                no usable response; .method, .url,
    │   │                             .request_sent
    │   ├── ConnectError              never reached the server (not sent)
    │   ├── RequestTimeout            timed out (sent unless connecting)
    │   └── ConnectionLost            dropped mid-exchange (maybe processed)
    ├── APIStatusError                the API said no; .status, .api_code,
    │   │                             .api_message, .request_id, .body
    │   ├── BadRequest            400
    │   ├── AuthenticationFailed  401 (bad signature, key, clock skew)
    │   ├── PermissionDenied      403 (and gateway code 210)
    │   ├── NotFound              404
    │   ├── Conflict              409 (duplicate name, existing workspace)
    │   ├── RateLimited           429; .retry_after
    │   └── ServerError           5xx
    ├── ResponseDecodeError       the body did not fit the model
    ├── JournalError              corrupt journal or resume mismatch
    └── ObjectStorageError        listing Object Storage failed;
        │                         .operation, .bucket, .code, .status
        ├── ObjectStorageRefused      the store said no (4xx): no such
        │                             bucket, access denied, bad keys
        └── ObjectStorageUnavailable  no usable answer: network, timeout,
                                      5xx after the client's retries

    UserWarning
    └── InsecureTLSWarning        TLS certificate verification is off

Which API code maps to which class is decided in one table,
``maiu_async._errorcodes``; botocore's errors become
``ObjectStorageError`` in ``maiu_async.storage``.
No exception keeps a signature, a secret or a live response object.
"""

from __future__ import annotations

from typing import Any, Final


__all__ = [
    "APIStatusError",
    "AuthenticationFailed",
    "BadRequest",
    "Conflict",
    "ConnectError",
    "ConnectionLost",
    "CredentialsNotFound",
    "InsecureTLSWarning",
    "JournalError",
    "LeaseRevoked",
    "MaiuError",
    "NotFound",
    "ObjectStorageError",
    "ObjectStorageRefused",
    "ObjectStorageUnavailable",
    "PermissionDenied",
    "ProjectLimitExceeded",
    "RateLimited",
    "RequestTimeout",
    "ResponseDecodeError",
    "ServerError",
    "TransportError",
    "UsageError",
    "ValidationError",
]


#: Longest echo of a user's value in a message, in characters.
ECHO_MAX_CHARS: Final = 200


def echo(value: object, limit: int = ECHO_MAX_CHARS) -> str:
    """
    Return ``repr(value)``, cut to *limit* characters with its length.

    Every message that quotes a value the user gave goes through here, so
    that a 100 MB input line makes a message of a few hundred characters:
    ``'xxxx...' (10000 characters)``.

    Strictly private.
    """
    if isinstance(value, str | bytes) and len(value) > limit:
        unit = "characters" if isinstance(value, str) else "bytes"
        return f"{value[:limit]!r}... ({len(value)} {unit})"
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters of repr)"
    return text


def cut(text: str, limit: int) -> str:
    """
    Return *text*, cut to *limit* characters with its length if longer.

    Strictly private.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


class MaiuError(Exception):
    """
    Base class of every error raised by maiu_async.
    """


class UsageError(MaiuError, RuntimeError):
    """
    The SDK was used in a way it does not support.

    For example: a client used outside ``async with``, or opened twice.
    """


class LeaseRevoked(UsageError):
    """
    The budget refused a shard's lease: the shard moved on without it.

    Raised in a sharded import (`maiu_async.distributed`) by a worker
    whose shard was rescheduled elsewhere.  A `UsageError`, so that a
    bulk job stops at once, as it does for any systemic failure.

    .. versionadded:: 26.1.0
    """


class CredentialsNotFound(MaiuError):
    """
    No credentials could be resolved.

    Attributes:
        searched: Where we looked, in order, for the message.

    """

    def __init__(self, *, searched: tuple[str, ...]) -> None:
        self.searched = searched
        super().__init__(
            "no NCP API credentials found; looked in: " + "; ".join(searched)
        )


class ValidationError(MaiuError, ValueError):
    """
    Input was refused before any request was sent.

    The message quotes the value, cut to 200 characters (with its length)
    when it is longer.

    Attributes:
        field: The name of the offending argument (``"name"``, ``"key"``).
        value: The offending value, whole.
        reason: Why it was refused, in words.

    """

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"invalid {field} {echo(value)}: {reason}")


class ProjectLimitExceeded(ValidationError):
    """
    Creating a project would exceed the per-workspace project cap.

    Raised by the client without sending anything once the workspace is
    known to be full; if the server reports the cap, its
    `APIStatusError` is the ``__cause__``.

    Attributes:
        workspace: The workspace that is full.
        limit: The cap (`maiu_async.limits.PROJECTS_PER_WORKSPACE`).

    """

    def __init__(self, *, workspace: str, limit: int, name: str) -> None:
        self.workspace = workspace
        self.limit = limit
        # A ValidationError for compatibility, but the name is fine: say
        # what is wrong, not "invalid name".
        self.field = "name"
        self.value = name
        self.reason = (
            f"workspace {workspace!r} already holds the maximum of "
            f"{limit} projects"
        )
        MaiuError.__init__(
            self, f"cannot create project {name!r}: {self.reason}"
        )


class TransportError(MaiuError):
    """
    No usable HTTP response was received.

    Attributes:
        method: The HTTP method.
        url: The URL (no credentials are ever part of it).
        request_sent: Whether the request may have reached the server.
            ``False`` means it certainly did not, so retrying cannot
            duplicate anything.

    """

    request_sent: bool = True

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})")


class ConnectError(TransportError):
    """
    The connection could not be established; nothing was sent.
    """

    request_sent = False


class RequestTimeout(TransportError):
    """
    The request timed out.

    ``request_sent`` is ``False`` only for a timeout while connecting.
    """

    def __init__(
        self, message: str, *, method: str, url: str, request_sent: bool
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, method=method, url=url)


class ConnectionLost(TransportError):
    """
    The connection broke after the request was written.

    The server may or may not have processed it.
    """


class APIStatusError(MaiuError):
    """
    The API answered with an error.

    Attributes:
        status: The HTTP status.
        api_code: The service or gateway error code, as a string
            (``"10001"``, ``"200"``), or ``None`` if the body had none.
        api_message: The message from the body, or ``None``.
        api_details: The gateway's ``details`` (why it refused), if any.
        request_id: The gateway's request id header, if any.
        body: The decoded JSON body, or the text if it was not JSON.
        method: The HTTP method.
        url: The URL.

    .. versionchanged:: 26.1.0
       *api_details*, quoted in the message.

    """

    def __init__(  # noqa: PLR0913 -- keyword-only context, as documented
        self,
        *,
        status: int,
        api_code: str | None,
        api_message: str | None,
        method: str,
        url: str,
        body: Any = None,  # noqa: ANN401 -- decoded JSON of any shape
        request_id: str | None = None,
        api_details: str | None = None,
    ) -> None:
        self.status = status
        self.api_code = api_code
        self.api_message = api_message
        self.api_details = api_details
        self.method = method
        self.url = url
        self.body = body
        self.request_id = request_id
        code = f" code {api_code}" if api_code is not None else ""
        said = "; ".join(
            cut(t, _SAID_MAX_CHARS) for t in (api_message, api_details) if t
        )
        text = f": {said}" if said else ""
        super().__init__(
            f"HTTP {status}{code}{text}{self._explain()} ({method} {url})"
        )

    def _explain(self) -> str:
        # What the client makes of the answer, for the message.
        return ""


#: Longest message or details of an answer quoted in an error.
_SAID_MAX_CHARS = 500


class BadRequest(APIStatusError):
    """
    HTTP 400: the API rejected the request's content.
    """


class AuthenticationFailed(APIStatusError):
    """
    HTTP 401: bad access key, bad signature or clock skew.

    When the answer blames the request's timestamp (its text, or a
    ``Date`` header more than 5 minutes off this machine's clock), the
    message says the system clock is wrong, and by how much when the
    ``Date`` header tells.

    Attributes:
        signed_with: Which access key id the request was signed with and
            where it came from (never the secret), set by the client;
            the message ends with it.
        blames_clock: The answer blames the request's timestamp: this
            machine's clock is off.
        clock_skew: Seconds this machine's clock is ahead of the server's
            (negative: behind), read from the answer's ``Date`` header
            (to the second), or ``None`` if it had none.

    .. versionchanged:: 26.1.0
       *signed_with*, *blames_clock* and *clock_skew*.

    """

    signed_with: str | None = None

    def __init__(
        self,
        *,
        blames_clock: bool = False,
        clock_skew: float | None = None,
        **kwargs: Any,  # noqa: ANN401 -- forwarded as is
    ) -> None:
        self.blames_clock = blames_clock
        self.clock_skew = clock_skew
        super().__init__(**kwargs)

    def __str__(self) -> str:
        text = super().__str__()
        if self.signed_with is None:
            return text
        return f"{text}; signed with {self.signed_with}"

    def _explain(self) -> str:
        if not self.blames_clock:
            return ""
        skew = self.clock_skew
        if skew is None or abs(skew) < 1:
            return (
                " -- the request's timestamp is too far from the server's "
                "clock: set this machine's clock right (NTP)"
            )
        side = "ahead of" if skew > 0 else "behind"
        return (
            f" -- this machine's clock is {duration(abs(skew))} {side} the "
            "server's (its Date header): set it right (NTP)"
        )


def duration(seconds: float) -> str:
    """
    Say a duration the way a person reads it: ``6 min 2 s``, ``3 h 5 min``.

    Strictly private.
    """
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{value} {unit}"
        for value, unit in (
            (days, "d"),
            (hours, "h"),
            (minutes, "min"),
            (secs, "s"),
        )
        if value
    ]
    return " ".join(parts[:2]) or "0 s"


class PermissionDenied(APIStatusError):
    """
    HTTP 403, or gateway code 210: the key may not do this.
    """


class NotFound(APIStatusError):
    """
    HTTP 404: no such workspace, project, asset or route.
    """


class Conflict(APIStatusError):
    """
    HTTP 409: the resource already exists (duplicate name).
    """


class RateLimited(APIStatusError):
    """
    HTTP 429: the gateway throttled the request.

    Attributes:
        retry_after: Seconds the server asked us to wait, if it said.

    """

    def __init__(
        self,
        *,
        retry_after: float | None = None,
        **kwargs: Any,  # noqa: ANN401 -- forwarded as is
    ) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(APIStatusError):
    """
    HTTP 5xx: the service or the gateway failed.
    """


class ResponseDecodeError(MaiuError):
    """
    A response body did not fit the expected model.

    The cattrs error is the ``__cause__``; the message lists the paths of
    what did not fit.

    Attributes:
        method: The HTTP method.
        url: The URL.

    """

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})")


class JournalError(MaiuError):
    """
    A bulk-import journal is corrupt or belongs to another job.
    """


class ObjectStorageError(MaiuError):
    """
    An Object Storage request failed (`maiu_async.storage`).

    Attributes:
        operation: The S3 operation (``ListObjects``, ``HeadObject``).
        bucket: The bucket it was about.
        code: The S3 error code (``NoSuchBucket``, ``AccessDenied``...),
            or ``None`` when there was no answer.
        status: The HTTP status, or ``None`` when there was no answer.

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0
       Defined here; still importable from `maiu_async.storage`.

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

    .. versionadded:: 26.1.0

    """


class ObjectStorageUnavailable(ObjectStorageError):
    """
    Object Storage gave no usable answer; retrying later may work.

    .. versionadded:: 26.1.0

    """


class InsecureTLSWarning(UserWarning):
    """
    Warns that TLS certificate verification was turned off.
    """
