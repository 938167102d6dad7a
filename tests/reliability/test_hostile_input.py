"""
Hostile input: names, keys and buckets that try to break the request.

Property-based (hypothesis) over workspace names, search ids, person-name
filters, project names, object keys and bucket names: unicode, control
characters, lone surrogates, ``../``, ``%2F``, very long, empty, the
forbidden characters.  Each input ends one of two ways:

- a `ValidationError` naming the argument, and nothing sent; or
- a request the emulator accepts (it verifies the signature against the
  raw request target, so the signed path is the sent path) and routes to
  the intended endpoint with exactly the intended decoded parameters.

A bulk job never crashes on hostile keys or buckets, and its journal
replays them.
"""

from __future__ import annotations

import collections
import itertools

from typing import Any

import pytest

from hypothesis import example, given
from hypothesis import strategies as st
from reliability_support import held_assets

from maiu_async import NotFound, ValidationError
from maiu_async.bulk import OutcomeStatus, register_many
from maiu_async.bulk._report import clip
from maiu_async.emulator import Emulator
from maiu_async.emulator import _app as emulator_app


pytestmark = pytest.mark.anyio

NASTY = [
    "",
    " ",
    ".",
    "..",
    "...",
    "../",
    "../..",
    "..%2F",
    "%2F",
    "%2e%2e",
    "%252F",
    "a/b",
    "a/../b",
    "/",
    "//",
    "?",
    "?x=1&y=2",
    "#frag",
    "%",
    "%zz",
    "\\",
    "..\\..\\",
    "\x00",
    "\n",
    "\r\nX-Injected: 1",
    "\t",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    ";",
    "|",
    "`",
    ";|`",
    "\ud800",
    "a\udfffb",
    "\uff46\uff55\uff4c\uff4c",  # full-width "full"
    "작업공간",
    "😀" * 10,
    "x" * 255,
    "x" * 256,
    "😀" * 255,
    "%00",
    "%0d%0a",
    "\x1b[31m",
    "$(rm -rf /)",
    "'; DROP TABLE x; --",
]

_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_SPECIAL = st.sampled_from("./%?#;|`\\ \x00\n\r\t&=+-_~aZ9é😀")


