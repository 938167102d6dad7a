"""
The emulator's knobs: one frozen configuration object.

Strictly private; the public names are re-exported by
``maiu_async.emulator``.
"""

from __future__ import annotations

from typing import Literal, TypedDict

import attrs

from attrs import validators as v

from maiu_async import limits


__all__ = [
    "EmulatorConfig",
    "ErrorBodyStyle",
    "Faults",
    "Knobs",
    "ObjectStorageCheck",
]

#: How service errors are written: ``{"code", "message"}`` at the top
#: level, or wrapped in ``{"responseError": {...}}``.
ErrorBodyStyle = Literal["top-level", "wrapped"]

_probability = v.and_(v.instance_of(float | int), v.ge(0), v.le(1))
_seconds = v.and_(v.instance_of(float | int), v.ge(0))
_optional_seconds = v.optional(_seconds)


@attrs.frozen(kw_only=True)
class Faults:
    """
    Probabilities of injected failures, each drawn once per API request.

    At most one fault happens per request; the probabilities must add up
    to at most 1.

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
        seed: Seeds fault and jitter draws, for repeatable runs.
        error_body_style: ``"top-level"`` or ``"wrapped"`` service errors.
        import_delay: Seconds an asset stays ``IN_PROGRESS``.
        analysis_delay: Seconds an analysis takes: ``WAIT_ANALYZE`` for
            the first half, ``ANALYZING`` for the second; 0 completes it
            at once.
        summary_delay: Seconds a scene-summary run takes, likewise.
        max_workspaces: The account's workspace allowance; ``None`` is
            unlimited.
        object_storage: Check that registered keys exist in this store
            (see `ObjectStorageCheck`); ``None`` takes every key on
            trust.

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
    max_workspaces: int | None = attrs.field(
        default=None, validator=v.optional(v.and_(v.instance_of(int), v.ge(0)))
    )
    object_storage: ObjectStorageCheck | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(ObjectStorageCheck))
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
    max_workspaces: int | None
    object_storage: ObjectStorageCheck | None
