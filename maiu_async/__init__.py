"""
Async SDK for the NAVER Cloud Platform Media Intelligence API.

Quick use::

    from maiu_async import MaiuClient, register_many

    async with MaiuClient() as client:
        ws = await client.workspaces.create("my-ws", bucket_name="media")
        project = await client.projects.create("my-ws", "my project")
        asset = await client.assets.register(
            "my-ws", project.project_id, key="a.mp4", bucket_name="media"
        )
        report = await register_many(
            client, "my-ws", project.project_id,
            bucket_name="media", keys=["b.mp4", "c.mp4"],
        )
"""

from __future__ import annotations

from typing import Any

import attrs

from ._client import DEFAULT_ENDPOINT, MaiuClient
from ._credentials import Credentials
from ._resources.analysis import AnalysisResource
from ._resources.assets import AssetsResource
from ._resources.indexes import IndexesResource
from ._resources.person_tags import PersonTagsResource
from ._resources.persons import PersonsResource
from ._resources.projects import ProjectsResource
from ._resources.scene_summaries import SceneSummariesResource
from ._resources.search import SearchResource
from ._resources.workspaces import WorkspacesResource
from ._retry import RetryPolicy
from ._scheduler import AdaptiveLimiter, Limiter
from ._transport import (
    AiohttpTransport,
    AsyncTransport,
    ConnectionLimits,
    RawResponse,
    Timeouts,
)
from ._types import USE_CLIENT_DEFAULT, UseClientDefault
from ._version import package_version as _package_version
from .bulk import (
    BulkOptions,
    register_many,
    request_analysis_many,
    stream_register,
)
from .exceptions import (
    APIStatusError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    ConnectError,
    ConnectionLost,
    CredentialsNotFound,
    InsecureTLSWarning,
    JournalError,
    LeaseRevoked,
    MaiuError,
    NotFound,
    ObjectStorageError,
    ObjectStorageRefused,
    ObjectStorageUnavailable,
    PermissionDenied,
    ProjectLimitExceeded,
    RateLimited,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
    UsageError,
    ValidationError,
)
from .models import (
    AnalysisSetting,
    AnalysisStatus,
    Asset,
    AssetMetadata,
    AssetType,
    ConfidenceLevel,
    DialogQuery,
    ImportState,
    ImportStatus,
    Index,
    IndexDetail,
    IndexList,
    Page,
    Person,
    PersonQuery,
    PersonTag,
    PersonTags,
    PersonThumbnail,
    PersonThumbnails,
    Project,
    ProjectList,
    SceneRange,
    SceneSummary,
    SceneSummaryInfo,
    SceneSummaryResult,
    SceneSummaryStatus,
    SearchHit,
    SearchImageUpload,
    SearchJob,
    SearchResults,
    SourceLanguage,
    ThumbnailSpec,
    ThumbnailUpload,
    UploadStatus,
    Workspace,
)


__all__ = [
    "DEFAULT_ENDPOINT",
    "USE_CLIENT_DEFAULT",
    "APIStatusError",
    "AdaptiveLimiter",
    "AiohttpTransport",
    "AnalysisResource",
    "AnalysisSetting",
    "AnalysisStatus",
    "Asset",
    "AssetMetadata",
    "AssetType",
    "AssetsResource",
    "AsyncTransport",
    "AuthenticationFailed",
    "BadRequest",
    "BulkOptions",
    "ConfidenceLevel",
    "Conflict",
    "ConnectError",
    "ConnectionLimits",
    "ConnectionLost",
    "Credentials",
    "CredentialsNotFound",
    "DialogQuery",
    "ImportState",
    "ImportStatus",
    "Index",
    "IndexDetail",
    "IndexList",
    "IndexesResource",
    "InsecureTLSWarning",
    "JournalError",
    "LeaseRevoked",
    "Limiter",
    "MaiuClient",
    "MaiuError",
    "NotFound",
    "ObjectStorageError",
    "ObjectStorageRefused",
    "ObjectStorageUnavailable",
    "Page",
    "PermissionDenied",
    "Person",
    "PersonQuery",
    "PersonTag",
    "PersonTags",
    "PersonTagsResource",
    "PersonThumbnail",
    "PersonThumbnails",
    "PersonsResource",
    "Project",
    "ProjectLimitExceeded",
    "ProjectList",
    "ProjectsResource",
    "RateLimited",
    "RawResponse",
    "RequestTimeout",
    "ResponseDecodeError",
    "RetryPolicy",
    "SceneRange",
    "SceneSummariesResource",
    "SceneSummary",
    "SceneSummaryInfo",
    "SceneSummaryResult",
    "SceneSummaryStatus",
    "SearchHit",
    "SearchImageUpload",
    "SearchJob",
    "SearchResource",
    "SearchResults",
    "ServerError",
    "SourceLanguage",
    "ThumbnailSpec",
    "ThumbnailUpload",
    "Timeouts",
    "TransportError",
    "UploadStatus",
    "UsageError",
    "UseClientDefault",
    "ValidationError",
    "Workspace",
    "WorkspacesResource",
    "register_many",
    "request_analysis_many",
    "stream_register",
]


def _rewrite_module() -> None:
    # Tracebacks and reprs show `maiu_async.MaiuClient`, not the private
    # module that happens to define it.  attrs classes get their string
    # annotations resolved first: they are looked up in `__module__`.
    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and obj.__module__.startswith("maiu_async._"):
            if attrs.has(obj):
                attrs.resolve_types(obj)
            obj.__module__ = __name__


_rewrite_module()


def __getattr__(name: str) -> Any:  # noqa: ANN401 -- module __getattr__
    if name == "__version__":
        return _package_version() or "unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
