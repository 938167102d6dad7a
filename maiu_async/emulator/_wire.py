"""
Response bodies in the exact wire shape of the API pages.

Built by hand as plain dicts, never through the client's converter, so a
converter bug cannot agree with itself in end-to-end tests.

Strictly private.
"""

from __future__ import annotations

import time
import zlib

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from maiu_async import limits
from maiu_async._urls import segment


if TYPE_CHECKING:
    from maiu_async._errorcodes import ErrorCode

    from ._config import ErrorBodyStyle
    from ._state import AssetRecord, ProjectRecord, WorkspaceRecord


__all__ = [
    "USER",
    "asset_item",
    "asset_registered",
    "audit",
    "gateway_error",
    "import_status",
    "page",
    "project",
    "service_error",
    "success",
    "timestamp",
    "workspace_created",
    "workspace_detail",
    "workspace_item",
]

JSON = dict[str, Any]

#: The user name on every audit field.
USER = "emulator"

_RESULT_MESSAGES = {
    "IN_PROGRESS": "The media file is being imported.",
    "COMPLETED": "The media file was imported.",
    # [?] The real texts are not documented.
    "FILE_NOT_EXIST": "The file does not exist in Object Storage.",
    "FAILED": "The media file could not be read from Object Storage.",
}


def timestamp() -> str:
    """
    Return now as the API writes times.

    UTC, nine fractional digits, no zone: ``2025-04-23T14:15:19.563829873``.
    """
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{nanos:09d}"


def success(result: object = None, *, has_result: bool = True) -> JSON:
    """
    Wrap *result* in the success envelope; deletes carry no result.
    """
    body: JSON = {"code": "0", "message": "success"}
    if has_result:
        body["result"] = result
    return body


def service_error(row: ErrorCode, style: ErrorBodyStyle) -> JSON:
    """
    Return a service error body, top-level or wrapped.
    """
    error = {"code": row.code, "message": row.message}
    return error if style == "top-level" else {"responseError": error}


def gateway_error(row: ErrorCode, details: str | None) -> JSON:
    """
    Return an API Gateway error body.
    """
    return {
        "error": {
            "errorCode": row.code,
            "message": row.message,
            "details": details,
        }
    }


def audit(created: str, updated: str) -> JSON:
    """
    The four audit fields, in their usual spelling.
    """
    return {
        "createdUserName": USER,
        "createdTime": created,
        "updatedUserName": USER,
        "updatedTime": updated,
    }


def workspace_created(ws: WorkspaceRecord) -> JSON:
    """
    The create-workspace result.
    """
    return {
        "workspaceName": ws.name,
        **audit(ws.created_time, ws.updated_time),
    }


def _workspace_url(ws: WorkspaceRecord, base_url: str) -> str:
    return f"{base_url}/api/v1/workspaces/{segment(ws.name)}"


def workspace_item(ws: WorkspaceRecord, base_url: str) -> JSON:
    """
    One workspace as listed.
    """
    return {
        "workspaceName": ws.name,
        "workspaceUrl": _workspace_url(ws, base_url),
        "bucketName": ws.bucket_name,
        **audit(ws.created_time, ws.updated_time),
    }


def workspace_detail(ws: WorkspaceRecord, base_url: str) -> JSON:
    """
    The workspace-details result.
    """
    return {
        "workspaceName": ws.name,
        "workspaceUrl": _workspace_url(ws, base_url),
        "bucketName": ws.bucket_name,
        "monthlyAnalysisCount": ws.monthly_analysis_count,
        **audit(ws.created_time, ws.updated_time),
    }


def project(p: ProjectRecord) -> JSON:
    """
    The project object.
    """
    return {
        "projectId": p.project_id,
        "name": p.name,
        "isBaseProject": p.is_base_project,
        **audit(p.created_time, p.updated_time),
    }


def _id_field(*, legacy: bool) -> str:
    return "videoId" if legacy else "assetId"


def asset_registered(a: AssetRecord, *, legacy: bool) -> JSON:
    """
    The register-asset result, with its own audit spelling.
    """
    return {
        _id_field(legacy=legacy): a.asset_id,
        "createUserName": USER,
        "createdTime": a.created_time,
        "updateUserName": USER,
        "updatedTime": a.updated_time,
    }


def _metadata(a: AssetRecord, status: str) -> JSON:
    # Made-up but stable probe results, known once the import completed.
    done = status == "COMPLETED"
    is_video = a.extension in limits.VIDEO_EXTENSIONS
    return {
        "resolution": "1920x1080" if done else None,
        "durationMs": 60_000 if done and is_video else None,
        "size": (
            (
                a.object_size
                if a.object_size is not None
                else 1024 + zlib.crc32(a.key.encode()) % 2**20
            )
            if done
            else None
        ),
        "format": a.extension or None,
    }


def asset_item(a: AssetRecord, status: str, *, legacy: bool) -> JSON:
    """
    One asset as listed, fetched or moved.
    """
    return {
        _id_field(legacy=legacy): a.asset_id,
        "videoName" if legacy else "fileName": a.key,
        "projectId": a.project_id,
        "metaData": _metadata(a, status),
        **audit(a.created_time, a.updated_time),
    }


def import_status(a: AssetRecord, status: str, *, legacy: bool) -> JSON:
    """
    The import-status result; ``metaData`` only once completed.
    """
    if status in _RESULT_MESSAGES:
        message = _RESULT_MESSAGES[status]
    else:
        supported = ", ".join(sorted(limits.SUPPORTED_EXTENSIONS))
        message = (
            f"Unsupported file format: {a.extension or '(none)'}. "
            f"Supported formats: {supported}."
        )
    body: JSON = {
        _id_field(legacy=legacy): a.asset_id,
        "uploadStatus": status,
        "uploadResult": message,
    }
    if status == "COMPLETED":
        body["metaData"] = _metadata(a, status)
    return body


def page(items: list[JSON], total: int, page_no: int, page_size: int) -> JSON:
    """
    One page of a paginated list.
    """
    return {
        "content": items,
        "totalCount": total,
        "totalPage": -(-total // page_size),
        "pageNo": page_no,
        "pageSize": page_size,
    }
