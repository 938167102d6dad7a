"""
Secrets: a recognisable secret key never shows up anywhere.

Every public code path runs with the secret key ``SECRET-CANARY-7f3a9c``:
all resources, the bulk engine with its journal, every error class, and
the CLI (in-process, and once as a process stopped by Ctrl-C).  The
canary is then looked for in the logs (all loggers, DEBUG), the repr and
str of every object, exception messages and tracebacks (causes
included), reports, journals, log files and CLI output.  The
request signatures, which a captured log could replay, are looked for in
logs, errors and tracebacks too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import re
import signal
import traceback

from typing import TYPE_CHECKING, Any

import anyio
import attrs
import pytest

from reliability_support import (
    Tripwire,
    cli_argv,
    cli_env,
    install_tripwire,
    refusing_url,
    running,
)
from testkeys import ACCESS_KEY, CANARY

from maiu_async import (
    Credentials,
    MaiuClient,
    MaiuError,
    RetryPolicy,
    ThumbnailSpec,
    Timeouts,
    _signing,
)
from maiu_async._credentials import resolve_credentials
from maiu_async.bulk import ReconcilePolicy, register_many, stream_register
from maiu_async.cli import main
from maiu_async.emulator import Emulator, Faults


if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator
    from pathlib import Path

    from anyio.abc import Process


pytestmark = pytest.mark.anyio

WS = "canary-ws"
#: A failure guard: a CLI run taking this long is hung, not slow.
RUN_LIMIT = 120.0
FAST = RetryPolicy(attempts=10, initial=0.001, maximum=0.01)
#: Every kind of trouble the emulator can make, for the error paths.
TROUBLE = Faults(
    error_500=0.1,
    error_502=0.1,
    error_503=0.1,
    rate_limited=0.1,
    retry_after=0.01,
    reset=0.1,
    lost_response=0.1,
)


class Evidence:
    """Every text the tour produced, each with where it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.errors: list[BaseException] = []
        self.results = 0

    def show(self, label: str, obj: object) -> None:
        """Keep the repr and str of *obj*."""
        self.texts.append((f"repr {label}", repr(obj)))
        self.texts.append((f"str {label}", str(obj)))

    def error(
        self, label: str, exc: BaseException, *, frames: bool = True
    ) -> None:
        """Keep an error: traceback, and everything its chain holds."""
        self.errors.append(exc)
        self.texts.append(
            (f"traceback {label}", "".join(traceback.format_exception(exc)))
        )
        self.texts.extend(
            (f"{label} {where}", text)
            for where, text in chain_texts(exc, frames=frames)
        )

    async def step(self, label: str, call: Awaitable[Any]) -> Any:
        """Await *call*, keeping its result or its error."""
        try:
            result = await call
        except MaiuError as exc:
            self.error(label, exc)
            return None
        self.results += 1
        self.show(label, result)
        return result

    def leaks(self, *needles: str) -> list[str]:
        """Where any of *needles* shows up."""
        return [
            label
            for label, text in self.texts
            if any(needle in text for needle in needles)
        ]


def chain_texts(
    exc: BaseException, *, frames: bool = True
) -> list[tuple[str, str]]:
    """
    The repr and str of all an error's chain holds, labelled.

    Every exception reachable through ``__cause__`` and ``__context__``
    (both, not the first found), each one's ``args`` and attributes, and
    (with *frames*) the local variables of every frame of its traceback.
    """
    texts: list[tuple[str, str]] = []
    todo, seen = [exc], set()
    while todo:
        err = todo.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        name = type(err).__name__
        texts += [(f"repr {name}", repr(err)), (f"str {name}", str(err))]
        texts += [
            (f"{name}.args[{i}]", repr(a)) for i, a in enumerate(err.args)
        ]
        texts += [(f"{name}.{k}", repr(v)) for k, v in vars(err).items()]
        tb = err.__traceback__ if frames else None
        while tb is not None:
            frame = tb.tb_frame
            texts += [
                (f"{name} frame {frame.f_code.co_name} {k}", safe_repr(v))
                for k, v in frame.f_locals.items()
            ]
            tb = tb.tb_next
        todo += [e for e in (err.__cause__, err.__context__) if e is not None]
    return texts


def safe_repr(value: object) -> str:
    """The repr of *value*, or why there is none."""
    try:
        return repr(value)
    except Exception as exc:  # noqa: BLE001 -- any repr may fail
        return f"<repr failed: {type(exc).__name__}>"


