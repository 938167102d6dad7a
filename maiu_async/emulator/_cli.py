"""
``python -m maiu_async.emulator``: the emulator as a process.

Plain argparse, so it works without the ``cli`` extra; the project's
click CLI forwards ``maiu-async emulator ...`` to `main`.

Strictly private.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import signal
import sys

from maiu_async import limits

from .._credentials import (
    ENV_EMULATOR_ACCESS_KEY,
    ENV_EMULATOR_S3_ACCESS_KEY,
    ENV_EMULATOR_S3_SECRET_KEY,
    ENV_EMULATOR_SECRET_KEY,
)
from ._config import (
    FAULT_KINDS,
    LIST_ORDERS,
    EmulatorConfig,
    Faults,
    Knobs,
    ObjectStorageCheck,
)
from ._server import run


__all__ = ["main"]


_FAULT_FLAGS = (
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m maiu_async.emulator",
        description="Serve a local emulator of the Media Intelligence API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address")
    parser.add_argument(
        "--port", type=int, default=8080, help="bind port; 0 picks a free one"
    )
    parser.add_argument(
        "--access-key",
        default=os.environ.get(ENV_EMULATOR_ACCESS_KEY),
        help=f"accepted access key (default: ${ENV_EMULATOR_ACCESS_KEY})",
    )
    parser.add_argument(
        "--secret-key",
        default=os.environ.get(ENV_EMULATOR_SECRET_KEY),
        help=(
            f"its secret key (default: ${ENV_EMULATOR_SECRET_KEY}; prefer the "
            "variable: arguments are visible to other users)"
        ),
    )
    knobs = parser.add_argument_group("knobs")
    knobs.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds added to every API request",
    )
    knobs.add_argument(
        "--jitter",
        type=float,
        default=0.0,
        metavar="S",
        help="up to this many more seconds, uniformly drawn",
    )
    knobs.add_argument(
        "--rate-limit",
        type=float,
        metavar="RPS",
        help="requests per second before answering 429",
    )
    knobs.add_argument(
        "--rate-limit-burst",
        type=int,
        metavar="N",
        help="token bucket size (default: a tenth of the rate, at least 1)",
    )
    knobs.add_argument(
        "--rate-limit-retry-after",
        type=float,
        metavar="S",
        help="Retry-After sent with the limiter's 429s",
    )
    for flag, dest, text in _FAULT_FLAGS:
        knobs.add_argument(
            flag, dest=dest, type=float, default=0.0, metavar="P", help=text
        )
    knobs.add_argument(
        "--fault-retry-after",
        type=float,
        metavar="S",
        help="Retry-After sent with injected 429s",
    )
    knobs.add_argument(
        "--fault-keyed",
        action="store_true",
        help=(
            "draw each fault from the seed and the request's identity "
            "(method, route, object key or target, body, attempt) instead "
            "of arrival order"
        ),
    )
    knobs.add_argument(
        "--fault-certain",
        action="append",
        default=[],
        metavar="KEY=KIND",
        help=(
            "every request about object KEY meets fault KIND "
            f"({', '.join(FAULT_KINDS)}); repeatable"
        ),
    )
    knobs.add_argument(
        "--seed", type=int, help="seed for repeatable faults and jitter"
    )
    knobs.add_argument(
        "--error-body-style",
        choices=("top-level", "wrapped"),
        default="top-level",
        help="service errors at the top level or in responseError",
    )
    knobs.add_argument(
        "--import-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds a new asset stays IN_PROGRESS",
    )
    knobs.add_argument(
        "--analysis-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds an analysis waits and runs before it completes",
    )
    knobs.add_argument(
        "--summary-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds a scene-summary run takes",
    )
    knobs.add_argument(
        "--max-workspaces",
        type=int,
        metavar="N",
        help="the account's workspace allowance",
    )
    _list_knobs(knobs)
    storage = parser.add_argument_group(
        "Object Storage check",
        "check that registered keys exist, as the service does: a missing "
        "object does not fail registration, its import status ends as "
        "FILE_NOT_EXIST (needs the 's3' extra)",
    )
    storage.add_argument(
        "--s3-endpoint",
        metavar="URL",
        help="S3-compatible store to check keys in (default: no check)",
    )
    storage.add_argument(
        "--s3-region",
        default=limits.OBJECT_STORAGE_REGION,
        metavar="NAME",
        help="its region name (default: %(default)s)",
    )
    storage.add_argument(
        "--s3-access-key",
        default=os.environ.get(ENV_EMULATOR_S3_ACCESS_KEY),
        metavar="KEY",
        help=(
            f"its access key (default: ${ENV_EMULATOR_S3_ACCESS_KEY}, else "
            "the emulator's own keys); the secret is read from "
            f"${ENV_EMULATOR_S3_SECRET_KEY} only"
        ),
    )
    storage.add_argument(
        "--s3-check-concurrency",
        type=int,
        default=8,
        metavar="N",
        help=(
            "background HEAD requests in flight; 0 checks a key only when "
            "its import status is asked for (default: %(default)s)"
        ),
    )
    return parser


def _list_knobs(knobs: argparse._ArgumentGroup) -> None:
    knobs.add_argument(
        "--list-order",
        choices=LIST_ORDERS,
        default="ascending",
        help=(
            "asset list order: by id up or down, shuffled per request, or "
            "by creation second with ties shuffled (default: %(default)s)"
        ),
    )
    knobs.add_argument(
        "--list-page-cap",
        type=int,
        metavar="N",
        help="serve asset list pages of at most N, whatever is asked",
    )
    knobs.add_argument(
        "--file-name-style",
        choices=("key", "basename"),
        default="key",
        help="asset fileName: the full key or its base name",
    )
    knobs.add_argument(
        "--late-processing",
        type=float,
        default=0.0,
        metavar="P",
        help=(
            "share of keys whose registrations are answered 504 at once "
            "and processed later"
        ),
    )
    knobs.add_argument(
        "--late-processing-delay",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds until a late registration lands (default: 1)",
    )
    knobs.add_argument(
        "--processed-error-code",
        type=float,
        default=0.0,
        metavar="P",
        help=(
            "share of keys whose registrations are processed, then "
            "answered HTTP 200 with a code other than 0"
        ),
    )


def _object_storage(args: argparse.Namespace) -> ObjectStorageCheck | None:
    if args.s3_endpoint is None:
        return None
    access = args.s3_access_key
    secret = os.environ.get(ENV_EMULATOR_S3_SECRET_KEY) if access else None
    if access and not secret:
        raise ValueError(
            f"--s3-access-key needs ${ENV_EMULATOR_S3_SECRET_KEY}"
        )
    return ObjectStorageCheck(
        endpoint=args.s3_endpoint,
        region=args.s3_region,
        access_key=access or None,
        secret_key=secret,
        concurrency=args.s3_check_concurrency,
    )


def _certain(pairs: list[str]) -> dict[str, str]:
    certain = {}
    for pair in pairs:
        key, sep, kind = pair.rpartition("=")
        if not sep or not key:
            raise ValueError(f"--fault-certain wants KEY=KIND, not {pair!r}")
        certain[key] = kind
    return certain


def _config(args: argparse.Namespace) -> EmulatorConfig:
    # Every plain knob is the flag whose dest is the knob's name.
    given = vars(args)
    plain = {
        name: given[name] for name in Knobs.__annotations__ if name in given
    }
    faults = Faults(
        retry_after=args.fault_retry_after,
        keyed=args.fault_keyed,
        certain=_certain(args.fault_certain),
        **{dest: given[dest] for _, dest, _ in _FAULT_FLAGS},
    )
    return EmulatorConfig(
        access_key=args.access_key,
        secret_key=args.secret_key,
        faults=faults,
        object_storage=_object_storage(args),
        **plain,
    )


def _has_s3_client() -> bool:
    try:
        return importlib.util.find_spec("aiobotocore") is not None
    except (ImportError, ValueError):  # pragma: no cover -- broken install
        return False


def _announce(url: str) -> None:
    sys.stdout.write(f"maiu-async emulator listening on {url}\n")
    sys.stdout.flush()


async def _serve(config: EmulatorConfig, host: str, port: int) -> None:
    task = asyncio.current_task()
    if task is not None:
        # SIGTERM stops the server as cleanly as Ctrl-C.
        with contextlib.suppress(NotImplementedError):  # not on Windows
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, task.cancel
            )
    await run(config, host=host, port=port, ready=_announce)


def main(argv: list[str] | None = None) -> int:
    """
    Run the emulator until interrupted.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if
            omitted.

    Returns:
        The exit status: 0 after Ctrl-C or SIGTERM, 1 if the address
        cannot be bound, 2 for bad arguments.

    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.access_key or not args.secret_key:
        parser.error(
            f"--access-key/--secret-key (or ${ENV_EMULATOR_ACCESS_KEY} and "
            f"${ENV_EMULATOR_SECRET_KEY}) are required"
        )
    try:
        config = _config(args)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    if config.object_storage is not None and not _has_s3_client():
        parser.error(
            "--s3-endpoint needs aiobotocore: pip install 'maiu-async[s3]'"
        )
    try:
        asyncio.run(_serve(config, args.host, args.port))
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0
    except OSError as exc:
        sys.stderr.write(f"cannot listen on {args.host}:{args.port}: {exc}\n")
        return 1
    return 0
