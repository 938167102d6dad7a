"""
The public API as a type checker sees it; checked by mypy, never run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type

from maiu_async import (
    USE_CLIENT_DEFAULT,
    AiohttpTransport,
    AnalysisStatus,
    Asset,
    AsyncTransport,
    ConfidenceLevel,
    Credentials,
    DialogQuery,
    ImportStatus,
    Index,
    IndexDetail,
    IndexList,
    MaiuClient,
    Page,
    Person,
    PersonQuery,
    PersonTag,
    PersonTags,
    PersonThumbnails,
    Project,
    ProjectList,
    RawResponse,
    RetryPolicy,
    SceneSummaryResult,
    SceneSummaryStatus,
    SearchImageUpload,
    SearchJob,
    SearchResults,
    ThumbnailSpec,
    ThumbnailUpload,
    Timeouts,
    UploadStatus,
    Workspace,
)
from maiu_async.bulk import (
    AnalysisReport,
    AnalysisRequest,
    PollPolicy,
    RequestStatus,
    request_analysis_many,
)
from maiu_async.testing import (
    MockTransport,
    Request,
    Response,
    TestingMode,
    api_error,
    is_testing,
    set_testing,
    success,
)


async def use() -> None:
    """Exercise every resource method's types."""
    async with MaiuClient(Credentials("ak", "sk")) as client:
        assert_type(client, MaiuClient)
        assert_type(await client.workspaces.create("ws"), Workspace)
        assert_type(await client.workspaces.get("ws"), Workspace)
        assert_type(await client.workspaces.list(), Page[Workspace])
        async for ws in client.workspaces.iterate():
            assert_type(ws, Workspace)
        assert_type(await client.projects.list("ws"), ProjectList)
        p = await client.projects.create("ws", "p", retry=None)
        assert_type(p, Project)
        assert_type(
            await client.projects.update("ws", p.project_id, name="q"),
            Project,
        )
        a = await client.assets.register(
            "ws", 1, key="a.mp4", bucket_name="b", retry=RetryPolicy()
        )
        assert_type(a, Asset)
        assert_type(
            await client.assets.list("ws", 1, retry=USE_CLIENT_DEFAULT),
            Page[Asset],
        )
        assert_type(
            await client.assets.import_status("ws", 1, a.asset_id),
            ImportStatus,
        )
        async for asset in client.assets.iterate("ws", 1):
            assert_type(asset, Asset)
        assert_type(await client.assets.delete("ws", 1, 2), None)


async def use_analysis(client: MaiuClient) -> None:
    """Exercise the analysis, index and scene-summary methods' types."""
    index = await client.analysis.request(
        "ws",
        1,
        2,
        analysis_person_count=3,
        scene_range="SHORT",
        tag_ids=[101, 203],
        source_language="ZH-CN",
        detect_audio_effects=True,
        retry=None,
    )
    assert_type(index, Index)
    assert_type(await client.analysis.status("ws", 1, 2), AnalysisStatus)
    assert_type(await client.analysis.cancel("ws", 1, 2), None)
    assert_type(await client.indexes.list("ws", 1, 2), IndexList)
    level: ConfidenceLevel = "HIGH"
    detail = await client.indexes.get(
        "ws", 1, 2, index.index_id, confidence_level=level
    )
    assert_type(detail, IndexDetail)
    assert_type(detail.index, Index)
    assert_type(await client.indexes.delete("ws", 1, 2, 3), None)
    run = await client.scene_summaries.request("ws", 1, 2, 3, scene_ids=[1])
    assert_type(run, SceneSummaryStatus)
    assert_type(
        await client.scene_summaries.status("ws", 1, 2, 3, 4),
        SceneSummaryStatus,
    )
    assert_type(
        await client.scene_summaries.get("ws", 1, 2, 3), SceneSummaryResult
    )
    assert_type(await client.scene_summaries.cancel("ws", 1, 2, 3, 4), None)
    report = await request_analysis_many(
        client,
        "ws",
        1,
        [2, 3],
        request=AnalysisRequest(person_count=1, scene_range="LONG"),
        wait=PollPolicy(timeout=60),
        concurrency=4,
    )
    assert_type(report, AnalysisReport)
    assert_type(report.counts[RequestStatus.REQUESTED], int)