@pytest.fixture(name="signatures")
def _signatures(monkeypatch) -> list[str]:
    """Every signature the client computes."""
    seen: list[str] = []
    headers = _signing.Signer.headers

    def spy(self, *args: Any, **kwargs: Any) -> dict[str, str]:
        result = headers(self, *args, **kwargs)
        seen.append(result[_signing.HEADER_SIGNATURE])
        return result

    monkeypatch.setattr(_signing.Signer, "headers", spy)
    return seen


@pytest.fixture(name="logs")
def _logs(caplog) -> pytest.LogCaptureFixture:
    """Everything every logger writes, from DEBUG up."""
    caplog.set_level(logging.DEBUG)
    for name in ("maiu_async", "aiohttp", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


async def resources_tour(client: MaiuClient, ev: Evidence) -> None:
    """Call every resource method once, in an order that makes them work."""
    step = ev.step
    ws = await step("ws.create", client.workspaces.create(WS, bucket_name="b"))
    await step("ws.list", client.workspaces.list())
    await step("ws.get", client.workspaces.get(WS))
    ev.show("ws.iterate", [w async for w in client.workspaces.iterate()])
    p1 = await step("projects.create", client.projects.create(WS, "one"))
    p2 = await step("projects.create", client.projects.create(WS, "two"))
    await step("projects.list", client.projects.list(WS))
    await step("projects.get", client.projects.get(WS, p1.project_id))
    await step(
        "projects.update", client.projects.update(WS, p2.project_id, name="2")
    )
    a = await step(
        "assets.register",
        client.assets.register(
            WS, p1.project_id, key="a.mp4", bucket_name="b"
        ),
    )
    ids = (WS, p1.project_id, a.asset_id)
    await step("assets.list", client.assets.list(WS, p1.project_id))
    ev.show(
        "assets.iterate", [x async for x in client.assets.iterate(*ids[:2])]
    )
    await step("assets.get", client.assets.get(*ids))
    await step("assets.import_status", client.assets.import_status(*ids))
    index = await step(
        "analysis.request",
        client.analysis.request(*ids, analysis_person_count=0),
    )
    await step("analysis.status", client.analysis.status(*ids))
    await step("indexes.list", client.indexes.list(*ids))
    await step("indexes.get", client.indexes.get(*ids, index.index_id))
    summary = await step(
        "summaries.request",
        client.scene_summaries.request(*ids, index.index_id),
    )
    await step(
        "summaries.get", client.scene_summaries.get(*ids, index.index_id)
    )
    run = (*ids, index.index_id, summary.scene_summary_id)
    await step("summaries.status", client.scene_summaries.status(*run))
    await step("summaries.cancel", client.scene_summaries.cancel(*run))
    await step("analysis.cancel", client.analysis.cancel(*ids))
    upload = await step("search.url", client.search.image_upload_url("q.jpg"))
    await step(
        "search.complete",
        client.search.complete_image_upload(upload.asset_file_key),
    )
    job = await step(
        "search.request",
        client.search.request(WS, text="sea", project_ids=[p1.project_id]),
    )
    await step("search.results", client.search.results(WS, job.search_id))
    await people_tour(client, ev)
    await step("indexes.delete", client.indexes.delete(*ids, index.index_id))
    await step(
        "assets.move", client.assets.move(*ids, new_project_id=p2.project_id)
    )
    await step(
        "assets.delete", client.assets.delete(WS, p2.project_id, a.asset_id)
    )
    await step("projects.delete", client.projects.delete(WS, p2.project_id))
    ev.show("workspace", ws)


async def people_tour(client: MaiuClient, ev: Evidence) -> None:
    """Call every person and person-tag method once."""
    step = ev.step
    tag = await step("tags.create", client.person_tags.create(WS, "actors"))
    await step("tags.list", client.person_tags.list(WS))
    ev.show("tags.iterate", [t async for t in client.person_tags.iterate(WS)])
    thumb = await step(
        "persons.url", client.persons.thumbnail_upload_url(WS, "f.jpg")
    )
    await step(
        "persons.complete",
        client.persons.complete_thumbnail_upload(WS, thumb.thumbnail_key),
    )
    face = ThumbnailSpec(
        thumbnail_key="faces/a.jpg", is_primary_thumbnail=True
    )
    kim = await step(
        "persons.create",
        client.persons.create(WS, name="Kim", thumbnails=[face]),
    )
    pid = kim.person_id
    await step("persons.list", client.persons.list(WS, name="Ki"))
    ev.show("persons.iterate", [x async for x in client.persons.iterate(WS)])
    await step("persons.get", client.persons.get(WS, pid))
    await step("persons.update", client.persons.update(WS, pid, name="Lee"))
    await step("persons.tag", client.persons.add_tags(WS, pid, [tag.tag_id]))
    await step(
        "persons.untag", client.persons.remove_tags(WS, pid, [tag.tag_id])
    )
    added = await step(
        "persons.thumbs",
        client.persons.add_thumbnails(
            WS, pid, [ThumbnailSpec(thumbnail_key="faces/b.jpg")]
        ),
    )
    extra = added.thumbnails[-1].thumbnail_id
    await step(
        "persons.unthumb", client.persons.remove_thumbnails(WS, pid, [extra])
    )
    await step("persons.delete", client.persons.delete(WS, pid))
    await step("tags.delete", client.person_tags.delete(WS, tag.tag_id))


async def error_tour(client: MaiuClient, ev: Evidence, tmp_path: Path) -> None:
    """Provoke the errors a user meets, all with the canary in force."""
    step = ev.step
    await step("not found", client.workspaces.get("no-such-ws"))
    await step("invalid", client.workspaces.create("NO"))
    await step("duplicate", client.projects.create(WS, "one"))
    listing = await client.projects.list(WS)
    base = next(p for p in listing.projects if p.is_base_project)
    await step("base", client.projects.delete(WS, base.project_id))
    journal = tmp_path / "other.journal"
    other = await client.projects.create(WS, "other")
    for project_id in (other.project_id, other.project_id + 1):
        await step(
            "journal",
            register_many(
                client,
                WS,
                project_id,
                bucket_name="b",
                keys=["x.mp4"],
                journal=journal,
            ),
        )


async def trouble_tour(url: str, ev: Evidence) -> None:
    """500, 502, 503, 429, resets and lost answers, each as an error."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=CANARY, endpoint=url, retry=None
    ) as client:
        ev.show("client", client)
        for i in range(40):
            await ev.step(f"trouble {i}", client.workspaces.get(WS))


async def test_no_code_path_shows_the_secret(logs, signatures, tmp_path):
    """Logs, reprs, errors, tracebacks and journals never hold the canary."""
    ev = Evidence()
    journal = tmp_path / "bulk.journal"
    async with Emulator(access_key=ACCESS_KEY, secret_key=CANARY) as emu:
        ev.show("emulator", emu)
        ev.show("emulator config", emu.config)
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=CANARY, endpoint=emu.url
        ) as client:
            for label, obj in vars(client).items():
                ev.show(f"client.{label}", obj)
            ev.show("client", client)
            ev.show("limiter", client.limiter)
            await resources_tour(client, ev)
            await error_tour(client, ev, tmp_path)
            report = await register_many(
                client,
                WS,
                emu.state.add_project(WS, "bulk").project_id,
                bucket_name="b",
                keys=[f"k/{i}.mp4" for i in range(50)] + ["bad.txt"],
                journal=journal,
                on_result=lambda o: ev.show("outcome", o),
                on_event=lambda e: ev.show("event", e),
            )
            ev.show("report", report)
        ev.show("closed client", client)
        await ev.step("closed", client.workspaces.list())
        ev.show("state", emu.state)
        ev.show("stats", emu.stats)
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=CANARY, faults=TROUBLE, seed=4
    ) as faulty:
        faulty.state.add_workspace(WS)
        await trouble_tour(faulty.url, ev)
        async with (
            MaiuClient(
                access_key=ACCESS_KEY,
                secret_key=CANARY,
                endpoint=faulty.url,
                retry=FAST,
            ) as client,
            stream_register(
                client,
                WS,
                faulty.state.add_project(WS, "p").project_id,
                bucket_name="b",
                keys=[f"s/{i}.mp4" for i in range(80)],
                retry=FAST,
                # The emulator lands nothing late: no need to wait out
                # the default request timeout before reconciling.
                reconcile=ReconcilePolicy(delay=0),
                on_event=lambda e: ev.show("event", e),
            ) as stream,
        ):
            ev.show("stream", stream)
            async for outcome in stream:
                ev.show("outcome", outcome)
        ev.show("stream report", stream.report)
    async with (
        Emulator(access_key=ACCESS_KEY, secret_key="other") as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=CANARY, endpoint=emu.url
        ) as client,
    ):
        await ev.step("wrong secret", client.workspaces.list())
    with refusing_url() as nowhere:
        async with MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=CANARY,
            endpoint=nowhere,
            retry=None,
            timeouts=Timeouts(connect=1.0),
        ) as client:
            await ev.step("cannot connect", client.workspaces.list())
    await bad_status_line(ev)
    local_errors(ev, tmp_path)
    ev.texts.append(("logs", logs.text))
    ev.texts.append(("journal", journal.read_text("utf-8")))

    kinds = {type(e).__name__ for e in ev.errors}
    print(  # noqa: T201 -- the numbers RELIABILITY.md quotes (-s)
        f"\nsecrets: {ev.results} results, {len(ev.errors)} errors of "
        f"{len(kinds)} kinds {sorted(kinds)}, {len(ev.texts)} texts, "
        f"{len(logs.records)} log records, {len(signatures)} signatures"
    )
    assert [] == ev.leaks(CANARY)
    assert [] == ev.leaks(*signatures)
    assert ev.results >= 50
    assert {
        "AuthenticationFailed",
        "ConnectError",
        "ConnectionLost",
        "CredentialsNotFound",
        "JournalError",
        "NotFound",
        "RateLimited",
        "ServerError",
        "TransportError",
        "UsageError",
        "ValidationError",
    } <= kinds
    assert any(r.name == "maiu_async" for r in logs.records)


async def bad_status_line(ev: Evidence) -> None:
    """An answer aiohttp cannot parse: its error describes the request."""

    async def answer(reader, writer) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 abc OK\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=CANARY,
            endpoint=f"http://127.0.0.1:{port}",
            retry=None,
        ) as client:
            await ev.step("bad status line", client.workspaces.list())
    finally:
        server.close()
        await server.wait_closed()


def local_errors(ev: Evidence, tmp_path: Path) -> None:
    """Errors raised without a server: credentials and their handling."""
    creds = Credentials(ACCESS_KEY, CANARY)
    ev.show("credentials", creds)
    ev.show("signer", _signing.Signer(creds))
    for label, make in [
        ("empty access", lambda: Credentials("", CANARY)),
        ("empty secret", lambda: Credentials(ACCESS_KEY, " ")),
        (
            "half a pair",
            lambda: resolve_credentials(
                {"NCLOUD_SECRET_ACCESS_KEY": CANARY}, tmp_path / "none"
            ),
        ),
        ("pickle", lambda: pickle.dumps(creds)),
        ("bad endpoint", lambda: MaiuClient(creds, endpoint="ftp://x")),
    ]:
        try:
            make()
        except (MaiuError, TypeError) as exc:
            # Not the frames: refusing a key pair, they hold the secret
            # as the caller's own frame does (it passed it).
            ev.error(label, exc, frames=False)


async def test_object_storage_listing_keeps_the_secret(logs, tmp_path):
    """Listing a bucket (botocore logging at DEBUG) never shows the canary."""
    pytest.importorskip("aiobotocore")
    pytest.importorskip("moto")
    from s3helpers import create_bucket, moto_server, put  # noqa: PLC0415

    from maiu_async.storage import (  # noqa: PLC0415
        ObjectStorageSource,
        StorageConfig,
    )

    ev = Evidence()
    keys: list[str] = []
    with moto_server() as url:
        create_bucket("canary-bucket")
        for key in ("v/a.mp4", "v/b.txt", "v/c/"):
            put("canary-bucket", key, 10)
        config = StorageConfig(
            endpoint=url, credentials=Credentials(ACCESS_KEY, CANARY)
        )
        ev.show("config", config)
        for bucket in ("canary-bucket", "no-such-bucket"):
            source = ObjectStorageSource(bucket, "v/", config=config)
            ev.show("source", source)
            try:
                async with source:
                    ev.show("open source", source)
                    async for listed in source.objects():
                        ev.show("listed", listed)
                        keys.append(listed.key)
            except MaiuError as exc:
                ev.error("listing", exc)
            ev.show("stats", source.stats)
    ev.texts.append(("logs", logs.text))

    assert [] == ev.leaks(CANARY)
    assert (1, ["v/a.mp4", "v/b.txt", "v/c/"]) == (len(ev.errors), keys)
    assert any(r.name.startswith("botocore") for r in logs.records)


# -- the CLI ----------------------------------------------------------------


class RecordTexts(logging.Handler):
    """
    Every log record's message and traceback, as text.

    Put on the ``maiu_async`` logger itself: while a command runs, the CLI
    stops its records from propagating to the root logger, where
    ``caplog`` listens.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep *record* as text: level, logger, message, traceback."""
        self.texts.append(self._format.format(record))

    _format = logging.Formatter("%(levelname)s %(name)s %(message)s")


@attrs.define
class InProcessCli:
    """
    Runs ``maiu_async.cli.main`` in a worker thread, as a user's shell would.

    Credentials and the endpoint go through the environment, HOME and the
    working directory are the test's own; stdout and stderr are captured
    together.  ``main`` runs its own event loop, so the emulator keeps
    answering on the test's loop meanwhile.
    """

    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    home: Path

    async def __call__(
        self, url: str, *args: str, secret: str = CANARY
    ) -> tuple[int, str]:
        """Run the CLI to its end; return its exit code and all it printed."""
        for name, value in cli_env(self.home, url, secret=secret).items():
            if name.startswith(("NCLOUD_", "MAIU_", "HOME", "COLUMNS")):
                self.monkeypatch.setenv(name, value)
        self.capsys.readouterr()  # whatever came before is not ours
        with anyio.fail_after(RUN_LIMIT):
            code = await anyio.to_thread.run_sync(
                main, list(args), abandon_on_cancel=True
            )
        out, err = self.capsys.readouterr()
        return code, out + err


@pytest.fixture(name="cli")
def _cli(capsys, monkeypatch, tmp_path) -> InProcessCli:
    """The in-process CLI, in *tmp_path*, with no key of the caller's."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("NCLOUD_", "MAIU_", "AWS_")):
            monkeypatch.delenv(name)
    return InProcessCli(capsys, monkeypatch, tmp_path)


@pytest.fixture(name="cli_logs")
def _cli_logs(logs) -> Iterator[RecordTexts]:
    """The ``maiu_async`` records of the CLI's runs, from DEBUG up."""
    handler = RecordTexts()
    logger = logging.getLogger("maiu_async")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


async def test_cli_never_prints_the_secret(cli, cli_logs, logs, tmp_path):
    """Every CLI command, failing or not, keeps the canary to itself."""
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(f"c/{i}.mp4\n" for i in range(300)) + "x.txt\n")
    outputs: list[tuple[str, int, str]] = []
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=CANARY,
        faults=Faults(error_503=0.05, lost_response=0.03, reset=0.03),
        seed=9,
    ) as emu:
        emu.state.add_workspace("cli-ws", "b")
        runs = [
            ("workspaces", "create", "canary-cli", "--bucket", "b"),
            ("workspaces", "create", "canary-cli", "--json"),
            ("projects", "create", "-w", "cli-ws", "p", "--json"),
            ("projects", "create", "-w", "cli-ws", "q"),
            ("projects", "list", "-w", "cli-ws"),
            ("projects", "list", "-w", "cli-ws", "--json"),
            ("projects", "list", "-w", "no-such-ws"),
            ("projects", "rename", "-w", "cli-ws", "999999", "r"),
            ("--access-key", ACCESS_KEY, "projects", "list", "-w", "cli-ws"),
            *(
                (
                    "import",
                    *("--workspace", "cli-ws", "--project", "imports"),
                    *("--create-project", "--bucket", "b"),
                    *("--keys-file", str(keys), "--reconcile-delay", "0"),
                    *extra,
                )
                for extra in (
                    ("--journal", str(tmp_path / "j"), "-vv"),
                    ("--report", str(tmp_path / "r.jsonl")),
                    ("--journal", str(tmp_path / "j"), "--json"),
                    (
                        *("--report", str(tmp_path / "r2.jsonl"), "--json"),
                        *("-vv", "--log-file", str(tmp_path / "log")),
                        *("--log-format", "json"),
                    ),
                )
            ),
            ("import", "--help"),
            ("--version",),
        ]
        for args in runs:
            code, text = await cli(emu.url, *args)
            outputs.append((" ".join(args), code, text))
        code, text = await cli(
            emu.url, "projects", "list", "-w", "cli-ws", secret="x"
        )
        outputs.append(("wrong secret", code, text))
    with refusing_url() as nowhere:
        code, text = await cli(nowhere, "projects", "list", "-w", "w")
    outputs.append(("cannot connect", code, text))
    outputs.append(("keys failed", *await failing_import(cli, tmp_path)))
    outputs.append(("logs", 0, "\n".join(cli_logs.texts) + logs.text))
    files = {
        name: (tmp_path / name).read_bytes()
        for name in ("j", "r.jsonl", "r2.jsonl", "failed.jsonl", "log")
    }

    print(  # noqa: T201 -- the numbers RELIABILITY.md quotes (-s)
        f"\ncli secrets: {len(outputs)} runs, exit codes "
        f"{sorted({c for _, c, _ in outputs})}, "
        f"{sum(len(t) for _, _, t in outputs)} characters printed, "
        f"{len(cli_logs.texts)} log records"
    )
    assert [] == [name for name, _, text in outputs if CANARY in text]
    assert [] == [
        name for name, data in files.items() if CANARY.encode() in data
    ]
    assert [] == [name for name, _, text in outputs if "Traceback" in text]
    assert {0, 1, 2, 3} <= {c for _, c, _ in outputs}
    assert all(len(data) > 1000 for data in files.values())
    assert any(text.startswith("DEBUG") for text in cli_logs.texts)


