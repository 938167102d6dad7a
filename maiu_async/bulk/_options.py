"""
The options of a bulk job: one frozen, validated record.

`BulkOptions` is the one home of every bulk default.  `register_many`
and `stream_register` take a whole record (*options*) and, for the
common case, any of its fields as keyword shortcuts (`BulkShortcuts`),
which replace the record's values; neither form states a default of its
own.

Strictly private; `BulkOptions` is re-exported by ``maiu_async.bulk``.
"""

from __future__ import annotations

import math
import os

from typing import TYPE_CHECKING, Any, NoReturn, TypedDict

import attrs

from .._retry import RetryPolicy
from ..exceptions import UsageError
from ._poll import PollPolicy
from ._reconcile import ReconcilePolicy
from ._report import EventHook  # noqa: TC001 -- resolved at run time


if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = ["DEFAULT_RETRY", "BulkOptions", "BulkShortcuts", "build_options"]

#: The default retry policy of bulk jobs: more patient than a single call.
DEFAULT_RETRY = RetryPolicy(attempts=8, initial=0.2, maximum=10.0)


def _refuse(
    attribute: attrs.Attribute[Any], value: object, what: str
) -> NoReturn:
    raise UsageError(f"{attribute.name} must be {what}, got {value!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_concurrency(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if not _is_number(value) or not isinstance(value, int) or value < 1:
        _refuse(attribute, value, "a positive integer")


def _check_rate(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if value is not None and not (_is_number(value) and 0 < value < math.inf):
        _refuse(attribute, value, "a positive, finite number or None")


def _check_seconds(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if not (_is_number(value) and value >= 0):
        _refuse(attribute, value, "a number of seconds >= 0")


def _check_journal(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if value is not None and not isinstance(value, str | os.PathLike):
        _refuse(attribute, value, "a path or None")


def _check_flag(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if not isinstance(value, bool):
        _refuse(attribute, value, "True or False")


def _check_hook(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if value is not None and not callable(value):
        _refuse(attribute, value, "callable or None")


def _optional(
    kind: type,
) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    def check(
        _: object,
        attribute: attrs.Attribute[Any],
        value: Any,  # noqa: ANN401
    ) -> None:
        if value is not None and not isinstance(value, kind):
            _refuse(attribute, value, f"a {kind.__name__} or None")

    return check


@attrs.frozen(kw_only=True)
class BulkOptions:
    """
    How a bulk registration runs: the one home of every bulk default.

    Every field is checked when the record is built; a bad value raises
    `~maiu_async.exceptions.UsageError` naming it.

    Attributes:
        concurrency: Requests in flight at most.
        rate: Ceiling on this job's registration requests per second,
            paced by a limiter the job owns; ``None`` leaves the job
            unpaced.  Either way the client's limiter, which learns the
            server's limit from its 429s, paces every request.  The
            client's settings are never changed.
        journal: Path of a crash-safe journal to write and resume from.
        retry: Attempts and backoff per key; ``None``: one attempt.
        reconcile: How ambiguous keys are resolved; ``None`` reports them
            as unknown.
        retry_ambiguous: Send ambiguous keys again without looking them
            up (may create duplicates); only with ``reconcile=None`` does
            this change anything for new failures.
        settle_timeout: Seconds requests in flight may take to settle
            when the job is stopped or cancelled.
        on_event: Called with each `RetryScheduled` and
            `ReconcileFinished`.
        preflight: Before the first key is sent, check the credentials,
            workspace, project and endpoint with one GET of the project,
            and stop at once if no key can succeed.
        wait: Poll each registered key's import status until it is
            final, with this policy, and deliver its outcome then (with
            `Outcome.import_status`); ``None`` delivers it once
            registered.

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0 *wait*.

    """

    concurrency: int = attrs.field(default=64, validator=_check_concurrency)
    rate: float | None = attrs.field(default=None, validator=_check_rate)
    journal: str | os.PathLike[str] | None = attrs.field(
        default=None, validator=_check_journal
    )
    retry: RetryPolicy | None = attrs.field(
        default=DEFAULT_RETRY, validator=_optional(RetryPolicy)
    )
    reconcile: ReconcilePolicy | None = attrs.field(
        factory=ReconcilePolicy, validator=_optional(ReconcilePolicy)
    )
    retry_ambiguous: bool = attrs.field(default=False, validator=_check_flag)
    settle_timeout: float = attrs.field(default=30.0, validator=_check_seconds)
    on_event: EventHook | None = attrs.field(
        default=None, validator=_check_hook
    )
    preflight: bool = attrs.field(default=True, validator=_check_flag)
    wait: PollPolicy | None = attrs.field(
        default=None, validator=_optional(PollPolicy)
    )


class BulkShortcuts(TypedDict, total=False):
    """
    The keyword shortcuts of `register_many` and `stream_register`.

    Each is a `BulkOptions` field, and replaces the record's value.

    .. versionadded:: 26.1.0
    """

    concurrency: int
    rate: float | None
    journal: str | os.PathLike[str] | None
    retry: RetryPolicy | None
    reconcile: ReconcilePolicy | None
    retry_ambiguous: bool
    settle_timeout: float
    on_event: EventHook | None
    preflight: bool
    wait: PollPolicy | None


def build_options(
    options: BulkOptions | None, shortcuts: BulkShortcuts
) -> BulkOptions:
    """
    Return *options* (or the defaults) with *shortcuts* applied.

    Raises:
        UsageError: *options* is not a `BulkOptions`, or a shortcut is
            not one of its fields or has a bad value.

    Strictly private.
    """
    if options is None:
        options = BulkOptions()
    elif not isinstance(options, BulkOptions):
        raise UsageError(f"options must be a BulkOptions, got {options!r}")
    if not shortcuts:
        return options
    try:
        return attrs.evolve(options, **shortcuts)
    except TypeError as exc:
        raise UsageError(f"unknown bulk option: {exc}") from None
