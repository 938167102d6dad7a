"""
The emulator's knobs: one frozen configuration object.

Adding a knob: a field of `EmulatorConfig` (validated, off by default),
the same name in `Knobs`, and a flag whose ``dest`` is that name in
``_cli``; handlers read it as ``call.config.<name>``.

Strictly private; the public names are re-exported by
``maiu_async.emulator``.
"""

from __future__ import annotations

import hashlib
import types

from typing import TYPE_CHECKING, Literal, TypedDict

import attrs

from aiohttp import web
from attrs import validators as v

from maiu_async import limits


if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CONFIG",
    "FAULT_KINDS",
    "LIST_ORDERS",
    "EmulatorConfig",
    "ErrorBodyStyle",
    "Faults",
    "FileNameStyle",
    "Knobs",
    "ListOrder",
    "ObjectStorageCheck",
    "keyed_draw",
]

#: How service errors are written: ``{"code", "message"}`` at the top
#: level, or wrapped in ``{"responseError": {...}}``.
ErrorBodyStyle = Literal["top-level", "wrapped"]

#: The order the asset list is served in (see `EmulatorConfig`).
ListOrder = Literal["ascending", "descending", "unstable", "created-ties"]
LIST_ORDERS: tuple[ListOrder, ...] = (
    "ascending",
    "descending",
    "unstable",
    "created-ties",
)

#: What the asset list shows as ``fileName``: the full key or its base name.
FileNameStyle = Literal["key", "basename"]

_probability = v.and_(v.instance_of(float | int), v.ge(0), v.le(1))
_seconds = v.and_(v.instance_of(float | int), v.ge(0))
_optional_seconds = v.optional(_seconds)

#: Every kind of injected fault, as counted in `Stats.faults`.
FAULT_KINDS = (
    "error_500",
    "error_502",
    "error_503",
    "rate_limited",
    "reset",
    "lost_response",
)