async def failing_import(cli: InProcessCli, tmp_path: Path) -> tuple[int, str]:
    """An import whose keys all fail: every answer is a 429."""
    few = tmp_path / "few.txt"
    few.write_text("".join(f"f/{i}.mp4\n" for i in range(20)))
    async with Emulator(
        access_key=ACCESS_KEY,
        secret_key=CANARY,
        faults=Faults(rate_limited=1.0, retry_after=0.01),
    ) as emu:
        emu.state.add_workspace("cli-ws", "b")
        project = emu.state.add_project("cli-ws", "p")
        code, text = await cli(
            emu.url,
            *("import", "--workspace", "cli-ws", "--bucket", "b"),
            *("--project-id", str(project.project_id)),
            *("--keys-file", str(few), "--concurrency", "16"),
            *("--report", str(tmp_path / "failed.jsonl")),
        )
    return code, text


async def test_an_interrupted_cli_process_keeps_the_secret(
    monkeypatch, tmp_path
):
    """
    Ctrl-C in a real process: its last words hold no canary, no traceback.

    The one CLI run in a process of its own: only there does SIGINT reach
    the command's handler, and only there would the interpreter print an
    uncaught exception's traceback on its way out.
    """
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(f"c/{i}.mp4\n" for i in range(300)))
    tripwire = install_tripwire(monkeypatch)
    async with Emulator(access_key=ACCESS_KEY, secret_key=CANARY) as emu:
        emu.state.add_workspace("cli-ws", "b")
        emu.state.add_project("cli-ws", "imports")
        code, text = await interrupted_import(
            tmp_path, emu.url, keys, tripwire
        )
    journal = (tmp_path / "int.journal").read_text("utf-8")

    assert (130, False, False) == (code, CANARY in text, "Traceback" in text)
    assert "--journal" in text  # the resume command was printed
    assert CANARY not in journal


