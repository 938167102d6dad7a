"""
The emulator's command-line flags: one table for both front ends.

`FLAGS` lists every option once: its name, the value it sets (its
``dest``, a config field's name where there is one), the kind of value
it takes, with bounds, and its help.  ``_cli`` builds the argparse
parser of ``python -m maiu_async.emulator`` from it, and
``maiu_async.cli`` the click command ``maiu-async emulator``.

Adding a knob: a field of `EmulatorConfig`, its name in `Knobs`, and
one row here.

Strictly private.
"""

from __future__ import annotations

import enum

from typing import TYPE_CHECKING, Any, Final

import attrs

from maiu_async import limits

from .._credentials import (
    ENV_EMULATOR_ACCESS_KEY,
    ENV_EMULATOR_S3_ACCESS_KEY,
    ENV_EMULATOR_S3_SECRET_KEY,
    ENV_EMULATOR_SECRET_KEY,
)
from ._config import FAULT_KINDS, LIST_ORDERS


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "BOUNDS",
    "DESCRIPTION",
    "FAULT_FLAGS",
    "FLAGS",
    "FLAG_OF",
    "METAVARS",
    "Flag",
    "Kind",
    "check_value",
    "parse_certain",
]

DESCRIPTION: Final = (
    "Serve a local emulator of the Media Intelligence API, with knobs for "
    "latency, a rate limit and injected faults."
)


class Kind(enum.Enum):
    """
    The kinds of values flags take, each with its bounds.

    The bounds are those of `EmulatorConfig`'s validators (a test checks
    that they agree), checked at parse time so that an error names the
    flag.
    """

    TEXT = "text"
    PORT = "port"
    SECONDS = "seconds"
    OFFSET = "offset"
    PROBABILITY = "probability"
    RATE = "rate"
    COUNT = "count"
    PAGE_SIZE = "page-size"
    POSITIVE = "positive"
    INTEGER = "integer"
    CHOICE = "choice"
    SWITCH = "switch"
    FAULT_PAIRS = "fault-pairs"


#: kind -> (type, lowest, highest, lowest excluded); None: unbounded.
BOUNDS: Final[Mapping[Kind, tuple[type, float | None, float | None, bool]]] = {
    Kind.PORT: (int, 0, 65535, False),
    Kind.SECONDS: (float, 0, None, False),
    Kind.OFFSET: (float, None, None, False),
    Kind.PROBABILITY: (float, 0, 1, False),
    Kind.RATE: (float, 0, None, True),
    Kind.COUNT: (int, 0, None, False),
    Kind.PAGE_SIZE: (int, 1, limits.ASSET_PAGE_SIZE_MAX, False),
    Kind.POSITIVE: (int, 1, None, False),
    Kind.INTEGER: (int, None, None, False),
}


#: How the help names a value of each kind, unless a flag says.
METAVARS: Final[Mapping[Kind, str]] = {
    Kind.PORT: "PORT",
    Kind.SECONDS: "S",
    Kind.OFFSET: "S",
    Kind.PROBABILITY: "P",
    Kind.RATE: "RPS",
    Kind.COUNT: "N",
    Kind.PAGE_SIZE: "N",
    Kind.POSITIVE: "N",
    Kind.INTEGER: "N",
    Kind.TEXT: "TEXT",
    Kind.FAULT_PAIRS: "KEY=KIND",
}


@attrs.frozen(kw_only=True)
class Flag:
    """
    One command-line option of the emulator.

    Attributes:
        name: The option, such as ``--fault-500``.
        dest: The `build_config` value it sets (a config field's name
            where there is one).
        kind: What it takes.
        help: One line of help.
        default: The value when not given.
        env: A variable the default is read from at parse time.
        metavar: How the help names the value.
        choices: For `Kind.CHOICE`.
        section: The help's heading.

    """

    name: str
    dest: str
    kind: Kind
    help: str
    default: Any = None
    env: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    section: str = "Knobs"

    @property
    def value_name(self) -> str | None:
        """
        How the help names the value (``None`` for a switch or choice).
        """
        return self.metavar or METAVARS.get(self.kind)


FAULT_FLAGS: Final = (
    ("--fault-500", "error_500", "answer 500 unprocessed"),
    ("--fault-502", "error_502", "answer 502 unprocessed"),
    ("--fault-503", "error_503", "answer 503 unprocessed"),
    ("--fault-429", "rate_limited", "answer 429 unprocessed"),
    ("--fault-reset", "reset", "drop the connection before processing"),
    (
        "--fault-lost-response",
        "lost_response",
        "process, then drop the connection unanswered",
    ),
)
_SERVER = "Server"
_FAULTS = "Faults"
_STORAGE = "Object Storage check"

