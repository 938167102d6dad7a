"""
`MaiuClient`: lifecycle, request building, answers to errors.

It wires the signer, the transport, the limiter and the converter
together behind one method, `MaiuClient.request`; the resource modules
build paths and payloads and call it.

Strictly private.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import cattrs

from ._answers import read_answer
from ._converter import (
    decode_error_paths,
    encode_body,
    structure,
    structure_fn,
)
from ._credentials import ENV_ENDPOINT, Credentials, resolve_credentials
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
from ._retry import RetryPolicy, may_retry
from ._scheduler import AdaptiveLimiter, Limiter
from ._signing import Signer
from ._transport import AiohttpTransport
from ._types import USE_CLIENT_DEFAULT, RetryArg, UseClientDefault
from ._urls import ApiPaths, encode_query
from .exceptions import (
    AuthenticationFailed,
    MaiuError,
    RateLimited,
    ResponseDecodeError,
    UsageError,
    echo,
)


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from types import TracebackType
    from typing import Self

    from ._transport import AsyncTransport, ConnectionLimits, Timeouts


__all__ = [
    "DEFAULT_ENDPOINT",
    "USE_CLIENT_DEFAULT",
    "MaiuClient",
    "UseClientDefault",
    "watch_sends",
]

T = TypeVar("T")

#: The current Media Intelligence API host.
DEFAULT_ENDPOINT: Final = "https://mi.apigw.ntruss.com"
_LEGACY_HOST_PREFIX = "maiu."
_DEFAULT_RETRY = RetryPolicy()

_log = logging.getLogger("maiu_async")


class _State(enum.Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


def _result(envelope: Mapping[str, Any]) -> Any:  # noqa: ANN401 -- JSON
    return envelope.get("result")


class SendMark:
    """
    Whether a request got past the limiter to the transport.

    Strictly private: a caller cancelled in `MaiuClient.request` tells a
    request that never left the client from one that may have.
    """

    __slots__ = ("sent",)

    def __init__(self) -> None:
        self.sent = False


_SEND_MARK: ContextVar[SendMark | None] = ContextVar(
    "maiu_async_send_mark", default=None
)


def _misfit(
    model: object, exc: Exception, method: str, url: str
) -> ResponseDecodeError:
    # An answer that does not fit *model*: the paths that failed.
    name = getattr(model, "__name__", str(model))
    return ResponseDecodeError(
        f"answer does not fit {name}: {decode_error_paths(exc)}",
        method=method,
        url=url,
    )


def watch_sends() -> SendMark:
    """
    Return a mark this task's requests set as they reach the transport.

    Reset its ``sent`` before each request to watch.
    """
    mark = SendMark()
    _SEND_MARK.set(mark)
    return mark


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
            `maiu_async.InsecureTLSWarning`.
        transport: What to send requests through (see
            `maiu_async.AsyncTransport`); an `AiohttpTransport` built from
            *timeouts*, *limits* and *verify_tls* if omitted.  Those three
            configure only that default, so giving any of them with a
            *transport* is a `UsageError` (``verify_tls=True`` is the
            default and cannot be told apart from leaving it out).
        limiter: Builds the client's limiter from *rate* when the client
            opens, inside its event loop; an `AdaptiveLimiter` if
            omitted.  A limiter of your own paces requests some other
            way (a budget shared by processes, say).

    Attributes:
        workspaces: Workspace endpoints.
        projects: Project endpoints.
        assets: Asset endpoints.
        analysis: Request, cancel and follow analyses.
        indexes: The indexes analyses make.
        scene_summaries: Text summaries of an index's scenes.
        search: Search analysed assets by text or image.
        persons: Persons (faces) with their thumbnails and tags.
        person_tags: The tags persons are grouped by.

    Raises:
        CredentialsNotFound: No credentials were given or found.
        UsageError: A bad endpoint or rate, or options that conflict.

    .. versionchanged:: 26.1.0
       The *transport* and *limiter* arguments.

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
        transport: AsyncTransport | None = None,
        limiter: Callable[[float | None], Limiter] | None = None,
    ) -> None:
        if credentials is None:
            if access_key is not None or secret_key is not None:
                credentials = Credentials(access_key or "", secret_key or "")
            else:
                credentials = resolve_credentials()
        base = endpoint or os.environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT
        parts = urlsplit(base)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise UsageError(f"endpoint must be an http(s) URL, got {base!r}")
        if legacy is None:
            legacy = parts.hostname.startswith(_LEGACY_HOST_PREFIX)
        _check_rate(rate)
        if transport is None:
            transport = AiohttpTransport(
                timeouts=timeouts, limits=limits, verify_tls=verify_tls
            )
        else:
            _refuse_transport_options(timeouts, limits, verify_tls)
        self._base = base.rstrip("/")
        self._credentials = credentials
        self._signer = Signer(credentials)
        self._retry = retry
        self._rate = rate
        self._transport: AsyncTransport = transport
        self._state = _State.UNOPENED
        self._make_limiter = limiter or AdaptiveLimiter
        self._limiter: Limiter | None = None
        # The limiter's synchronous way through, if it has one.
        self._acquire_nowait: Callable[[], float | None] | None = None
        paths = ApiPaths(legacy=legacy)
        projects = ProjectRegistry()
        self.workspaces = WorkspacesResource(self, paths, projects)
        self.projects = ProjectsResource(self, paths, projects)
        self.assets = AssetsResource(self, paths)
        self.analysis = AnalysisResource(self, paths)
        self.indexes = IndexesResource(self, paths)
        self.scene_summaries = SceneSummariesResource(self, paths)
        self.search = SearchResource(self, paths)
        self.persons = PersonsResource(self, paths)
        self.person_tags = PersonTagsResource(self, paths)

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
    def credentials(self) -> Credentials:
        """
        The keys the client signs with (their repr hides the secret).

        .. versionadded:: 26.1.0

        """
        return self._credentials

    @property
    def max_connections(self) -> int | None:
        """
        The most connections the client opens at once (``None``: no cap).

        The default transport's pool size; a transport of your own may
        state one as a ``max_connections`` attribute.  A bulk job whose
        concurrency exceeds it is refused.

        .. versionadded:: 26.1.0
        """
        cap = getattr(self._transport, "max_connections", None)
        return cap if isinstance(cap, int) else None

    @property
    def limiter(self) -> Limiter:
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
        _require_asyncio()
        self._limiter = self._make_limiter(self._rate)
        self._acquire_nowait = getattr(self._limiter, "acquire_nowait", None)
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

    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: None = None,
        *,
        query: Mapping[str, str | int] | None = None,
        payload: Mapping[str, Any] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
        select: Callable[[Mapping[str, Any]], Any] = _result,
    ) -> None: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: type[T],
        *,
        query: Mapping[str, str | int] | None = None,
        payload: Mapping[str, Any] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
        select: Callable[[Mapping[str, Any]], Any] = _result,
    ) -> T: ...

    async def request(  # noqa: PLR0913 -- every option is keyword-only
        self,
        method: str,
        path: str,
        model: type[T] | None = None,
        *,
        query: Mapping[str, str | int] | None = None,
        payload: Mapping[str, Any] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
        select: Callable[[Mapping[str, Any]], Any] = _result,
    ) -> T | None:
        """
        Send one API call, check the answer and structure its result.

        The resources (``client.workspaces`` and the others) are built on
        this method alone; call it for an endpoint they do not cover.
        Failures that are safe to retry (`maiu_async.RetryPolicy`) are
        retried; an answer that does not fit *model* is not.

        Args:
            method: The HTTP method.
            path: The path after the endpoint, every segment already
                percent-encoded, e.g. ``/api/v1/workspaces/my-ws``.
            model: The class to structure the result into, or ``None``
                to ignore the answer's body.
            query: Query parameters, encoded in the given order.
            payload: The JSON body.
            retry: Retry policy for this call.
            select: Picks what to structure out of the answer's
                envelope; its ``result`` by default.

        Returns:
            The structured result, or ``None`` without a *model*.

        Raises:
            APIStatusError: The API refused (a subclass says how).
            TransportError: No usable answer, after any retries.
            ResponseDecodeError: The answer is not an API envelope, or
                does not fit *model*.
            UsageError: The client is not open, or *path* does not start
                with ``/``.

        .. versionadded:: 26.1.0

        """
        if self._state is not _State.OPENED:
            self._check_open()
        if not path.startswith("/"):
            raise UsageError(f"path must start with '/', got {path!r}")
        target = f"{path}?{encode_query(query)}" if query else path
        url = self._base + target
        body = None
        if payload is not None:
            if not isinstance(payload, dict):
                payload = dict(payload)
            body = encode_body(payload)
        policy = self._retry if retry is USE_CLIENT_DEFAULT else retry
        if policy is None or policy.attempts <= 1:
            # One attempt (a bulk job's, say): no retry loop to go through.
            envelope = await self._send(method, target, url, body, policy)
        else:
            envelope = await self._send_retrying(
                method, target, url, body, policy
            )
        if model is None:
            return None
        try:
            return structure(select(envelope), model)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise _misfit(model, exc, method, url) from exc

    def _sender(
        self, method: str, path: str, model: type[T]
    ) -> Callable[[bytes], Awaitable[T]]:
        """
        Return a function sending one *method* to *path* with a body.

        What `request` does with ``retry=None`` and the answer's
        ``result`` structured as *model*, with the path checked and the
        URL built once, not per call, and the body encoded by the caller
        (`_converter.key_body`): for the bulk engine, which sends
        thousands of requests to one path.

        Strictly private.
        """
        if not path.startswith("/"):
            raise UsageError(f"path must start with '/', got {path!r}")
        url = self._base + path
        send = self._send
        decode = structure_fn(model)

        async def send_once(body: bytes) -> T:
            envelope = await send(method, path, url, body, None)
            try:
                return decode(envelope.get("result"))
            except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
                raise _misfit(model, exc, method, url) from exc

        return send_once

    async def _send_retrying(
        self,
        method: str,
        target: str,
        url: str,
        body: bytes | None,
        policy: RetryPolicy | None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send(method, target, url, body, policy)
            except MaiuError as exc:
                if (
                    policy is None
                    or attempt >= policy.attempts
                    or not may_retry(method, exc)
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
        policy: RetryPolicy | None,
    ) -> dict[str, Any]:
        limiter = self._limiter
        if limiter is None or self._state is not _State.OPENED:
            self._check_open()  # raises: not open (any more)
            raise AssertionError("unreachable")  # pragma: no cover
        # A free slot is taken without a coroutine (one per request
        # counts in a bulk job).
        take = self._acquire_nowait
        sent = take() if take is not None else None
        if sent is None:
            sent = await limiter.acquire()
        mark = _SEND_MARK.get()
        if mark is not None:
            mark.sent = True
        # The signed headers stay out of this frame's locals, which a
        # traceback keeps: a logged error's frames must not replay.
        raw = await self._transport.send(
            method, url, self._signer.headers(method, target), body
        )
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "%s %s -> %s (request id %s)",
                method,
                url,
                raw.status,
                raw.request_id or "none",
            )
        try:
            envelope = read_answer(raw, method, url)
        except AuthenticationFailed as exc:
            exc.signed_with = self._credentials.describe()
            raise
        except RateLimited as exc:
            # The pause every request waits out is capped like a single
            # call's wait ("Retry-After: 1e309" must not stall the
            # client), and is none in testing mode.
            pause = None
            if exc.retry_after is not None:
                pause = (policy or _DEFAULT_RETRY).wait_for(1, exc.retry_after)
            limiter.throttled(pause, sent)
            raise
        limiter.succeeded(sent)
        return envelope


def _require_asyncio() -> None:
    # aiohttp runs on asyncio only: under trio (anyio.run(main,
    # backend="trio")) it fails deep inside with an unrelated error.
    # What aiohttp needs is exactly a running asyncio loop.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise UsageError(
            "MaiuClient needs an asyncio event loop (aiohttp runs on asyncio "
            "only), and none is running here: with anyio, use "
            "anyio.run(main) or backend='asyncio', not trio"
        ) from None


def _check_rate(rate: object) -> None:
    # Before the limiter sees it: NaN passes every comparison and a string
    # fails the first, deep inside the limiter, as a bare ValueError or
    # TypeError.
    if rate is None:
        return
    if (
        isinstance(rate, bool)
        or not isinstance(rate, int | float)
        or not 0 < rate < math.inf
    ):
        raise UsageError(
            "rate must be a positive, finite number of requests per "
            f"second or None, got {echo(rate)}"
        )


def _refuse_transport_options(
    timeouts: Timeouts | None,
    limits: ConnectionLimits | None,
    verify: bool,  # noqa: FBT001 -- private, positional on purpose
) -> None:
    given = [
        name
        for name, value in (("timeouts", timeouts), ("limits", limits))
        if value is not None
    ]
    if not verify:
        given.append("verify_tls")
    if given:
        raise UsageError(
            f"{', '.join(given)} configure the default transport; with "
            "transport=..., give them to that transport (for example "
            "AiohttpTransport(...)) instead"
        )
