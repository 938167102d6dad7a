"""
`MaiuClient`: lifecycle, request building, answers to errors.

It wires the signer, the transport, the limiter and the converter
together; the resource modules only build paths and structure results.

Strictly private.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import warnings

from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

import anyio
import cattrs

from ._converter import decode_error_paths, structure
from ._credentials import Credentials, resolve_credentials
from ._errorcodes import exception_class, parse_error_body
from ._project_cap import ProjectRegistry
from ._resources.analysis import AnalysisResource
from ._resources.assets import AssetsResource
from ._resources.indexes import IndexesResource
from ._resources.person_tags import PersonTagsResource
from ._resources.persons import PersonsResource
from ._resources.projects import ProjectsResource
from ._resources.scene_summaries import SceneSummariesResource
from ._resources.search import SearchResource
from ._resources.workspaces import WorkspacesResource
from ._retry import RetryPolicy
from ._scheduler import AdaptiveLimiter
from ._signing import Signer
from ._transport import (
    AiohttpTransport,
    ConnectionLimits,
    RawResponse,
    Timeouts,
)
from ._types import USE_CLIENT_DEFAULT, RetryArg, UseClientDefault
from ._urls import ApiPaths, encode_query
from .exceptions import (
    APIStatusError,
    MaiuError,
    RateLimited,
    ResponseDecodeError,
    ServerError,
    TransportError,
    UsageError,
)


if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self


__all__ = [
    "DEFAULT_ENDPOINT",
    "USE_CLIENT_DEFAULT",
    "InsecureTLSWarning",
    "MaiuClient",
    "UseClientDefault",
]

T = TypeVar("T")

#: The current Media Intelligence API host.
DEFAULT_ENDPOINT: Final = "https://mi.apigw.ntruss.com"
#: Environment variable naming another endpoint (an emulator, say).
ENDPOINT_ENV: Final = "MAIU_ENDPOINT"
_LEGACY_HOST_PREFIX = "maiu."
_IDEMPOTENT = frozenset({"GET", "HEAD", "PATCH"})
_SAFE_STATUSES = frozenset({503})
_IDEMPOTENT_STATUSES = frozenset({500, 502, 503, 504})
_ERROR_BODY_PREVIEW = 2000
_DEFAULT_RETRY = RetryPolicy()

_log = logging.getLogger("maiu_async")
# One encoder for every body: json.dumps with options builds a new one
# per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class InsecureTLSWarning(UserWarning):
    """
    Warns that TLS certificate verification was turned off.
    """


class _State(enum.Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


def _user_agent() -> str:
    try:
        return f"maiu-async/{version('maiu-async')}"
    except PackageNotFoundError:  # pragma: no cover -- run from a checkout
        return "maiu-async"


class MaiuClient:
    """
    An async client for the Media Intelligence API.

    Use it only as an async context manager; it cannot be reopened::

        async with MaiuClient() as client:
            ws = await client.workspaces.create("my-workspace")

    Args:
        credentials: Keys to sign with.  If omitted, *access_key* and
            *secret_key*; if those are omitted too, the environment
            (``NCLOUD_ACCESS_KEY_ID``/``NCLOUD_SECRET_ACCESS_KEY``, then
            ``NCLOUD_ACCESS_KEY``/``NCLOUD_SECRET_KEY``) and then the
            ncloud CLI file ``~/.ncloud/configure``.
        access_key: The access key, with *secret_key*.
        secret_key: The secret key, with *access_key*.
        endpoint: The API's base URL; ``$MAIU_ENDPOINT`` or
            ``https://mi.apigw.ntruss.com`` if omitted.
        legacy: Use the legacy ``video-assets`` paths.  If omitted, they
            are used for the legacy host ``maiu.apigw.ntruss.com``.
        timeouts: Connect / read / total time limits.
        limits: Connection pool size and keep-alive.
        retry: Retry policy for failures that are safe to retry, or
            ``None`` to never retry.
        rate: Ceiling on requests per second for this client, or ``None``.
            Whatever it is, a 429 lowers the pace and successes raise it
            back (never above the ceiling).
        verify_tls: Verify TLS certificates.  Turning it off warns with
            `InsecureTLSWarning`.

    Attributes:
        workspaces: Workspace endpoints.
        projects: Project endpoints.
        assets: Asset endpoints, and bulk registration.
        analysis: Request, cancel and follow analyses.
        indexes: The indexes analyses make.
        scene_summaries: Text summaries of an index's scenes.
        search: Search analysed assets by text or image.
        persons: Persons (faces) with their thumbnails and tags.
        person_tags: The tags persons are grouped by.

    Raises:
        CredentialsNotFound: No credentials were given or found.

    """

    workspaces: WorkspacesResource
    projects: ProjectsResource
    assets: AssetsResource
    analysis: AnalysisResource
    indexes: IndexesResource
    scene_summaries: SceneSummariesResource
    search: SearchResource
    persons: PersonsResource
    person_tags: PersonTagsResource

    def __init__(  # noqa: PLR0913 -- every option is keyword-only
        self,
        credentials: Credentials | None = None,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        endpoint: str | None = None,
        legacy: bool | None = None,
        timeouts: Timeouts | None = None,
        limits: ConnectionLimits | None = None,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        rate: float | None = None,
        verify_tls: bool = True,
    ) -> None:
        if credentials is None:
            if access_key is not None or secret_key is not None:
                credentials = Credentials(access_key or "", secret_key or "")
            else:
                credentials = resolve_credentials()
        base = endpoint or os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT
        parts = urlsplit(base)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise UsageError(f"endpoint must be an http(s) URL, got {base!r}")
        if legacy is None:
            legacy = parts.hostname.startswith(_LEGACY_HOST_PREFIX)
        if not verify_tls:
            warnings.warn(
                "TLS certificate verification is off: anyone on the path "
                "can read and alter requests",
                InsecureTLSWarning,
                stacklevel=2,
            )
        if rate is not None and rate <= 0:
            raise UsageError(f"rate must be positive, got {rate!r}")
        self._base = base.rstrip("/")
        self._credentials = credentials
        self._signer = Signer(credentials)
        self._paths = ApiPaths(legacy=legacy)
        self._retry = retry
        self._rate = rate
        self._transport = AiohttpTransport(
            timeouts=timeouts or Timeouts(),
            limits=limits or ConnectionLimits(),
            verify_tls=verify_tls,
            user_agent=_user_agent(),
        )
        self._state = _State.UNOPENED
        self._limiter: AdaptiveLimiter | None = None
        self._projects = ProjectRegistry()
        self.workspaces = WorkspacesResource(self)
        self.projects = ProjectsResource(self)
        self.assets = AssetsResource(self)
        self.analysis = AnalysisResource(self)
        self.indexes = IndexesResource(self)
        self.scene_summaries = SceneSummariesResource(self)
        self.search = SearchResource(self)
        self.persons = PersonsResource(self)
        self.person_tags = PersonTagsResource(self)

    def __repr__(self) -> str:
        return (
            f"<MaiuClient {self._base} {self._credentials!r} "
            f"{self._state.name.lower()}>"
        )

    @property
    def endpoint(self) -> str:
        """The API's base URL."""
        return self._base

    @property
    def limiter(self) -> AdaptiveLimiter:
        """
        The client's one rate limiter (exists while the client is open).
        """
        self._check_open()
        if self._limiter is None:  # pragma: no cover -- set on open
            raise AssertionError("unreachable")
        return self._limiter

    async def __aenter__(self) -> Self:
        if self._state is not _State.UNOPENED:
            raise UsageError(
                "a MaiuClient can be opened once; create a new one"
            )
        self._limiter = AdaptiveLimiter(self._rate)
        await self._transport.open()
        self._state = _State.OPENED
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state = _State.CLOSED
        with anyio.CancelScope(shield=True):
            await self._transport.close()

    def _check_open(self) -> None:
        if self._state is _State.UNOPENED:
            raise UsageError(
                "use the client inside `async with MaiuClient(...) as client`"
            )
        if self._state is _State.CLOSED:
            raise UsageError("the client is closed")

    # -- requests ---------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str | int] | None = None,
        payload: dict[str, Any] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> dict[str, Any]:
        """
        Send one API call (retrying what is safe) and return its envelope.

        Strictly private.
        """
        self._check_open()
        target = f"{path}?{encode_query(query)}" if query else path
        url = self._base + target
        body = None if payload is None else _ENCODER.encode(payload).encode()
        policy = self._retry if retry is USE_CLIENT_DEFAULT else retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send(
                    method, target, url, body, _pause_cap(policy)
                )
            except MaiuError as exc:
                if (
                    policy is None
                    or attempt >= policy.attempts
                    or not _retryable(method, exc)
                ):
                    raise
                retry_after = (
                    exc.retry_after if isinstance(exc, RateLimited) else None
                )
                await anyio.sleep(policy.wait_for(attempt, retry_after))

    async def _send(
        self,
        method: str,
        target: str,
        url: str,
        body: bytes | None,
        pause_cap: float,
    ) -> dict[str, Any]:
        limiter = self.limiter
        await limiter.acquire()
        headers = self._signer.headers(method, target)
        raw = await self._transport.send(method, url, headers, body)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s -> %s", method, url, raw.status)
        try:
            decoded: Any = json.loads(raw.body) if raw.body else None
        except (ValueError, RecursionError):
            # RecursionError: JSON nested too deep ("[[[[..."), which no
            # API answer is; the body is then shown as text.
            decoded = None
        if (
            raw.status < 400
            and isinstance(decoded, dict)
            and str(decoded.get("code")) == "0"
        ):
            limiter.succeeded()
            return decoded
        if raw.status < 400 and (
            not isinstance(decoded, dict) or "code" not in decoded
        ):
            raise ResponseDecodeError(
                f"HTTP {raw.status} answer is not an API envelope: "
                f"{_preview(raw.body)!r}",
                method=method,
                url=url,
            )
        error = self._error(method, url, raw, decoded)
        if isinstance(error, RateLimited):
            # The pause every request waits out is capped like a single
            # call's wait: "Retry-After: 1e309" must not stall the client.
            retry_after = error.retry_after
            limiter.throttled(
                None if retry_after is None else min(retry_after, pause_cap)
            )
        raise error

    def _error(
        self,
        method: str,
        url: str,
        raw: RawResponse,
        decoded: Any,  # noqa: ANN401 -- any JSON
    ) -> APIStatusError:
        parsed = parse_error_body(decoded)
        cls = exception_class(raw.status, parsed)
        kwargs: dict[str, Any] = {
            "status": raw.status,
            "api_code": parsed.code,
            "api_message": parsed.message,
            "method": method,
            "url": url,
            "body": decoded if decoded is not None else _preview(raw.body),
            "request_id": raw.request_id,
        }
        if cls is RateLimited:
            return RateLimited(
                retry_after=parse_retry_after(raw.retry_after), **kwargs
            )
        return cls(**kwargs)

    def _structure(
        self,
        data: Any,  # noqa: ANN401 -- any JSON
        model: type[T],
        method: str,
        path: str,
    ) -> T:
        """
        Structure *data* into *model*, or raise `ResponseDecodeError`.

        Strictly private.
        """
        try:
            return structure(data, model)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ResponseDecodeError(
                f"answer does not fit {model.__name__}: "
                f"{decode_error_paths(exc)}",
                method=method,
                url=self._base + path,
            ) from exc