#: Every flag, in the order the help lists them.
FLAGS: Final[tuple[Flag, ...]] = (
    Flag(
        name="--host",
        dest="host",
        kind=Kind.TEXT,
        default="127.0.0.1",
        metavar="ADDRESS",
        help="Bind address.",
        section=_SERVER,
    ),
    Flag(
        name="--port",
        dest="port",
        kind=Kind.PORT,
        default=8080,
        help="Bind port; 0 picks a free one.",
        section=_SERVER,
    ),
    Flag(
        name="--access-key",
        dest="access_key",
        kind=Kind.TEXT,
        env=ENV_EMULATOR_ACCESS_KEY,
        metavar="KEY",
        help=(
            f"The access key accepted. Default: ${ENV_EMULATOR_ACCESS_KEY}; "
            "without keys, a pair is made for the run and printed as "
            "export lines."
        ),
        section=_SERVER,
    ),
    Flag(
        name="--secret-key",
        dest="secret_key",
        kind=Kind.TEXT,
        env=ENV_EMULATOR_SECRET_KEY,
        metavar="SECRET",
        help=(
            f"Its secret key. Default: ${ENV_EMULATOR_SECRET_KEY} (prefer "
            "the variable: arguments are visible to other users)."
        ),
        section=_SERVER,
    ),
    Flag(
        name="--latency",
        dest="latency",
        kind=Kind.SECONDS,
        default=0.0,
        help="Seconds added to every API request.",
    ),
    Flag(
        name="--jitter",
        dest="jitter",
        kind=Kind.SECONDS,
        default=0.0,
        help="Up to this many more seconds, uniformly drawn.",
    ),
    Flag(
        name="--rate-limit",
        dest="rate_limit",
        kind=Kind.RATE,
        metavar="RPS",
        help="Requests per second before answering 429.",
    ),
    Flag(
        name="--rate-limit-burst",
        dest="rate_limit_burst",
        kind=Kind.POSITIVE,
        help="Token bucket size. Default: a tenth of the rate, at least 1.",
    ),
    Flag(
        name="--rate-limit-retry-after",
        dest="rate_limit_retry_after",
        kind=Kind.SECONDS,
        help="Retry-After sent with the limiter's 429s.",
    ),
    *(
        Flag(
            name=name,
            dest=dest,
            kind=Kind.PROBABILITY,
            default=0.0,
            metavar="P",
            help=f"Probability to {text}.",
            section=_FAULTS,
        )
        for name, dest, text in FAULT_FLAGS
    ),
    Flag(
        name="--fault-retry-after",
        dest="fault_retry_after",
        kind=Kind.SECONDS,
        help="Retry-After sent with injected 429s.",
        section=_FAULTS,
    ),
    Flag(
        name="--fault-keyed",
        dest="fault_keyed",
        kind=Kind.SWITCH,
        default=False,
        help=(
            "Draw each fault from the seed and the request's identity "
            "(method, route, object key or target, body, attempt) instead "
            "of arrival order."
        ),
        section=_FAULTS,
    ),
    Flag(
        name="--fault-certain",
        dest="fault_certain",
        kind=Kind.FAULT_PAIRS,
        default=(),
        metavar="KEY=KIND",
        help=(
            "Every request about object KEY meets fault KIND "
            f"({', '.join(FAULT_KINDS)}); repeatable."
        ),
        section=_FAULTS,
    ),
    Flag(
        name="--seed",
        dest="seed",
        kind=Kind.INTEGER,
        help="Seed for repeatable faults and jitter.",
        section=_FAULTS,
    ),
    Flag(
        name="--error-body-style",
        dest="error_body_style",
        kind=Kind.CHOICE,
        choices=("top-level", "wrapped"),
        default="top-level",
        help="Service errors at the top level or in responseError.",
    ),
    Flag(
        name="--import-delay",
        dest="import_delay",
        kind=Kind.SECONDS,
        default=0.0,
        help="Seconds a new asset stays IN_PROGRESS.",
    ),
    Flag(
        name="--analysis-delay",
        dest="analysis_delay",
        kind=Kind.SECONDS,
        default=0.0,
        help="Seconds an analysis waits and runs before it completes.",
    ),
    Flag(
        name="--analysis-fail",
        dest="analysis_fail",
        kind=Kind.TEXT,
        metavar="GLOB",
        help=(
            "Analyses of assets whose key matches GLOB (e.g. '*broken*') "
            "end ANALYZE_FAIL."
        ),
    ),
    Flag(
        name="--analysis-reads",
        dest="analysis_reads",
        kind=Kind.COUNT,
        default=0,
        help="Status reads an analysis needs to end (0: time alone).",
    ),
    Flag(
        name="--summary-delay",
        dest="summary_delay",
        kind=Kind.SECONDS,
        default=0.0,
        help="Seconds a scene-summary run takes.",
    ),
    Flag(
        name="--clock-offset",
        dest="clock_offset",
        kind=Kind.OFFSET,
        default=0.0,
        help="Seconds the gateway's clock is ahead (negative: behind).",
    ),
    Flag(
        name="--list-order",
        dest="list_order",
        kind=Kind.CHOICE,
        choices=LIST_ORDERS,
        default="ascending",
        help=(
            "Asset list order: by id up or down, shuffled per request, or "
            "by creation second with ties shuffled."
        ),
    ),
    Flag(
        name="--list-page-cap",
        dest="list_page_cap",
        kind=Kind.PAGE_SIZE,
        help="Serve asset list pages of at most N, whatever is asked.",
    ),
    Flag(
        name="--file-name-style",
        dest="file_name_style",
        kind=Kind.CHOICE,
        choices=("key", "basename"),
        default="key",
        help="Asset fileName: the full key or its base name.",
    ),
    Flag(
        name="--late-processing",
        dest="late_processing",
        kind=Kind.PROBABILITY,
        default=0.0,
        help=(
            "Share of keys whose registrations are answered 504 at once "
            "and processed later."
        ),
    ),
    Flag(
        name="--late-processing-delay",
        dest="late_processing_delay",
        kind=Kind.SECONDS,
        default=1.0,
        help="Seconds until a late registration lands.",
    ),
    Flag(
        name="--processed-error-code",
        dest="processed_error_code",
        kind=Kind.PROBABILITY,
        default=0.0,
        help=(
            "Share of keys whose registrations are processed, then "
            "answered HTTP 200 with a code other than 0."
        ),
    ),
    Flag(
        name="--import-polls",
        dest="import_polls",
        kind=Kind.COUNT,
        default=0,
        help=(
            "Reads of an asset's import status answered IN_PROGRESS "
            "before its import ends."
        ),
    ),
    Flag(
        name="--import-failed",
        dest="import_failed",
        kind=Kind.TEXT,
        metavar="GLOB",
        help="Imports of keys matching GLOB end FAILED.",
    ),
    Flag(
        name="--import-invalid",
        dest="import_invalid",
        kind=Kind.TEXT,
        metavar="GLOB",
        help="Imports of keys matching GLOB end INVALID_METADATA.",
    ),
    Flag(
        name="--max-workspaces",
        dest="max_workspaces",
        kind=Kind.COUNT,
        help="The account's workspace allowance.",
    ),
    Flag(
        name="--s3-endpoint",
        dest="s3_endpoint",
        kind=Kind.TEXT,
        metavar="URL",
        help=(
            "Check that registered keys exist in this S3-compatible store, "
            "as the service does: a missing object does not fail "
            "registration, its import status ends as FILE_NOT_EXIST "
            "(needs the 's3' extra). Default: no check."
        ),
        section=_STORAGE,
    ),
    Flag(
        name="--s3-region",
        dest="s3_region",
        kind=Kind.TEXT,
        default=limits.OBJECT_STORAGE_REGION,
        metavar="NAME",
        help=f"Its region name. Default: {limits.OBJECT_STORAGE_REGION}.",
        section=_STORAGE,
    ),
    Flag(
        name="--s3-access-key",
        dest="s3_access_key",
        kind=Kind.TEXT,
        env=ENV_EMULATOR_S3_ACCESS_KEY,
        metavar="KEY",
        help=(
            f"Its access key. Default: ${ENV_EMULATOR_S3_ACCESS_KEY}, else "
            "the emulator's own keys; the secret is read from "
            f"${ENV_EMULATOR_S3_SECRET_KEY} only."
        ),
        section=_STORAGE,
    ),
    Flag(
        name="--s3-check-concurrency",
        dest="s3_check_concurrency",
        kind=Kind.COUNT,
        default=8,
        help=(
            "Background HEAD requests in flight; 0 checks a key only when "
            "its import status is asked for. Default: 8."
        ),
        section=_STORAGE,
    ),
)


