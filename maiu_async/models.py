"""
Value classes for what the API returns.

Fields are snake_case; wire names, time formats and the several spellings
the API pages use live only in ``maiu_async._converter``.
Times are naive `datetime.datetime` objects: the API sends ISO 8601 times
without a zone (probably server-local, KST).
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- cattrs needs it at runtime
from typing import Generic, TypeVar

import attrs


__all__ = [
    "Asset",
    "AssetMetadata",
    "AssetPage",
    "ImportStatus",
    "Page",
    "Project",
    "ProjectList",
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

    Attributes:
        projects: The projects, in the order the API gave them.
        total_count: The number of projects the API reports.

    """

    projects: tuple[Project, ...]
    total_count: int


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

    The register call returns only the id and the audit fields; listing
    and details also fill `file_name`, `project_id` and `meta_data`.

    Attributes:
        asset_id: The asset's id (``videoId`` on legacy endpoints).
        file_name: The media file name (``videoName`` on legacy ones).
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

    """

    asset_id: int
    upload_status: str
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
