"""
``maiu-async import --prefix``: Object Storage options and dry runs.

Credentials: the bucket is listed with the same NCP keys as the API
(NCP Object Storage accepts them), unless ``--s3-access-key`` names
another key, whose secret is then read from ``$MAIU_S3_SECRET_KEY`` or
``$AWS_SECRET_ACCESS_KEY``, never from the command line.

A dry run lists and filters, and registers nothing: one line per object
on stdout (``register<TAB>KEY`` or ``skip<TAB>KEY<TAB>REASON``, so that
``grep '^register' | cut -f2`` makes a keys file), the counts per reason
at the end.

Strictly private.
"""

from __future__ import annotations

import json
import os
import re

from typing import TYPE_CHECKING, Final, Protocol

import attrs

from maiu_async import Credentials
from maiu_async._credentials import ENV_S3_SECRETS
from maiu_async.storage import (
    ListingStats,
    ObjectStorageSource,
    SkipReason,
    StorageConfig,
)


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import TextIO

    from maiu_async.storage import ListedObject


__all__ = [
    "ENV_S3_SECRETS",
    "DryRunSummary",
    "LineWriter",
    "MissingSecret",
    "dry_run",
    "printable",
    "s3_credentials",
    "skipped_by_reason",
]

#: Where the secret of ``--s3-access-key`` is read, in order.
#: Examples of skipped keys kept per reason for the summary.
EXAMPLES_PER_REASON: Final = 3

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class LineWriter(Protocol):
    """
    Where a report's lines go (a text file, or ``_import_run.ReportFile``).

    Strictly private.
    """

    def write(self, line: str, /) -> object:
        """Write one line."""


class MissingSecret(Exception):
    """
    ``--s3-access-key`` was given without its secret in the environment.

    Strictly private.
    """


def s3_credentials(
    access_key: str | None,
    api_credentials: Callable[[], Credentials],
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """
    The key pair to list the bucket with.

    Strictly private.
    """
    if access_key is None:
        return api_credentials()
    env = os.environ if environ is None else environ
    for name in ENV_S3_SECRETS:
        secret = env.get(name)
        if secret:
            return Credentials(access_key, secret)
    raise MissingSecret(
        "--s3-access-key needs its secret key in "
        + " or ".join(f"${name}" for name in ENV_S3_SECRETS)
        + " (secrets are never taken as arguments)"
    )


def printable(key: str) -> str:
    r"""
    *key* on one line: control characters written as ``\xNN``.

    Strictly private.
    """
    if _CONTROL.search(key) is None:
        return key
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", key)


def skipped_by_reason(stats: ListingStats) -> dict[str, int]:
    """
    The skip counts of a listing, by reason name, in the enum's order.

    Strictly private.
    """
    return {reason.value: stats.skipped[reason] for reason in SkipReason}


@attrs.frozen(kw_only=True)
class DryRunSummary:
    """
    What a dry run found.

    Strictly private.
    """

    bucket: str
    prefix: str
    stats: ListingStats
    report_path: Path | None
    examples: tuple[tuple[str, str, str], ...]

    @property
    def source(self) -> str:
        """What was listed."""
        return f"{self.bucket}/{self.prefix}"

    @property
    def would_register(self) -> int:
        """Objects that would be registered."""
        return self.stats.selected

    @property
    def would_skip(self) -> int:
        """Objects that would be skipped."""
        return self.stats.skipped_total

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        """Skip counts per reason."""
        return skipped_by_reason(self.stats)

    def as_json(self) -> dict[str, object]:
        """The summary as one JSON object."""
        s = self.stats
        return {
            "dry_run": True,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "listed": s.listed,
            "would_register": s.selected,
            "would_register_bytes": s.selected_bytes,
            "would_skip": s.skipped_total,
            "skipped_by_reason": skipped_by_reason(s),
            "pages": s.pages,
            "complete": s.complete,
            "report": None
            if self.report_path is None
            else str(self.report_path),
            "exit_code": 0,
        }


def _report_line(obj: ListedObject) -> str:
    return (
        json.dumps(
            {
                "key": obj.key,
                "size": obj.size,
                "action": "register" if obj.selected else "skip",
                "reason": None if obj.skip is None else obj.skip.value,
                "detail": obj.detail,
            },
            ensure_ascii=False,
        )
        + "\n"
    )


async def dry_run(  # noqa: PLR0913 -- every option is keyword-only
    *,
    bucket: str,
    prefix: str,
    config: StorageConfig,
    out: TextIO | None,
    report_file: LineWriter | None,
    report_path: Path | None,
) -> DryRunSummary:
    """
    List and filter *bucket*/*prefix*; register nothing.

    Writes one line per object to *out* (if given) and one JSON object
    per object to *report_file* (if given).

    Raises:
        ObjectStorageError: The listing failed.

    Strictly private.
    """
    examples: list[tuple[str, str, str]] = []
    shown = dict.fromkeys(SkipReason, 0)
    async with ObjectStorageSource(bucket, prefix, config=config) as source:
        async for obj in source.objects():
            if report_file is not None:
                report_file.write(_report_line(obj))
            if obj.skip is None:
                if out is not None:
                    out.write(f"register\t{printable(obj.key)}\n")
                continue
            if out is not None:
                out.write(f"skip\t{printable(obj.key)}\t{obj.skip.value}\n")
            if shown[obj.skip] < EXAMPLES_PER_REASON:
                shown[obj.skip] += 1
                examples.append(
                    (obj.skip.value, obj.key, obj.detail or obj.skip.value)
                )
        stats = source.stats
    return DryRunSummary(
        bucket=bucket,
        prefix=prefix,
        stats=stats,
        report_path=report_path,
        examples=tuple(examples),
    )