def _read_only(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


def _kinds(
    _inst: object,
    attribute: attrs.Attribute[Mapping[str, str]],
    value: Mapping[str, str],
) -> None:
    unknown = sorted(set(value.values()) - set(FAULT_KINDS))
    if unknown:
        raise ValueError(
            f"{attribute.name} names unknown fault kinds {unknown}; "
            f"known: {', '.join(FAULT_KINDS)}"
        )


@attrs.frozen(kw_only=True)
class Faults:
    """
    Injected failures: probabilities, and faults made certain by key.

    At most one fault happens per API request; the probabilities must
    add up to at most 1.

    **Arrival draws** (the default): one seeded stream of draws, taken
    in the order requests arrive.  A seed replays the same sequence, but
    which request meets which fault follows arrival order, which task
    scheduling changes from run to run.

    **Keyed draws** (``keyed=True``): each request's fault is a pure
    function of `EmulatorConfig.seed` (``None`` counts as 0) and the
    request's identity: its method, its route's name (as counted in
    `Stats.by_route`), its *subject*,
    its body (except for registrations) and its *attempt*, the number
    of requests with the same identity seen so far, this one included.
    The subject is the Object Storage key for a registration and for
    any request about a registered asset (its import status, say), and
    the raw request target otherwise.  So the keys whose registrations
    fail, and on which attempts, are the same whatever the order
    requests arrive in, and `keyed_fault` tells them in advance::

        faults = Faults(error_500=0.3, keyed=True)  # and seed=7
        doomed = [
            key
            for key in keys
            if faults.keyed_fault(
                seed=7, method="POST", route="register_asset", subject=key
            )
        ]  # the keys whose first registration attempt gets a 500

    **Certain faults** (*certain*, in either mode): every request whose
    subject is one of these keys meets the fault given for it, on every
    attempt, whatever the probabilities; ``{"b.mp4": "error_500"}``
    makes every registration of ``b.mp4`` fail.

    Attributes:
        error_500: Answer 500 (gateway "Unexpected Error") unprocessed.
        error_502: Answer 502 (gateway "Endpoint Error") unprocessed.
        error_503: Answer 503 (gateway "Endpoint Error") unprocessed.
        rate_limited: Answer 429 (gateway "Rate Limited") unprocessed.
        retry_after: ``Retry-After`` seconds sent with injected 429s;
            ``None`` sends no header.
        reset: Drop the connection before processing: nothing changes.
        lost_response: Process the request fully (state changes, counters
            move), then drop the connection without answering.
        keyed: Draw by request identity instead of arrival order.
        certain: Fault kind (one of `FAULT_KINDS`) by subject key.

    .. versionadded:: 26.1.0 *keyed* and *certain*.

    """

    error_500: float = attrs.field(default=0.0, validator=_probability)
    error_502: float = attrs.field(default=0.0, validator=_probability)
    error_503: float = attrs.field(default=0.0, validator=_probability)
    rate_limited: float = attrs.field(default=0.0, validator=_probability)
    retry_after: float | None = attrs.field(
        default=None, validator=_optional_seconds
    )
    reset: float = attrs.field(default=0.0, validator=_probability)
    lost_response: float = attrs.field(default=0.0, validator=_probability)
    keyed: bool = attrs.field(default=False, validator=v.instance_of(bool))
    # Read-only, and out of the hash: a frozen record stays hashable.
    certain: Mapping[str, str] = attrs.field(
        factory=dict, converter=_read_only, validator=_kinds, hash=False
    )

    def __attrs_post_init__(self) -> None:
        # A little slack, so that 0.1 + 0.2 + 0.7 still counts as 1.
        if self.total() > 1 + 1e-9:
            raise ValueError(
                f"fault probabilities add up to {self.total()}, more than 1"
            )

    def total(self) -> float:
        """
        Return the probability that a request meets any fault.
        """
        return sum(p for _, p in self.kinds())

    def kinds(self) -> tuple[tuple[str, float], ...]:
        """
        Return ``(kind, probability)`` pairs in the order they are drawn.
        """
        return (
            ("reset", self.reset),
            ("error_500", self.error_500),
            ("error_502", self.error_502),
            ("error_503", self.error_503),
            ("rate_limited", self.rate_limited),
            ("lost_response", self.lost_response),
        )

    def pick(self, roll: float) -> str | None:
        """
        Return the fault kind a uniform draw *roll* in [0, 1) lands on.
        """
        for kind, probability in self.kinds():
            if roll < probability:
                return kind
            roll -= probability
        return None

    def keyed_fault(  # noqa: PLR0913 -- a request's identity, keyword-only
        self,
        *,
        seed: int | None,
        method: str,
        route: str,
        subject: str,
        body: bytes = b"",
        attempt: int = 1,
    ) -> str | None:
        """
        Return the fault a request meets with keyed draws, if any.

        Args:
            seed: `EmulatorConfig.seed`; ``None`` counts as 0.
            method: The HTTP method, such as ``"POST"``.
            route: The route's name, as in `Stats.by_route`.
            subject: The Object Storage key, or the raw request target.
            body: The raw body; empty for registrations.
            attempt: 1 for the first request with this identity, and so
                on.

        Returns:
            The fault kind, or ``None`` for no fault.

        """
        certain = self.certain.get(subject)
        if certain is not None:
            return certain
        if not self.total():
            return None
        digest = hashlib.blake2b(digest_size=8)
        for part in (str(seed or 0), method, route, subject, str(attempt)):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(body)
        roll = int.from_bytes(digest.digest(), "big") / 2**64
        return self.pick(roll)


def keyed_draw(seed: int | None, what: str, key: str) -> float:
    """
    Return a uniform draw in [0, 1) fixed by *seed*, *what* and *key*.

    The per-key knobs (`EmulatorConfig.late_processing`,
    `EmulatorConfig.processed_error_code`) pick the keys whose draw is
    below their probability, so a test can tell them in advance.
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in (str(seed or 0), what, key):
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return int.from_bytes(digest.digest(), "big") / 2**64


def _http_url(
    _inst: object, attribute: attrs.Attribute[str], value: str
) -> None:
    if not isinstance(value, str) or not value.startswith(
        ("http://", "https://")
    ):
        raise ValueError(
            f"{attribute.name} must be an http(s) URL, not {value!r}"
        )


@attrs.frozen(kw_only=True)
class ObjectStorageCheck:
    """
    Check that registered keys exist, in an S3-compatible store.

    The real service reads each registered object from Object Storage
    after answering the POST, so a missing object does not fail the
    registration: its import ends as ``FILE_NOT_EXIST`` [I, API reference
    A1].  With this knob the emulator does the same.  Each registered key
    gets one ``HEAD`` request, made in the background by a few workers;
    the asset stays ``IN_PROGRESS`` until it is answered (asking for the
    asset's import status, for the asset or to analyse it makes it
    answered at once).  A 404 (no such key or bucket) gives
    ``FILE_NOT_EXIST``; any other failure ``FAILED``.

    Needs aiobotocore (the ``s3`` extra) only when used.

    Attributes:
        endpoint: The store's base URL, such as
            ``https://kr.object.ncloudstorage.com``.
        region: The region name requests are signed for.
        access_key: The store's access key; ``None`` uses the emulator's
            own key pair (NCP Object Storage takes the same NCP keys).
        secret_key: Its secret key; never shown in a repr.
        concurrency: Background ``HEAD`` requests in flight at most; 0
            checks an asset only when its status is asked for.

    """

    endpoint: str = attrs.field(validator=_http_url)
    region: str = attrs.field(
        default=limits.OBJECT_STORAGE_REGION, validator=v.min_len(1)
    )
    access_key: str | None = attrs.field(
        default=None, validator=v.optional(v.min_len(1))
    )
    secret_key: str | None = attrs.field(
        default=None, repr=False, validator=v.optional(v.min_len(1))
    )
    concurrency: int = attrs.field(
        default=8, validator=v.and_(v.instance_of(int), v.ge(0))
    )

    def __attrs_post_init__(self) -> None:
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError(
                "give both the store's access_key and secret_key, or "
                "neither (to use the emulator's own)"
            )


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """
    Everything an emulator instance is configured with.

    Every knob defaults to off.

    Attributes:
        access_key: The one access key the emulator accepts.
        secret_key: Its secret key; never shown in a repr.
        latency: Seconds added before answering each API request.
        jitter: Up to this many more seconds, uniformly drawn.
        rate_limit: Requests per second the whole server accepts (a token
            bucket); ``None`` is unlimited.  Excess requests get 429 with
            gateway code 420.
        rate_limit_burst: The bucket's size; by default a tenth of
            *rate_limit*, at least 1.
        rate_limit_retry_after: ``Retry-After`` seconds sent with the
            limiter's 429s, written as given; ``None`` sends no header.
        faults: Probabilities of injected failures.
        seed: Seeds fault and jitter draws, for repeatable runs; keyed
            fault draws (`Faults.keyed`) depend on it too.
        error_body_style: ``"top-level"`` or ``"wrapped"`` service errors.
        import_delay: Seconds an asset stays ``IN_PROGRESS``.
        analysis_delay: Seconds an analysis takes: ``WAIT_ANALYZE`` for
            the first half, ``ANALYZING`` for the second; 0 completes it
            at once.
        summary_delay: Seconds a scene-summary run takes, likewise.
        analysis_fail: A glob (`fnmatch`, case-sensitive) of asset keys
            whose analyses end ``ANALYZE_FAIL`` instead of completing;
            ``None``: none fails.
        analysis_reads: Status reads an analysis needs to end: it is
            ``WAIT_ANALYZE`` until first read, ``ANALYZING`` at the reads
            before read number *analysis_reads*, and ended from that read
            on (once *analysis_delay* has passed too); 0: time alone.
        max_workspaces: The account's workspace allowance; ``None`` is
            unlimited.
        object_storage: Check that registered keys exist in this store
            (see `ObjectStorageCheck`); ``None`` takes every key on
            trust.
        clock_offset: Seconds the gateway's clock is ahead of this
            machine's (negative: behind): signature timestamps are
            checked against it and the ``Date`` header of API answers
            reads it, as from a server whose clock differs from the
            client's.
        list_order: The asset list's order [?]: ``"ascending"`` or
            ``"descending"`` by id, ``"unstable"`` (shuffled anew for
            every request, from *seed* and the request's number), or
            ``"created-ties"`` (by creation second, ties shuffled anew).
        list_page_cap: The largest ``pageSize`` the asset list serves;
            larger asks get pages this size, with honest ``pageSize``,
            ``totalPage`` and ``totalCount``; ``None``: no cap but the
            documented 1000.
        file_name_style: The asset's ``fileName`` [?]: the full key
            (``"key"``) or its last path segment (``"basename"``).
        late_processing: Probability that a key's registrations are
            processed late: answered 504 (gateway "Endpoint Timeout") at
            once, the asset created *late_processing_delay* seconds
            later.  Drawn per key (`keyed_draw` with ``"late"``).
        late_processing_delay: Seconds until a late registration lands.
        processed_error_code: Probability that a key's registrations are
            processed, then answered HTTP 200 with code ``10001``
            instead of ``"0"``.  Drawn per key (`keyed_draw` with
            ``"processed-error"``).
        import_polls: How many times an asset's import status is read
            as ``IN_PROGRESS`` before its import ends: the first N reads
            of ``import-status`` answer it (as do listings meanwhile);
            deterministic, unlike *import_delay*.
        import_failed: A glob (`fnmatch`, ``*`` crosses ``/``): the
            imports of matching keys end ``FAILED``.
        import_invalid: A glob: the imports of matching keys end
            ``INVALID_METADATA`` (as unsupported extensions do).

    .. versionadded:: 26.1.0 the list and late-processing knobs; the
       import-status knobs; *analysis_fail* and *analysis_reads*.

    """

    access_key: str = attrs.field(validator=v.min_len(1))
    secret_key: str = attrs.field(repr=False, validator=v.min_len(1))
    latency: float = attrs.field(default=0.0, validator=_seconds)
    jitter: float = attrs.field(default=0.0, validator=_seconds)
    rate_limit: float | None = attrs.field(
        default=None,
        validator=v.optional(v.and_(v.instance_of(float | int), v.gt(0))),
    )
    rate_limit_burst: int | None = attrs.field(
        default=None, validator=v.optional(v.and_(v.instance_of(int), v.ge(1)))
    )
    rate_limit_retry_after: float | None = attrs.field(
        default=None, validator=_optional_seconds
    )
    faults: Faults = attrs.field(
        factory=Faults, validator=v.instance_of(Faults)
    )
    seed: int | None = None
    error_body_style: ErrorBodyStyle = attrs.field(
        default="top-level", validator=v.in_(("top-level", "wrapped"))
    )
    import_delay: float = attrs.field(default=0.0, validator=_seconds)
    analysis_delay: float = attrs.field(default=0.0, validator=_seconds)
    summary_delay: float = attrs.field(default=0.0, validator=_seconds)
    analysis_fail: str | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(str))
    )
    analysis_reads: int = attrs.field(
        default=0, validator=v.and_(v.instance_of(int), v.ge(0))
    )
    max_workspaces: int | None = attrs.field(
        default=None, validator=v.optional(v.and_(v.instance_of(int), v.ge(0)))
    )
    object_storage: ObjectStorageCheck | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(ObjectStorageCheck))
    )
    clock_offset: float = attrs.field(
        default=0.0,
        validator=v.instance_of(float | int),
    )
    list_order: ListOrder = attrs.field(
        default="ascending", validator=v.in_(LIST_ORDERS)
    )
    list_page_cap: int | None = attrs.field(
        default=None,
        validator=v.optional(
            v.and_(
                v.instance_of(int),
                v.ge(1),
                v.le(limits.ASSET_PAGE_SIZE_MAX),
            )
        ),
    )
    file_name_style: FileNameStyle = attrs.field(
        default="key", validator=v.in_(("key", "basename"))
    )
    late_processing: float = attrs.field(default=0.0, validator=_probability)
    late_processing_delay: float = attrs.field(default=1.0, validator=_seconds)
    processed_error_code: float = attrs.field(
        default=0.0, validator=_probability
    )
    import_polls: int = attrs.field(
        default=0, validator=v.and_(v.instance_of(int), v.ge(0))
    )
    import_failed: str | None = attrs.field(
        default=None, validator=v.optional(v.min_len(1))
    )
    import_invalid: str | None = attrs.field(
        default=None, validator=v.optional(v.min_len(1))
    )

    @property
    def burst(self) -> int:
        """
        The rate limiter's bucket size (1 when there is no limit).
        """
        if self.rate_limit_burst is not None:
            return self.rate_limit_burst
        if self.rate_limit is None:
            return 1
        return max(1, int(self.rate_limit / 10))


CONFIG = web.AppKey("config", EmulatorConfig)


class Knobs(TypedDict, total=False):
    """
    The knobs `Emulator` accepts as keyword arguments.

    Strictly private: mirrors `EmulatorConfig` minus the credentials.
    """

    latency: float
    jitter: float
    rate_limit: float | None
    rate_limit_burst: int | None
    rate_limit_retry_after: float | None
    faults: Faults
    seed: int | None
    error_body_style: ErrorBodyStyle
    import_delay: float
    analysis_delay: float
    summary_delay: float
    analysis_fail: str | None
    analysis_reads: int
    max_workspaces: int | None
    object_storage: ObjectStorageCheck | None
    clock_offset: float
    list_order: ListOrder
    list_page_cap: int | None
    file_name_style: FileNameStyle
    late_processing: float
    late_processing_delay: float
    processed_error_code: float
    import_polls: int
    import_failed: str | None
    import_invalid: str | None
