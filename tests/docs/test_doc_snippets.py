"""
Every Python and shell block of README.md and docs/ runs, as written.

One test per Markdown file.  Its blocks run in document order against a
fresh in-process emulator, with these conventions (the pages rely on
them, so they are part of the docs' contract):

- The environment holds the emulator's credentials
  (``NCLOUD_ACCESS_KEY_ID``, ``NCLOUD_SECRET_ACCESS_KEY``) and its URL
  (``MAIU_ENDPOINT``), so ``MaiuClient()`` and ``maiu-async`` reach it;
  ``HOME`` is a fresh folder whose ncloud configuration file holds only
  a ``[prod]`` profile, with the same keys (``pagesetup``).
- A page that lists a bucket gets an S3 store in ``MAIU_S3_ENDPOINT``
  holding the bucket it lists (``pagesetup``).
- The emulator starts empty: a page creates the workspaces and projects
  it uses (numbered, where the page names a project by its id, so that
  the one it creates has that id).
- The working directory is a fresh folder holding ``keys.txt``
  (`KEYS`, one per line) and, as a clone would, ``examples/``.
- Python blocks of one file share one namespace, so a block may use what
  an earlier one defined.  Before each block, ``client`` is set to an
  open `MaiuClient` to the emulator, so fragments such as
  ``await client.projects.list(...)`` run as they read.
- A Python block with top-level ``await`` runs on the test's event loop;
  one without (a script calling ``asyncio.run``) runs in a worker
  thread, where no loop is running.  ``__name__`` is ``"__main__"``.
- A shell block runs with ``bash -e -o pipefail``, with this Python's
  ``bin`` folder first on ``PATH``; it must exit 0, print no traceback
  and never print the secret key.
- A block that serves until Ctrl-C is marked
  ``<!-- background: REASON -->``: it runs beside the page's later
  blocks, which find it at the address the page wrote (``background``).
- A block that cannot run is marked ``<!-- not-run: REASON -->`` (see
  ``docblocks``); marked blocks are counted in the summary.

A failure names the block's file and line; Python tracebacks point into
the Markdown file itself.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import os
import signal
import subprocess
import sys

from pathlib import Path

import anyio
import attrs
import pytest

from background import Servers
from docblocks import Block, blocks_of
from pagesetup import S3_PAGES, number_projects, s3_store, write_profiles
from testkeys import ACCESS_KEY, SECRET_KEY


ROOT = Path(__file__).resolve().parents[2]
#: The keys of ``keys.txt`` in every page's working directory.
KEYS = tuple(f"videos/sample-{n:02}.mp4" for n in range(10))
#: A guard against a block that never ends (a server not marked
#: not-run), not an expectation.
BLOCK_TIMEOUT = 300
_CLEARED = (
    "NCLOUD_ACCESS_KEY",
    "NCLOUD_SECRET_KEY",
    "NCLOUD_PROFILE",
    "MAIU_S3_ENDPOINT",
    "MAIU_S3_REGION",
    "MAIU_S3_ACCESS_KEY",
    "MAIU_S3_SECRET_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "MAIU_EMULATOR_ACCESS_KEY",
    "MAIU_EMULATOR_SECRET_KEY",
)


def markdown_files() -> list[Path]:
    """The README and every page of the documentation."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


#: Blocks to run and blocks marked not-run, per file, for the summary.
TALLY: dict[str, tuple[int, int]] = {}


#: Files known to fail, with the reason.  Strict: the day a file passes,
#: its entry must go.
PENDING: dict[str, str] = {}


def _params() -> list[object]:
    params = []
    for path in markdown_files():
        name = path.relative_to(ROOT).as_posix()
        marks = []
        if name in PENDING:
            marks.append(pytest.mark.xfail(reason=PENDING[name], strict=True))
        params.append(pytest.param(path, id=name, marks=marks))
    return params


@pytest.fixture(name="page_env")
def _page_env(emu, tmp_path, monkeypatch):
    work = tmp_path / "work"
    home = tmp_path / "home"
    work.mkdir()
    home.mkdir()
    (work / "keys.txt").write_text("\n".join(KEYS) + "\n", encoding="utf-8")
    # As in a clone of the repository, where docs/examples.md runs them.
    (work / "examples").symlink_to(ROOT / "examples")
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("MAIU_ENDPOINT", emu.url)
    monkeypatch.setenv("HOME", str(home))
    write_profiles(home)
    monkeypatch.setenv("NO_COLOR", "1")
    bindir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bindir + os.pathsep + os.environ["PATH"])
    monkeypatch.chdir(work)
    return work


class BlockExited(Exception):
    """A Python block called ``sys.exit`` with a failure status."""