async def use_search(client: MaiuClient) -> None:
    """Exercise the search methods' types."""
    upload = await client.search.image_upload_url("q.jpg")
    assert_type(upload, SearchImageUpload)
    done = await client.search.complete_image_upload(upload.asset_file_key)
    assert_type(done, UploadStatus)
    job = await client.search.request(
        "ws",
        text="beach",
        persons=PersonQuery(must=(1,), any_of=(2, 3)),
        dialog=DialogQuery(must_not=("hello",)),
        confidence_level="LOW",
        project_ids=[1],
        asset_types=["IMAGE", "VIDEO"],
        index_modified_from=datetime(2026, 1, 1),
    )
    assert_type(job, SearchJob)
    assert_type(
        await client.search.results("ws", job.search_id, page_size=100),
        SearchResults,
    )


async def use_persons(client: MaiuClient) -> None:
    """Exercise the person and person-tag methods' types."""
    face = ThumbnailSpec(thumbnail_key="k", is_primary_thumbnail=True)
    person = await client.persons.create(
        "ws", name="Kim", thumbnails=[face], description="d"
    )
    assert_type(person, Person)
    assert_type(await client.persons.get("ws", person.person_id), Person)
    assert_type(await client.persons.update("ws", 1, name="Lee"), Person)
    assert_type(
        await client.persons.list("ws", name="Ki", tag_ids=[1]), Page[Person]
    )
    async for p in client.persons.iterate("ws"):
        assert_type(p, Person)
    assert_type(await client.persons.add_tags("ws", 1, [2]), PersonTags)
    assert_type(await client.persons.remove_tags("ws", 1, [2]), PersonTags)
    assert_type(
        await client.persons.add_thumbnails("ws", 1, [face]), PersonThumbnails
    )
    assert_type(
        await client.persons.remove_thumbnails("ws", 1, [2]), PersonThumbnails
    )
    assert_type(
        await client.persons.thumbnail_upload_url("ws", "me.png"),
        ThumbnailUpload,
    )
    assert_type(
        await client.persons.complete_thumbnail_upload("ws", "k"),
        UploadStatus,
    )
    assert_type(await client.persons.delete("ws", 1), None)
    tag = await client.person_tags.create("ws", "crew")
    assert_type(tag, PersonTag)
    assert_type(await client.person_tags.list("ws"), Page[PersonTag])
    async for t in client.person_tags.iterate("ws"):
        assert_type(t, PersonTag)
    assert_type(await client.person_tags.delete("ws", tag.tag_id), None)


async def use_seams() -> None:
    """Exercise the transport seam, the request method and testing mode."""

    def handler(request: Request) -> Response:
        assert_type(request.json(), Any)
        return success({"workspaceName": request.path})

    async def async_handler(request: Request) -> Response:
        return api_error(404, "10101", retry_after=1)

    mock = MockTransport(handler)
    transport: AsyncTransport = mock
    assert_type(mock.requests, list[Request])
    MockTransport(async_handler)
    wrapped: AsyncTransport = AiohttpTransport(timeouts=Timeouts())
    assert_type(await wrapped.send("GET", "u", {}, None), RawResponse)
    with set_testing(True, attempts=2):
        assert_type(is_testing(), bool)
    assert_type(set_testing(False), TestingMode)
    async with MaiuClient(
        access_key="ak", secret_key="sk", transport=transport
    ) as client:
        ws = await client.request("GET", "/api/v1/workspaces/w", Workspace)
        assert_type(ws, Workspace)
        page = await client.request(
            "GET",
            "/api/v1/workspaces",
            Page[Workspace],
            query={"pageNum": 1},
        )
        assert_type(page, Page[Workspace])
        assert_type(
            await client.request("DELETE", "/api/v1/workspaces/w"), None
        )