def hostile_text(long: int = 300) -> st.SearchStrategy[str]:
    """Text meant to break a request: everything in NASTY and around it."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=24),
        st.text(_SPECIAL, max_size=16),
        st.text(st.one_of(st.characters(), _SURROGATES), max_size=8),
        st.text(min_size=max(0, long - 60), max_size=long),
        st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
    )


@pytest.fixture(name="routed")
def _routed(monkeypatch) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """Every request the emulator routes: route name, params, query."""
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = []
    resolve = emulator_app.resolve

    def spy(method: str, raw_target: str) -> Any:
        match = resolve(method, raw_target)
        name = "not_found" if match is None else match.route.name
        params = {} if match is None else dict(match.params)
        query = {} if match is None else dict(match.query)
        seen.append((name, params, query))
        return match

    monkeypatch.setattr(emulator_app, "resolve", spy)
    return seen


def seed_workspace(emu: Emulator, name: str) -> None:
    """Give the emulator a workspace called *name*, whatever it is."""
    if name not in {ws.name for ws in emu.state.workspaces()}:
        emu.state.add_workspace(name, validate=False)


def refused_unsent(
    exc: ValidationError, fields: str | set[str], emu, sent: int
) -> None:
    """A clear validation error: names the argument; nothing was sent."""
    allowed = {fields} if isinstance(fields, str) else fields
    assert (True, sent) == (exc.field in allowed, emu.stats.requests)
    assert exc.reason
    assert exc.field in str(exc)


@given(name=hostile_text())
@example(name="a" * 255).via("longest accepted")
async def test_workspace_names_reach_exactly_that_workspace(
    emu, client, routed, name
):
    """A workspace name is refused unsent or reaches exactly that one."""
    seed_workspace(emu, name)
    routed.clear()
    sent, failures = emu.stats.requests, emu.stats.auth_failures

    try:
        listing = await client.projects.list(name)
    except ValidationError as exc:
        refused_unsent(exc, "workspace", emu, sent)
        return

    base = list(emu.state.workspace(name).projects)
    assert [("list_projects", {"ws": name}, {})] == routed
    assert (failures, base) == (
        emu.stats.auth_failures,
        [p.project_id for p in listing.projects],
    )


@given(workspace=hostile_text(), search_id=hostile_text(long=1000))
@example(workspace="ws", search_id="\U0001f600" * 1000).via("12 KB path")
@example(workspace="\U0001f600" * 255, search_id="\u00e9" * 500).via(
    "longest accepted"
)
async def test_search_ids_reach_exactly_that_search(
    emu, client, routed, workspace, search_id
):
    """Two hostile path segments arrive decoded exactly, or nothing goes."""
    seed_workspace(emu, workspace)
    routed.clear()
    sent, failures = emu.stats.requests, emu.stats.auth_failures

    try:
        await client.search.results(workspace, search_id)
    except ValidationError as exc:
        refused_unsent(exc, {"workspace", "search_id"}, emu, sent)
        return
    except NotFound:
        pass  # no such search: the answer of the intended route

    assert [
        ("get_search_result", {"ws": workspace, "search": search_id}, {})
    ] == [(r, p, {}) for r, p, _ in routed]
    assert failures == emu.stats.auth_failures


@given(name=hostile_text(long=60))
async def test_query_values_arrive_exactly(emu, client, routed, name):
    """A hostile query value (a person-name filter) arrives as given."""
    seed_workspace(emu, "people")
    routed.clear()
    sent, failures = emu.stats.requests, emu.stats.auth_failures

    try:
        page = await client.persons.list("people", name=name)
    except ValidationError as exc:
        refused_unsent(exc, "name", emu, sent)
        return

    [(route, params, query)] = routed
    assert ("list_persons", {"ws": "people"}, name) == (
        route,
        params,
        query.get("name"),
    )
    assert (failures, 0) == (emu.stats.auth_failures, page.total_count)


_workspaces = itertools.count()


@given(name=hostile_text(long=110))
@example(name="x" * 100).via("longest accepted")
@example(name="x" * 101).via("one too long")
async def test_project_names_are_stored_exactly(emu, client, routed, name):
    """A project name is refused unsent or stored exactly as given."""
    workspace = f"names-{next(_workspaces)}"
    emu.state.add_workspace(workspace)
    routed.clear()
    sent = emu.stats.requests

    try:
        project = await client.projects.create(workspace, name)
    except ValidationError as exc:
        refused_unsent(exc, "name", emu, sent)
        return

    stored = emu.state.workspace(workspace).project_named(name)
    assert stored is not None
    assert (name, stored.project_id) == (project.name, project.project_id)
    assert ["list_projects", "create_project"] == [r for r, _, _ in routed]


_keys = st.one_of(
    hostile_text(),
    st.builds(
        "{}.{}".format,
        hostile_text(long=40),
        st.sampled_from(["mp4", "MOV", "jpg", "heic", "txt", "", "mp4/"]),
    ),
    st.text(min_size=1019, max_size=1030).map(lambda s: s + ".mp4"),
)
_projects = itertools.count()


@given(
    keys=st.lists(_keys, max_size=12),
    bucket=st.one_of(st.just("media"), hostile_text(long=80)),
)
@example(keys=["a.mp4", "a.mp4", "b\ud800.mp4", 'c\n\t".mp4'], bucket="m")
async def test_bulk_job_survives_hostile_keys_and_buckets(  # noqa: PLR0917 -- fixtures
    emu, client, routed, tmp_path, keys, bucket
):
    """Hostile keys are skipped or stored exactly; the job never crashes."""
    if "bulk-ws" not in {ws.name for ws in emu.state.workspaces()}:
        emu.state.add_workspace("bulk-ws")
    project_id = emu.state.add_project("bulk-ws", f"p{next(_projects)}")
    journal = tmp_path / f"job-{project_id.project_id}.journal"
    routed.clear()
    sent = emu.stats.requests
    outcomes: list[Any] = []

    try:
        report = await register_many(
            client,
            "bulk-ws",
            project_id.project_id,
            bucket_name=bucket,
            keys=keys,
            journal=journal,
            on_result=outcomes.append,
        )
    except ValidationError as exc:
        refused_unsent(exc, "bucket_name", emu, sent)
        return

    held = held_assets(emu, "bulk-ws", project_id.project_id)
    registered = {
        o.key: o.asset_id
        for o in outcomes
        if o.status is OutcomeStatus.REGISTERED
    }
    buckets = {
        a.bucket_name
        for a in emu.state.assets_of("bulk-ws", project_id.project_id)
    }
    # A key too long to be one is echoed shortened (issue 13).
    assert collections.Counter(map(clip, keys)) == collections.Counter(
        o.key for o in outcomes
    )
    assert {k: [v] for k, v in registered.items()} == held
    assert (len(registered), 0, 0) == (
        report.registered,
        report.failed,
        report.unknown,
    )
    assert buckets <= {bucket}
    # Registrations, the preflight's read of the project and the one read
    # of the list for the watermark.
    assert {"register_asset", "get_project", "list_assets"} >= {
        r for r, _, _ in routed
    }

    again = await register_many(
        client,
        "bulk-ws",
        project_id.project_id,
        bucket_name=bucket,
        keys=keys,
        journal=journal,
    )

    assert (len(registered), len(registered)) == (
        again.registered,
        again.resumed,
    )
    assert held == held_assets(emu, "bulk-ws", project_id.project_id)