async def interrupted_import(
    tmp_path: Path, url: str, keys: Path, tripwire: Tripwire
) -> tuple[int, str]:
    """
    An import stopped by SIGINT, which prints the resume command.

    The signal is sent from inside the emulator as it creates the run's
    first asset: the run is then certainly under way, and not finished.
    """
    env = cli_env(tmp_path, url, secret=CANARY)
    out, err = tmp_path / "int-out", tmp_path / "int-err"
    argv = cli_argv(
        *("import", "--workspace", "cli-ws", "--project", "imports"),
        *("--bucket", "b", "--keys-file", str(keys)),
        *("--journal", str(tmp_path / "int.journal"), "--concurrency", "1"),
    )
    started: list[Process] = []
    tripwire.arm(1, lambda: started[0].send_signal(signal.SIGINT))
    try:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            async with running(
                argv, env=env, stdout=stdout, stderr=stderr
            ) as process:
                started.append(process)
                with anyio.fail_after(RUN_LIMIT):
                    await process.wait()
    finally:
        tripwire.disarm()
    return process.returncode or 0, out.read_text() + err.read_text()


def test_signing_keeps_the_secret_out_of_headers():
    """The signed headers carry the access key, never the secret."""
    headers = _signing.Signer(Credentials(ACCESS_KEY, CANARY)).headers(
        "GET", "/api/v1/workspaces"
    )

    assert [] == [k for k, v in headers.items() if CANARY in v]
    assert ACCESS_KEY == headers[_signing.HEADER_ACCESS_KEY]