def _pause_cap(policy: RetryPolicy | None) -> float:
    """
    The longest ``Retry-After`` the limiter may pause everyone for.

    Strictly private.
    """
    return (policy or _DEFAULT_RETRY).max_retry_after


def _retryable(method: str, exc: MaiuError) -> bool:
    """
    Whether retrying *exc* can do no harm.

    A request that certainly never left, a 429 and a 503 (the gateway
    could not reach the backend) are safe for every method.  Anything
    else that may have been processed is retried only for idempotent
    methods: a POST could create a second project or asset.
    """
    if isinstance(exc, TransportError):
        return not exc.request_sent or method in _IDEMPOTENT
    if isinstance(exc, RateLimited):
        return True
    if isinstance(exc, ServerError):
        return exc.status in _SAFE_STATUSES or (
            method in _IDEMPOTENT and exc.status in _IDEMPOTENT_STATUSES
        )
    return False


def parse_retry_after(value: str | None) -> float | None:
    """
    Read a ``Retry-After`` header: seconds (fractions allowed) or a date.

    Strictly private.
    """
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        from datetime import UTC, datetime  # noqa: PLC0415 -- rare path

        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN  # noqa: PLR0124
        return None
    return max(0.0, seconds)


def _preview(body: bytes) -> str:
    return body[:_ERROR_BODY_PREVIEW].decode("utf-8", "replace")