def _exec_script(code, namespace: dict[str, object]) -> None:
    # SystemExit must not escape a worker thread (anyio would wait for a
    # result forever) nor the test (pytest would stop).
    try:
        exec(code, namespace)  # noqa: S102 -- the docs' own code
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise BlockExited(f"exit status {exc.code!r}") from None


async def _await_block(code, namespace: dict[str, object]) -> None:
    try:
        await eval(code, namespace)  # noqa: S307 -- the docs' own code
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise BlockExited(f"exit status {exc.code!r}") from None


async def _run_python(block: Block, namespace: dict[str, object]) -> None:
    padded = "\n" * block.line + block.source
    code = compile(
        padded,
        str(block.path),
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        dont_inherit=True,
    )
    with anyio.fail_after(BLOCK_TIMEOUT):
        if code.co_flags & inspect.CO_COROUTINE:
            await _await_block(code, namespace)
        else:
            await anyio.to_thread.run_sync(
                _exec_script, code, namespace, abandon_on_cancel=True
            )


async def _run_shell(block: Block, cwd: Path) -> tuple[int, str, str]:
    # A session of its own, so that the whole group can be killed: a
    # block may start more than one process.
    process = await anyio.open_process(
        ["bash", "-e", "-o", "pipefail", "-c", block.source],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out: list[bytes] = []
    err: list[bytes] = []

    async def drain(stream, into: list[bytes]) -> None:
        into.extend([chunk async for chunk in stream])

    try:
        with anyio.fail_after(BLOCK_TIMEOUT):
            async with anyio.create_task_group() as tg:
                tg.start_soon(drain, process.stdout, out)
                tg.start_soon(drain, process.stderr, err)
                code = await process.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.aclose()
    return (
        code,
        b"".join(out).decode(errors="replace"),
        b"".join(err).decode(errors="replace"),
    )


def _check_shell(where: str, code: int, out: str, err: str) -> None:
    tail = f"\n--- stdout ---\n{out[-3000:]}\n--- stderr ---\n{err[-3000:]}"
    if SECRET_KEY in out or SECRET_KEY in err:
        pytest.fail(f"{where}: sh block printed the secret key")
    if "Traceback (most recent call last)" in err:
        pytest.fail(f"{where}: sh block printed a traceback{tail}")
    if code != 0:
        pytest.fail(f"{where}: sh block exited {code}{tail}")


@pytest.mark.anyio
@pytest.mark.parametrize("path", _params())
async def test_page_blocks_run(path, page_env, client, emu, monkeypatch):
    """Each runnable block of the page runs without error, in order."""
    page = path.relative_to(ROOT).as_posix()
    blocks = blocks_of(path)
    marked = sum(block.not_run is not None for block in blocks)
    TALLY[page] = (len(blocks) - marked, marked)
    number_projects(emu, page)
    with contextlib.ExitStack() as stack:
        if page in S3_PAGES:
            monkeypatch.setenv(
                "MAIU_S3_ENDPOINT",
                stack.enter_context(s3_store(S3_PAGES[page])),
            )
        try:
            async with anyio.create_task_group() as tg:
                servers = Servers(tg, page_env)
                try:
                    await _run_page(blocks, servers, page_env, client)
                    await servers.stop()
                finally:
                    servers.kill()
        except BaseExceptionGroup as group:
            # A block's failure, as it is: wrapped, pytest's own outcome
            # (a BaseException) would stop the fixtures' event loop.
            raise _leaf(group) from None


def _leaf(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


async def _run_page(
    blocks: list[Block], servers: Servers, cwd: Path, client
) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    for written in blocks:
        if written.not_run is not None:
            continue
        where = written.where(ROOT)
        if written.background is not None:
            await servers.start(written, where)
            continue
        block = attrs.evolve(written, source=servers.adapt(written.source))
        if block.kind == "python":
            namespace["client"] = client
            try:
                await _run_python(block, namespace)
            except Exception as exc:
                message = f"{where}: python block raised {exc!r}"
                raise AssertionError(message) from exc
        else:
            _check_shell(where, *await _run_shell(block, cwd))


def test_markers_are_well_formed():
    """Every file parses, and each not-run marker gives its reason."""
    marked = [
        block
        for path in markdown_files()
        for block in blocks_of(path)
        if block.not_run is not None
    ]
    assert [] == [b.where(ROOT) for b in marked if not b.not_run.strip()]


def test_the_docs_have_runnable_blocks():
    """The runner finds blocks to run, so a broken parser cannot pass."""
    docs = [b for p in markdown_files()[1:] for b in blocks_of(p)]
    kinds = {b.kind for b in docs if b.not_run is None}
    assert {"python", "sh"} == kinds