# -- every failure kind, its whole chain ------------------------------------


def http(status: str, body: bytes, *headers: str) -> bytes:
    """An HTTP/1.1 answer that closes its connection."""
    lines = [f"HTTP/1.1 {status}", "Connection: close", *headers]
    if not any(h.lower().startswith("content-length") for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


AUTH_BODY = (
    b'{"error":{"errorCode":"200","message":"Authentication Failed",'
    b'"details":"Signature mismatch"}}'
)
#: What the raw server answers, by the workspace name asked for.
RAW_ANSWERS: dict[str, bytes | None] = {
    "bad-status": b"HTTP/1.1 abc OK\r\n\r\n",
    "not-http": b"hello there\r\n\r\n",
    "close": b"",
    "truncated": http("200 OK", b"{}", "Content-Length: 100"),
    "bad-length": http("200 OK", b"", "Content-Length: -5"),
    "long-header": http("200 OK", b"", "X-Long: " + "x" * 20_000),
    "huge-declared": http("200 OK", b"", "Content-Length: 1000000000000"),
    "bad-gzip": http("200 OK", b"not gzip!", "Content-Encoding: gzip"),
    "not-json": http("200 OK", b"junk"),
    "auth": http("401 Unauthorized", AUTH_BODY),
    "huge-chunked": None,
    "silent": None,
}


async def raw_answer(reader, writer) -> None:
    """Answer one request as `RAW_ANSWERS` says for its workspace."""
    head = await reader.readuntil(b"\r\n\r\n")
    name = head.split(b" ")[1].split(b"/")[4].split(b"?")[0].decode()
    length = re.search(rb"(?i)content-length: *([0-9]+)", head)
    if length is not None:
        await reader.readexactly(int(length.group(1)))
    try:
        if name == "huge-chunked":
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for _ in range(10_000):
                writer.write(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
                await writer.drain()
        elif name == "silent":
            await reader.read()
        else:
            writer.write(RAW_ANSWERS[name])
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def failure(call: Awaitable[object]) -> MaiuError:
    """
    The error *call* raises.

    Caught here, so that the traceback ends in a frame whose only local
    is the call, not in the test's, which holds the signatures.
    """
    try:
        await call
    except MaiuError as exc:
        return exc
    raise AssertionError("no error")


async def test_no_failure_kind_keeps_the_signature(signatures):
    """No error's chain, args or frame locals hold a request's signature."""
    errors: dict[str, BaseException] = {}
    server = await asyncio.start_server(raw_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=CANARY,
            endpoint=f"http://127.0.0.1:{port}",
            retry=None,
            timeouts=Timeouts(connect=5.0, read=0.5, total=RUN_LIMIT),
        ) as client:
            for name in RAW_ANSWERS:
                for label, call in (
                    (f"GET {name}", client.workspaces.get(name)),
                    (
                        f"POST {name}",
                        client.assets.register(
                            name, 1, key="a.mp4", bucket_name="b"
                        ),
                    ),
                ):
                    errors[label] = await failure(call)
    finally:
        server.close()
        await server.wait_closed()
    with refusing_url() as nowhere:
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=CANARY, endpoint=nowhere
        ) as client:
            errors["connect refused"] = await failure(client.workspaces.list())

    leaks = [
        f"{label}: {where}"
        for label, exc in errors.items()
        for where, text in chain_texts(exc)
        if any(sig in text for sig in signatures) or CANARY in text
    ]
    kinds = sorted({type(e).__name__ for e in errors.values()})
    assert 2 * len(RAW_ANSWERS) + 1 == len(errors)
    assert [] == leaks
    assert [
        "AuthenticationFailed",
        "ConnectError",
        "ConnectionLost",
        "RequestTimeout",
        "ResponseDecodeError",
        "TransportError",
    ] == kinds
