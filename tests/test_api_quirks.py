"""
Small API quirks of issue 14: enums, messages, filled fields, lookups.

Also: the client refuses to run outside asyncio, clearly.
"""

from __future__ import annotations

import pytest

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    ImportState,
    ImportStatus,
    MaiuClient,
    ProjectLimitExceeded,
    ProjectList,
    UsageError,
)
from maiu_async._converter import structure
from maiu_async.testing import MockTransport, success


WS = "quirks-ws"


@pytest.fixture(name="project_id")
async def _project_id(emu) -> int:
    emu.state.add_workspace(WS, "media")
    return emu.state.add_project(WS, "clips").project_id


@pytest.mark.parametrize("state", list(ImportState))
def test_upload_status_is_an_enum(state):
    """Each documented import status structures as its ImportState member."""
    status = structure(
        {"assetId": 1, "uploadStatus": state.value}, ImportStatus
    )

    assert state is status.upload_status
    assert state.value == status.upload_status  # still a str


def test_unknown_upload_status_is_kept():
    """A status this version does not know is kept, not an error."""
    status = structure({"assetId": 1, "uploadStatus": "QUEUED"}, ImportStatus)

    assert isinstance(status.upload_status, ImportState)
    assert "QUEUED" == status.upload_status
    assert "QUEUED" == status.upload_status.name


def test_only_in_progress_is_not_final():
    """Every status but IN_PROGRESS is final."""
    assert [ImportState.IN_PROGRESS] == [s for s in ImportState if not s.final]


@pytest.mark.anyio
async def test_import_status_from_the_emulator(client, project_id):
    """assets.import_status answers an ImportState."""
    asset = await client.assets.register(
        WS, project_id, key="a.mov", bucket_name="media"
    )

    status = await client.assets.import_status(WS, project_id, asset.asset_id)

    assert isinstance(status.upload_status, ImportState)


def test_project_limit_message_is_not_invalid_name():
    """ProjectLimitExceeded says the workspace is full, not "invalid name"."""
    exc = ProjectLimitExceeded(workspace="ws", limit=1000, name="clips")

    assert (
        "cannot create project 'clips': workspace 'ws' already holds the "
        "maximum of 1000 projects"
    ) == str(exc)
    assert ("name", "clips") == (exc.field, exc.value)


@pytest.mark.anyio
async def test_register_fills_file_name_and_project(client, project_id):
    """register() fills file_name and project_id from the request."""
    asset = await client.assets.register(
        WS, project_id, key="videos/a.mp4", bucket_name="media"
    )
    listed = await client.assets.get(WS, project_id, asset.asset_id)

    assert ("videos/a.mp4", project_id) == (asset.file_name, asset.project_id)
    assert listed.file_name == asset.file_name


@pytest.mark.anyio
async def test_register_keeps_what_the_answer_says():
    """A file name in the answer wins over the request's key."""

    async def handler(request):
        return success({"assetId": 5, "fileName": "renamed.mp4"})

    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://api.test",
        transport=MockTransport(handler),
    ) as client:
        asset = await client.assets.register(
            WS, 3, key="a.mp4", bucket_name="media"
        )

    assert ("renamed.mp4", 3) == (asset.file_name, asset.project_id)


@pytest.mark.anyio
async def test_find_a_project_by_name(client, project_id):
    """projects.find() returns the project of that exact name, or None."""
    found = await client.projects.find(WS, "clips")
    missing = await client.projects.find(WS, "Clips")

    assert project_id == found.project_id
    assert None is missing


@pytest.mark.anyio
async def test_project_list_reads_like_a_page(client, project_id):
    """ProjectList.content is its projects, as Page.content is its items."""
    listed = await client.projects.list(WS)

    assert isinstance(listed, ProjectList)
    assert listed.projects == listed.content
    assert project_id in {p.project_id for p in listed.content}


def test_outside_asyncio_is_refused_clearly():
    """
    Entered with no asyncio loop running, as under trio, the client
    raises a UsageError at once and opens nothing.

    The coroutine is driven by hand, as another async library would: no
    asyncio loop runs (trio itself is not a dependency).
    """
    client = MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://127.0.0.1:9",
    )
    entering = client.__aenter__()

    with pytest.raises(UsageError, match="asyncio") as info:
        entering.send(None)

    assert "trio" in str(info.value)
    assert "unopened" in repr(client)


def test_classifiers_claim_asyncio_only():
    """The package claims asyncio, and neither AnyIO nor trio."""
    from importlib.metadata import metadata  # noqa: PLC0415

    classifiers = metadata("maiu-async").get_all("Classifier") or []

    assert "Framework :: AsyncIO" in classifiers
    assert [] == [c for c in classifiers if "AnyIO" in c or "Trio" in c]
