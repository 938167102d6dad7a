"""
Value classes for what the API returns.

Also the few it takes (`ThumbnailSpec`, `PersonQuery`, `DialogQuery`)
and the ``Literal`` types of its enumerations (`SceneRange`...), which
list the values of `maiu_async.limits`.

Fields are snake_case; wire names, time formats and the several spellings
the API pages use live only in ``maiu_async._converter``.
Times are naive `datetime.datetime` objects: the API sends ISO 8601 times
without a zone (probably server-local, KST).
"""

from __future__ import annotations

import enum

from collections.abc import Mapping  # noqa: TC003 -- attrs resolves it
from datetime import datetime  # noqa: TC003 -- cattrs needs it at runtime
from typing import Any, Generic, Literal, Self, TypeAlias, TypeVar

import attrs


__all__ = [
    "AnalysisSetting",
    "AnalysisStatus",
    "Asset",
    "AssetMetadata",
    "AssetPage",
    "AssetType",
    "ConfidenceLevel",
    "DialogQuery",
    "ImportState",
    "ImportStatus",
    "Index",
    "IndexDetail",
    "IndexList",
    "Page",
    "Person",
    "PersonPage",
    "PersonQuery",
    "PersonTag",
    "PersonTagPage",
    "PersonTags",
    "PersonThumbnail",
    "PersonThumbnails",
    "Project",
    "ProjectList",
    "SceneRange",
    "SceneSummary",
    "SceneSummaryInfo",
    "SceneSummaryResult",
    "SceneSummaryStatus",
    "SearchHit",
    "SearchImageUpload",
    "SearchJob",
    "SearchResults",
    "SkippedKey",
    "SourceLanguage",
    "ThumbnailSpec",
    "ThumbnailUpload",
    "UploadStatus",
    "Workspace",
    "WorkspacePage",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Workspace:
    """
    A workspace: an independent work area holding projects.

    Attributes:
        workspace_name: The workspace's name, its key in every path.
        bucket_name: The integrated Object Storage bucket, when known.
        workspace_url: The workspace's API URL, when the answer has it.
        monthly_analysis_count: Analyses this month (workspace details).
        created_user_name: Who created it.
        created_time: When it was created.
        updated_user_name: Who last changed it.
        updated_time: When it was last changed.

    """

    workspace_name: str
    bucket_name: str | None = None
    workspace_url: str | None = None
    monthly_analysis_count: int | None = None
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


@attrs.frozen(kw_only=True)
class Project:
    """
    A project: a place for media assets and their analyses.

    Attributes:
        project_id: The project's id.
        name: The project's name, unique within its workspace.
        is_base_project: Whether this is the workspace's default project,
            which cannot be renamed or deleted.
        created_user_name: Who created it.
        created_time: When it was created.
        updated_user_name: Who last changed it.
        updated_time: When it was last changed.

    """

    project_id: int
    name: str
    is_base_project: bool = False
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


@attrs.frozen(kw_only=True)
class ProjectList:
    """
    Every project of a workspace (the list is not paginated).

    The API answers the project list in one piece, under ``projects``,
    where the paginated lists (`Page`) have ``content``, page numbers and
    sizes.  `content` is the same tuple as `projects`, so that code
    written for a `Page` reads a project list too.

    Attributes:
        projects: The projects, in the order the API gave them.
        total_count: The number of projects the API reports.

    .. versionchanged:: 26.1.0 The `content` alias.

    """

    projects: tuple[Project, ...]
    total_count: int

    @property
    def content(self) -> tuple[Project, ...]:
        """
        The projects: `projects` under `Page`'s name.
        """
        return self.projects


@attrs.frozen(kw_only=True)
class AssetMetadata:
    """
    What the service probed from a media file.

    Attributes:
        resolution: For example ``"1920x1080"``.
        duration_ms: Video length in milliseconds.
        size: File size in bytes.
        format: ``mp4``, ``mkv``, ``mov``, ``webm``, ``png``, ``jpg``...

    """

    resolution: str | None = None
    duration_ms: int | None = None
    size: int | None = None
    format: str | None = None


@attrs.frozen(kw_only=True)
class Asset:
    """
    A media asset: an Object Storage file registered in a project.

    The register call's answer holds only the id and the audit fields;
    `maiu_async.MaiuClient`'s ``assets.register`` fills `file_name` and
    `project_id` from the request when the answer lacks them.  Listing
    and details fill them, and `meta_data`, from the answer.

    Attributes:
        asset_id: The asset's id (``videoId`` on legacy endpoints).
        file_name: The media file name (``videoName`` on legacy ones):
            the object's key, as registered.
        project_id: The project holding the asset.
        meta_data: Probed metadata, once known.
        created_user_name: Who registered it.
        created_time: When it was registered.
        updated_user_name: Who last changed it.
        updated_time: When it was last changed.

    """

    asset_id: int
    file_name: str | None = None
    project_id: int | None = None
    meta_data: AssetMetadata | None = None
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


class ImportState(enum.StrEnum):
    """
    Where an asset's import stands (`ImportStatus.upload_status`).

    ``IN_PROGRESS`` moves to one of the four others, which are final.
    Members are strings, so ``status == "COMPLETED"`` holds as before.
    A value this version does not know (a status the API adds later)
    becomes a member of its own, named after it, rather than an error.

    .. versionadded:: 26.1.0

    """

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    FILE_NOT_EXIST = "FILE_NOT_EXIST"
    INVALID_METADATA = "INVALID_METADATA"

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        # A pseudo-member, as enum.Flag makes for combined values.
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def final(self) -> bool:
        """
        Whether the import is over (anything but ``IN_PROGRESS``).
        """
        return self is not ImportState.IN_PROGRESS


@attrs.frozen(kw_only=True)
class ImportStatus:
    """
    The registration (import) status of an asset.

    Attributes:
        asset_id: The asset's id.
        upload_status: ``IN_PROGRESS``, ``COMPLETED``, ``FAILED``,
            ``FILE_NOT_EXIST`` or ``INVALID_METADATA``.
        upload_result: The message mapped to the status.
        meta_data: Probed metadata, once known.

    .. versionchanged:: 26.1.0
       *upload_status* is an `ImportState` (a `str` subclass).

    """

    asset_id: int
    upload_status: ImportState
    upload_result: str | None = None
    meta_data: AssetMetadata | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """
    One page of a paginated list.

    Attributes:
        content: The items on this page.
        total_count: Items in the whole list.
        total_page: Pages in the whole list.
        page_no: This page's number, from 1.
        page_size: The page size asked for.

    """

    content: tuple[T, ...]
    total_count: int
    total_page: int
    page_no: int
    page_size: int


#: A page of assets.
AssetPage = Page[Asset]
#: A page of workspaces.
WorkspacePage = Page[Workspace]


# --- analysis and indexes ---------------------------------------------------

#: Scene length of a video analysis (`maiu_async.limits.SCENE_RANGES`).
SceneRange: TypeAlias = Literal["EXTRA_SHORT", "SHORT", "MEDIUM", "LONG"]
#: Spoken language of a video (`maiu_async.limits.SOURCE_LANGUAGES`).
SourceLanguage: TypeAlias = Literal["ENKO", "EN", "KO", "JA", "ZH-CN", "ZH-TW"]
#: Confidence filter (`maiu_async.limits.CONFIDENCE_LEVELS`).
ConfidenceLevel: TypeAlias = Literal["LOW", "MEDIUM", "HIGH"]
#: Kind of media (`maiu_async.limits.ASSET_TYPES`).
AssetType: TypeAlias = Literal["IMAGE", "VIDEO"]


@attrs.frozen(kw_only=True)
class AnalysisSetting:
    """
    The settings an index was analysed with.

    Only ``analysisEngine`` and ``sceneRange`` are documented; the other
    fields echo the analysis request ([?]: the table is cut off).

    Attributes:
        analysis_engine: For example ``"Sinossi v1.0"``.
        scene_range: ``EXTRA_SHORT``, ``SHORT``, ``MEDIUM`` or ``LONG``.
        analysis_person_count: Persons analysed (0 to 10).
        tag_id_list: Person tags looked for.
        source_language: ``ENKO``, ``EN``, ``KO``, ``JA``, ``ZH-CN`` or
            ``ZH-TW``.
        detect_audio_effects: Whether audio effects were detected.

    """

    analysis_engine: str | None = None
    scene_range: str | None = None
    analysis_person_count: int | None = None
    tag_id_list: tuple[int, ...] | None = None
    source_language: str | None = None
    detect_audio_effects: bool | None = None


@attrs.frozen(kw_only=True)
class Index:
    """
    An index: the result of one analysis of an asset.

    Requesting an analysis answers the index it will fill ([?]: that
    answer is cut off in the docs; the legacy page shows index details
    under ``id``).

    Attributes:
        index_id: The index's id (``id`` in legacy answers).
        type: ``IMAGE`` or ``VIDEO``.
        analysis_setting: The settings it was analysed with.
        created_user_name: Who requested it.
        created_time: When it was requested.
        updated_user_name: Who last changed it.
        updated_time: When it last changed.

    """

    index_id: int
    type: str | None = None
    analysis_setting: AnalysisSetting | None = None
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


@attrs.frozen(kw_only=True)
class IndexList:
    """
    Every index of an asset (the list is not paginated).

    Attributes:
        indexes: The indexes, in the order the API gave them.
        total_count: The number of indexes the API reports.

    """

    indexes: tuple[Index, ...]
    total_count: int


@attrs.frozen(kw_only=True)
class IndexDetail:
    """
    An index with its analysis results.

    Attributes:
        index: The index's documented fields.
        raw: The whole ``result`` object as received.  The results
            (scenes, persons, script...) follow the documented fields,
            but their shape is cut off in every copy of the docs ([?]),
            so they are left as decoded JSON.

    """

    index: Index
    raw: Mapping[str, Any]


@attrs.frozen(kw_only=True)
class AnalysisStatus:
    """
    Where an asset's analysis stands.

    Attributes:
        status: ``BEFORE_ANALYZE``, ``WAIT_ANALYZE``, ``ANALYZING``,
            ``ANALYZE_COMPLETED``, ``ANALYZE_FAIL`` or ``ANALYZE_CANCEL``.
        analyze_status_message: Why it failed (the page's example spells
            it ``analysisStatusMessage``; both are read).
        index_id: The index made on success.

    """

    status: str
    analyze_status_message: str | None = None
    index_id: int | None = None


# --- scene summaries --------------------------------------------------------


@attrs.frozen(kw_only=True)
class SceneSummaryStatus:
    """
    Where a scene-summary run stands.

    Requesting a summary answers the same shape ([?]: that answer is not
    documented).

    Attributes:
        status: ``BEFORE_SUMMARIZE``, ``WAIT_SUMMARIZE``, ``SUMMARIZING``,
            ``SUMMARIZE_COMPLETED``, ``SUMMARIZE_FAIL`` or
            ``SUMMARIZE_CANCELED``.
        scene_summary_id: The run's id, used for its status and to
            cancel it ([?] field name).
        index_id: The index it summarises.

    """

    status: str
    scene_summary_id: int | None = None
    index_id: int | None = None


@attrs.frozen(kw_only=True)
class SceneSummaryInfo:
    """
    About an index's scene summaries.

    Attributes:
        last_analyzed_at: When they were last made.
        scene_summary_id: The run that made them ([?]).

    """

    last_analyzed_at: datetime | None = None
    scene_summary_id: int | None = None


@attrs.frozen(kw_only=True)
class SceneSummary:
    """
    The text summary of one scene ([?]: shape not documented).

    Attributes:
        scene_id: The scene's id within the index.
        summary: What happens in it.

    """

    scene_id: int
    summary: str


@attrs.frozen(kw_only=True)
class SceneSummaryResult:
    """
    An index's scene summaries.

    Attributes:
        index_id: The index.
        scene_summary_info: About the summaries.
        scene_summaries: One per scene ([?] field name).

    """

    index_id: int
    scene_summary_info: SceneSummaryInfo | None = None
    scene_summaries: tuple[SceneSummary, ...] = ()


# --- search -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PersonQuery:
    """
    Persons a search result must, may or must not show.

    Attributes:
        must: Person ids that must all appear (``must``).
        any_of: Person ids of which one must appear (``any``).
        must_not: Person ids that must not appear (``not``).

    """

    must: tuple[int, ...] = ()
    any_of: tuple[int, ...] = ()
    must_not: tuple[int, ...] = ()


@attrs.frozen(kw_only=True)
class DialogQuery:
    """
    Dialogue a video result must, may or must not contain.

    Attributes:
        must: Phrases that must all be spoken (``must``).
        any_of: Phrases of which one must be spoken (``any``).
        must_not: Phrases that must not be spoken (``not``).

    """

    must: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class SearchImageUpload:
    """
    Where to upload a search image.

    Attributes:
        asset_file_key: The key to confirm the upload with.
        presigned_upload_url: Where to ``PUT`` the image, once, within
            `expiration_seconds`.
        expiration_seconds: How long the URL is valid.

    """

    asset_file_key: str
    presigned_upload_url: str
    expiration_seconds: int | None = None


@attrs.frozen(kw_only=True)
class UploadStatus:
    """
    Whether an uploaded search image or thumbnail arrived.

    Attributes:
        key: The key to use from now on: ``assetKey`` for search images
            (for HEIC, the converted JPG's), ``thumbnailKey`` for
            thumbnails.
        upload_status: ``COMPLETED`` or ``FAILED``.
        upload_message: Why it failed.

    """

    key: str
    upload_status: str
    upload_message: str | None = None


@attrs.frozen(kw_only=True)
class SearchJob:
    """
    A search that was accepted.

    Attributes:
        search_id: Its id, to fetch the results with ([?] field name:
            the request's answer is cut off in the docs).

    """

    search_id: str


@attrs.frozen(kw_only=True)
class SearchHit:
    """
    One asset a search found ([?]: the result page is not documented).

    Attributes:
        asset_id: The asset.
        project_id: Its project.
        index_id: The index that matched.
        asset_type: ``IMAGE`` or ``VIDEO``.
        file_name: The media file name.
        score: How well it matched, from 0 to 1.

    """

    asset_id: int
    project_id: int | None = None
    index_id: int | None = None
    asset_type: str | None = None
    file_name: str | None = None
    score: float | None = None


@attrs.frozen(kw_only=True)
class SearchResults:
    """
    One page of a search's results ([?]: shaped like the other pages).

    Attributes:
        search_id: The search.
        status: ``COMPLETED`` once the results are final ([?]).
        content: The hits on this page.
        total_count: Hits in all.
        total_page: Pages in all.
        page_no: This page's number, from 1.
        page_size: The page size asked for.

    """

    search_id: str
    status: str | None
    content: tuple[SearchHit, ...]
    total_count: int
    total_page: int
    page_no: int
    page_size: int


# --- persons and person tags ------------------------------------------------


@attrs.frozen(kw_only=True)
class ThumbnailSpec:
    """
    A thumbnail to give a person.

    Attributes:
        thumbnail_key: The key of an uploaded thumbnail.
        is_primary_thumbnail: Whether it is the person's primary one.

    """

    thumbnail_key: str
    is_primary_thumbnail: bool = False


@attrs.frozen(kw_only=True)
class ThumbnailUpload:
    """
    Where to upload a person thumbnail.

    Attributes:
        thumbnail_key: The key to confirm the upload with ([?]).
        presigned_upload_url: Where to ``PUT`` the image.
        expiration_seconds: How long the URL is valid ([?]).

    """

    thumbnail_key: str
    presigned_upload_url: str
    expiration_seconds: int | None = None


@attrs.frozen(kw_only=True)
class PersonThumbnail:
    """
    One face image of a person.

    Attributes:
        thumbnail_id: Its id.
        thumbnail_key: Its storage key.
        is_primary_thumbnail: Whether it is the primary one.

    """

    thumbnail_id: int
    thumbnail_key: str | None = None
    is_primary_thumbnail: bool = False


@attrs.frozen(kw_only=True)
class PersonTag:
    """
    A label for grouping persons.

    Attributes:
        tag_id: Its id (``id`` in the list's filter).
        name: Its name, unique in the workspace.
        created_user_name: Who created it.
        created_time: When it was created.
        updated_user_name: Who last changed it.
        updated_time: When it last changed.

    """

    tag_id: int
    name: str
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


@attrs.frozen(kw_only=True)
class Person:
    """
    A person that analyses can recognise and searches can ask for.

    Attributes:
        person_id: Its id.
        name: Its name, unique in the workspace.
        description: What it is about.
        thumbnails: Its face images, one of them primary.
        tags: Its tags.
        created_user_name: Who created it.
        created_time: When it was created.
        updated_user_name: Who last changed it.
        updated_time: When it last changed.

    """

    person_id: int
    name: str
    description: str | None = None
    thumbnails: tuple[PersonThumbnail, ...] = ()
    tags: tuple[PersonTag, ...] = ()
    created_user_name: str | None = None
    created_time: datetime | None = None
    updated_user_name: str | None = None
    updated_time: datetime | None = None


@attrs.frozen(kw_only=True)
class PersonTags:
    """
    A person's tags, after adding or removing some ([?] shape).

    Attributes:
        person_id: The person.
        tags: Its tags now.

    """

    person_id: int
    tags: tuple[PersonTag, ...]


@attrs.frozen(kw_only=True)
class PersonThumbnails:
    """
    A person's thumbnails, after adding or removing some ([?] shape).

    Attributes:
        person_id: The person.
        thumbnails: Its thumbnails now.

    """

    person_id: int
    thumbnails: tuple[PersonThumbnail, ...]


#: A page of persons.
PersonPage = Page[Person]
#: A page of person tags.
PersonTagPage = Page[PersonTag]


@attrs.frozen
class SkippedKey:
    """
    An input item for the bulk engine to report as skipped, never sent.

    A key source that already knows an object cannot be registered (too
    large, empty, filtered out) passes this instead of the key, so that
    the object still gets its outcome and its line in the journal.

    Attributes:
        key: The Object Storage key.
        reason: Why it is skipped, in words.

    .. versionadded:: 26.1.0

    """

    key: str
    reason: str
