"""
Where the output of the commands that run a job goes, and logging.

Human output (progress, summaries, notices, log lines) goes to standard
error, machine output (``--json``, dry-run verdicts) to standard output.
On a terminal the progress is a live bar and the summaries are tables;
anywhere else (cron, CI, ``> log 2>&1``) a plain progress line is
printed every ``--progress-interval`` seconds and the summaries are
plain lines (``_plain``).

Logging: the ``maiu_async`` loggers go to standard error at WARNING
(``-q``: errors only; ``-v``: INFO; ``-vv``: DEBUG, one line per
request), and with ``--log-file`` to that file at INFO (DEBUG with
``-vv``), as text or, with ``--log-format json``, one JSON object per
line.  While the command runs the records do not propagate to the root
logger; the handlers are removed when it ends, so an in-process caller
keeps its own logging as it was.

Strictly private.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import click

from maiu_async.bulk._log import STOPPED_BY_FAILURE

from ._options import PROG, CommandFailed


if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


__all__ = [
    "DEFAULT_PROGRESS_INTERVAL",
    "Output",
    "StderrLogHandler",
    "current_output",
    "output_options",
]

#: Seconds between two progress lines when standard error is no TTY.
DEFAULT_PROGRESS_INTERVAL: Final = 5.0
#: The loggers of the package; every other logger name is a child.
ROOT_LOGGER: Final = "maiu_async"

F = TypeVar("F", bound="Callable[..., Any]")


def _stderr_is_a_tty() -> bool:
    # sys.stderr as it is now: callers and tests replace it.
    return sys.stderr.isatty()


@attrs.frozen(kw_only=True)
class Output:
    """
    How one command run shows what it does.

    Attributes:
        quiet: No progress, no summary; errors only (and ``--json``).
        verbose: 0 (warnings), 1 (INFO) or 2 (DEBUG) on standard error.
        progress_interval: Seconds between two plain progress lines.
        log_file: Where else to log, if anywhere.
        log_format: ``text`` or ``json``, for the log file.
        tty: Whether standard error is a terminal.

    """

    quiet: bool = False
    verbose: int = 0
    progress_interval: float = DEFAULT_PROGRESS_INTERVAL
    log_file: Path | None = None
    log_format: str = "text"
    tty: bool = attrs.field(factory=_stderr_is_a_tty)

    @property
    def stderr_level(self) -> int:
        """The level of log records shown on standard error."""
        if self.quiet:
            return logging.ERROR
        return (logging.WARNING, logging.INFO, logging.DEBUG)[
            min(self.verbose, 2)
        ]

    @property
    def file_level(self) -> int:
        """The level of log records written to ``--log-file``."""
        return logging.DEBUG if self.verbose >= 2 else logging.INFO

    @contextlib.contextmanager
    def logging(self) -> Iterator[StderrLogHandler]:
        """
        Route the package's log records while the command runs.

        Yields the standard-error handler, whose `StderrLogHandler.sink`
        a live display may replace so that log lines print above it.
        """
        logger = logging.getLogger(ROOT_LOGGER)
        stderr = StderrLogHandler()
        stderr.setLevel(self.stderr_level)
        handlers: list[logging.Handler] = [stderr]
        if self.log_file is not None:
            try:
                to_file = logging.FileHandler(self.log_file, encoding="utf-8")
            except OSError as exc:
                raise CommandFailed(
                    f"cannot write the log file {self.log_file}: "
                    f"{exc.strerror}"
                ) from None
            to_file.setLevel(self.file_level)
            to_file.setFormatter(
                JsonFormatter()
                if self.log_format == "json"
                else logging.Formatter(
                    "%(asctime)s %(levelname)s %(name)s: %(message)s"
                )
            )
            handlers.append(to_file)
        saved = logger.level, logger.propagate
        logger.setLevel(min(h.level for h in handlers))
        # The command owns its output: an in-process caller's own
        # handlers would print each record a second time.
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)
        try:
            yield stderr
        finally:
            for handler in handlers:
                logger.removeHandler(handler)
                handler.close()
            logger.setLevel(saved[0])
            logger.propagate = saved[1]


class StderrLogHandler(logging.Handler):
    """
    Log records as ``maiu-async: LEVEL: message`` lines on stderr.

    The line goes to `sink`: by default `sys.stderr` as it is when the
    record is emitted (so that tests capture it), or a live display.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sink: Callable[[str], None] = _to_stderr
        self.setFormatter(
            logging.Formatter(f"{PROG}: %(levelname)s: %(message)s")
        )

    def emit(self, record: logging.LogRecord) -> None:
        """Print one record, but a systemic stop: the command says it."""
        if getattr(record, STOPPED_BY_FAILURE, False):
            return
        try:
            self.sink(self.format(record))
        except Exception:  # noqa: BLE001 -- logging must not raise
            self.handleError(record)


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class JsonFormatter(logging.Formatter):
    """
    One JSON object per record: time, level, logger, message.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


_META_KEY: Final = "maiu_async.output"


def _remember(
    ctx: click.Context, param: click.Parameter, value: object
) -> None:
    ctx.meta.setdefault(_META_KEY, {})[param.name] = value


def current_output() -> Output:
    """
    The `Output` of the running command, from its options.
    """
    given: dict[str, Any] = click.get_current_context().meta.get(_META_KEY, {})
    if given.get("quiet") and given.get("verbose"):
        raise click.UsageError("pass either --quiet or --verbose")
    return Output(**given)


def output_options(f: F) -> F:
    """
    Add the output and logging options; see `current_output`.

    They are ``--quiet``, ``--verbose``, ``--progress-interval``,
    ``--log-file`` and ``--log-format``.
    """
    options = [
        click.option(
            "--log-format",
            expose_value=False,
            callback=_remember,
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="Format of --log-file: text lines or one JSON object each.",
        ),
        click.option(
            "--log-file",
            expose_value=False,
            callback=_remember,
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="PATH",
            help=(
                "Append the maiu_async log records to PATH (INFO and up; "
                "DEBUG with -vv)."
            ),
        ),
        click.option(
            "--progress-interval",
            expose_value=False,
            callback=_remember,
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_PROGRESS_INTERVAL,
            show_default=True,
            metavar="SECONDS",
            help=(
                "When stderr is not a terminal: print a progress line "
                "every SECONDS."
            ),
        ),
        click.option(
            "--verbose",
            "-v",
            expose_value=False,
            callback=_remember,
            count=True,
            help="Log more on stderr: -v job events (INFO), -vv requests.",
        ),
        click.option(
            "--quiet",
            "-q",
            expose_value=False,
            callback=_remember,
            is_flag=True,
            help="No progress and no summary; errors only.",
        ),
    ]
    for option in options:
        f = option(f)
    return f