#: The flag of each ``dest``, for messages.
FLAG_OF: Final = {flag.dest: flag.name for flag in FLAGS}


def check_value(kind: Kind, value: float) -> str | None:
    """
    Why *value* is out of *kind*'s bounds, or ``None`` if it is within.

    Strictly private.
    """
    _type, low, high, open_low = BOUNDS[kind]
    if value != value:  # NaN  # noqa: PLR0124
        return "is not a number"
    if low is not None and (value <= low if open_low else value < low):
        return f"must be {'more than' if open_low else 'at least'} {low:g}"
    if high is not None and value > high:
        return f"must be at most {high:g}"
    return None


def parse_certain(text: str) -> tuple[str, str]:
    """
    Read a ``--fault-certain`` value: ``KEY=KIND``.

    The key may hold ``=``; the kind is after the last one.

    Raises:
        ValueError: Not ``KEY=KIND``, or an unknown kind.

    Strictly private.
    """
    key, sep, kind = text.rpartition("=")
    if not sep or not key:
        raise ValueError(f"wants KEY=KIND, not {text!r}")
    if kind not in FAULT_KINDS:
        raise ValueError(
            f"unknown fault kind {kind!r} in {text!r}; known: "
            f"{', '.join(FAULT_KINDS)}"
        )
    return key, kind
