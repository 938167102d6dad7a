"""
Assets and their import: records, rules, endpoints and bodies.

Registering is never idempotent: each registration makes a new asset.
An asset's import status is computed when asked, from the clock, the
Object Storage check (``_objects``) and the key's extension.
Every asset route has a legacy ``video-assets`` twin, whose bodies name
the id ``videoId`` and the key ``videoName``.

Strictly private.
"""

from __future__ import annotations

import zlib

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._asset_knobs import forced_import, ordered, picked, register_late
from ._checks import ServiceError
from ._http import (
    JSON,
    USER,
    Call,
    Route,
    audit,
    paged,
    success,
    timestamp,
)
from ._workspaces import WorkspaceRules


if TYPE_CHECKING:
    from collections.abc import Callable

    from ._analyses import AnalysisRecord
    from ._indexes import IndexRecord


__all__ = [
    "FIRST_ASSET_ID",
    "OBJECT_FAILED",
    "OBJECT_FOUND",
    "OBJECT_MISSING",
    "OBJECT_PENDING",
    "ROUTES",
    "AssetRecord",
    "AssetRules",
    "asset_routes",
]

FIRST_ASSET_ID = 500001

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
INVALID_METADATA = "INVALID_METADATA"
FILE_NOT_EXIST = "FILE_NOT_EXIST"
FAILED = "FAILED"

# `AssetRecord.object_check`: what the Object Storage check found.
OBJECT_PENDING = "pending"
OBJECT_FOUND = "found"
OBJECT_MISSING = "missing"
OBJECT_FAILED = "failed"

_RESULT_MESSAGES = {
    IN_PROGRESS: "The media file is being imported.",
    COMPLETED: "The media file was imported.",
    # [?] The real texts are not documented.
    FILE_NOT_EXIST: "The file does not exist in Object Storage.",
    FAILED: "The media file could not be read from Object Storage.",
}


@attrs.define
class AssetRecord:
    """
    One registered asset.

    Attributes:
        asset_id: Its id, unique across the whole emulator.
        key: The full Object Storage key it was registered with.
        bucket_name: The bucket it was registered from.
        project_id: The project holding it.
        created_time: Wire-format registration time.
        updated_time: Wire-format time of the last change.
        registered_at: `EmulatorState.clock` reading at registration.
        analysis: Its latest analysis, if any.
        indexes: Its indexes by id, in ascending id order.
        object_check: What the Object Storage check found: ``None`` when
            there is no check, else ``"pending"``, ``"found"``,
            ``"missing"`` or ``"failed"``.
        object_size: The object's size, once the check found it.
        forced_import: The final import status a knob set for its key
            (``_asset_knobs.forced_import``), if any.
        unread_polls: Reads of its import status still to be answered
            ``IN_PROGRESS`` (`EmulatorConfig.import_polls`).

    """

    asset_id: int
    key: str
    bucket_name: str
    project_id: int
    created_time: str
    updated_time: str
    registered_at: float
    analysis: AnalysisRecord | None = None
    indexes: dict[int, IndexRecord] = attrs.Factory(dict)
    object_check: str | None = None
    object_size: int | None = None
    forced_import: str | None = None
    unread_polls: int = 0

    @property
    def extension(self) -> str:
        """
        The lower-case extension of the key's last segment, or ``""``.
        """
        basename = self.key.rsplit("/", 1)[-1]
        if "." not in basename:
            return ""
        return basename.rsplit(".", 1)[1].lower()


class AssetRules(WorkspaceRules):
    """
    The asset methods of `EmulatorState`.

    A base class: the state holds the fields annotated here.
    """

    clock: Callable[[], float]
    import_delay: float
    _next_asset_id: int

    def add_asset(
        self, workspace: str, project_id: int, key: str, bucket_name: str
    ) -> AssetRecord:
        """
        Register an Object Storage key as a new asset (never idempotent).

        Raises:
            ServiceError: 10100/10101 if unknown, 10001 for an empty key
                or bucket, 10016 for a folder key (ending in ``/``).

        """
        project = self.project(workspace, project_id)
        if not key or not bucket_name:
            raise ServiceError(codes.INVALID_REQUEST, "key and bucketName")
        if key.endswith("/"):
            raise ServiceError(codes.FOLDER_NOT_ALLOWED, key)
        now = timestamp()
        asset = AssetRecord(
            asset_id=self._next_asset_id,
            key=key,
            bucket_name=bucket_name,
            project_id=project_id,
            created_time=now,
            updated_time=now,
            registered_at=self.clock(),
        )
        self._next_asset_id += 1
        project.assets[asset.asset_id] = asset
        return asset

    def asset(
        self, workspace: str, project_id: int, asset_id: int
    ) -> AssetRecord:
        """
        Return one asset of one project.

        Raises:
            ServiceError: 10100/10101/10102 if any is unknown.

        """
        project = self.project(workspace, project_id)
        try:
            return project.assets[asset_id]
        except KeyError:
            raise ServiceError(codes.ASSET_NOT_FOUND, str(asset_id)) from None

    def assets_of(self, workspace: str, project_id: int) -> list[AssetRecord]:
        """
        Return a project's assets in ascending id order.

        Raises:
            ServiceError: 10100/10101 if unknown.

        """
        return list(self.project(workspace, project_id).assets.values())

    def count_assets_by_key(
        self, workspace: str, key: str, *, project_id: int | None = None
    ) -> int:
        """
        Count the assets registered with *key*, in one project or all.

        Raises:
            ServiceError: 10100/10101 if unknown.

        """
        if project_id is None:
            projects = list(self.workspace(workspace).projects.values())
        else:
            projects = [self.project(workspace, project_id)]
        return sum(
            asset.key == key
            for project in projects
            for asset in project.assets.values()
        )

    def move_asset(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        new_project_id: int,
    ) -> AssetRecord:
        """
        Move an asset to another project of the same workspace.

        Raises:
            ServiceError: 10100/10101/10102 if any is unknown.

        """
        asset = self.asset(workspace, project_id, asset_id)
        target = self.project(workspace, new_project_id)
        del self.project(workspace, project_id).assets[asset_id]
        target.assets[asset_id] = asset
        # Keep ascending id order, which listing relies on.
        target.assets = dict(sorted(target.assets.items()))
        asset.project_id = new_project_id
        asset.updated_time = timestamp()
        return asset

    def delete_asset(
        self, workspace: str, project_id: int, asset_id: int
    ) -> None:
        """
        Delete an asset.

        Raises:
            ServiceError: 10100/10101/10102 if any is unknown.

        """
        self.asset(workspace, project_id, asset_id)
        del self.project(workspace, project_id).assets[asset_id]

    def import_status(self, asset: AssetRecord) -> str:
        """
        Return the asset's ``uploadStatus`` now.

        ``IN_PROGRESS`` for *import_delay* seconds after registration
        and while the Object Storage check (if any) is pending; then
        ``FILE_NOT_EXIST`` if the check found no object, ``FAILED`` if it
        could not tell, ``INVALID_METADATA`` for an unsupported
        extension, otherwise ``COMPLETED``.  The import knobs come first:
        ``IN_PROGRESS`` while reads are left (*unread_polls*), then the
        status a glob forced, if any.
        """
        if asset.unread_polls:
            return IN_PROGRESS
        if self.clock() - asset.registered_at < self.import_delay:
            return IN_PROGRESS
        if asset.forced_import is not None:
            return asset.forced_import
        check = asset.object_check
        if check is not None and check != OBJECT_FOUND:
            return {
                OBJECT_PENDING: IN_PROGRESS,
                OBJECT_MISSING: FILE_NOT_EXIST,
            }.get(check, FAILED)
        if asset.extension not in limits.SUPPORTED_EXTENSIONS:
            return INVALID_METADATA
        return COMPLETED


# --- bodies -----------------------------------------------------------------


def _id_field(*, legacy: bool) -> str:
    return "videoId" if legacy else "assetId"


def _metadata(a: AssetRecord, status: str) -> JSON:
    # Made-up but stable probe results, known once the import completed.
    done = status == COMPLETED
    is_video = a.extension in limits.VIDEO_EXTENSIONS
    size = a.object_size
    if size is None:
        size = 1024 + zlib.crc32(a.key.encode()) % 2**20
    return {
        "resolution": "1920x1080" if done else None,
        "durationMs": 60_000 if done and is_video else None,
        "size": size if done else None,
        "format": a.extension or None,
    }


def _item(call: Call, a: AssetRecord) -> JSON:
    # One asset as listed, fetched or moved.
    legacy = call.legacy
    name = a.key
    if call.config.file_name_style == "basename":
        name = name.rsplit("/", 1)[-1]
    return {
        _id_field(legacy=legacy): a.asset_id,
        "videoName" if legacy else "fileName": name,
        "projectId": a.project_id,
        "metaData": _metadata(a, call.state.import_status(a)),
        **audit(a.created_time, a.updated_time),
    }


def _import_status(a: AssetRecord, status: str, *, legacy: bool) -> JSON:
    # ``metaData`` only once completed.
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
    if status == COMPLETED:
        body["metaData"] = _metadata(a, status)
    return body


# --- handlers: see ROUTES for their paths ----------------------------------


def _create(call: Call, project_id: int, key: str, bucket: str) -> AssetRecord:
    asset = call.state.add_asset(call.workspace, project_id, key, bucket)
    asset.forced_import = forced_import(call.config, key)
    asset.unread_polls = call.config.import_polls
    if call.objects is not None:
        # Like the service: the POST succeeds, the import finds out.
        call.objects.submit(asset)
    call.stats.assets_created += 1
    return asset


def register_asset(call: Call) -> JSON:
    project_id = call.project_id
    call.state.project(call.workspace, project_id)
    body = call.json()
    key = _checks.required_text(body, "key")
    bucket = _checks.required_text(body, "bucketName")
    config = call.config
    if picked(call, "late", key, config.late_processing):
        register_late(call, lambda: _create(call, project_id, key, bucket))
    asset = _create(call, project_id, key, bucket)
    if picked(call, "processed-error", key, config.processed_error_code):
        # [?] Processed, yet the envelope says otherwise.
        row = codes.INVALID_REQUEST
        return {"code": row.code, "message": row.message}
    # The registration's own audit spelling.
    return success(
        {
            _id_field(legacy=call.legacy): asset.asset_id,
            "createUserName": USER,
            "createdTime": asset.created_time,
            "updateUserName": USER,
            "updatedTime": asset.updated_time,
        }
    )


def list_assets(call: Call) -> JSON:
    everything = call.state.assets_of(call.workspace, call.project_id)
    page_no, page_size = _checks.page(call.query)
    cap = call.config.list_page_cap
    if cap is not None:
        page_size = min(page_size, cap)
    return success(
        paged(
            ordered(call, everything),
            page_no,
            page_size,
            lambda a: _item(call, a),
        )
    )


def get_asset(call: Call) -> JSON:
    return success(_item(call, call.state.asset(*call.asset_ref())))


def move_asset(call: Call) -> JSON:
    ref = call.asset_ref()
    call.state.asset(*ref)
    target = _checks.integer(
        call.query.get("new_project_id"), "new_project_id"
    )
    return success(_item(call, call.state.move_asset(*ref, target)))


def delete_asset(call: Call) -> JSON:
    call.state.delete_asset(*call.asset_ref())
    return success(has_result=False)


def import_status(call: Call) -> JSON:
    asset = call.state.asset(*call.asset_ref())
    status = call.state.import_status(asset)
    if asset.unread_polls:
        asset.unread_polls -= 1
    return success(_import_status(asset, status, legacy=call.legacy))


def asset_routes(
    method: str, tail: str, handler: Callable[[Call], JSON], **kw: bool
) -> tuple[Route, Route]:
    """
    An asset route under ``assets`` and its legacy ``video-assets`` twin.
    """
    base = "workspaces/{ws}/projects/{pid}"
    return (
        Route(method, f"{base}/assets{tail}", handler, **kw),
        Route(
            method, f"{base}/video-assets{tail}", handler, legacy=True, **kw
        ),
    )


ROUTES = (
    *asset_routes("POST", "/import/object-storage", register_asset),
    *asset_routes("GET", "", list_assets),
    *asset_routes("GET", "/{aid}", get_asset, settles=True),
    *asset_routes("PATCH", "/{aid}", move_asset),
    *asset_routes("DELETE", "/{aid}", delete_asset),
    *asset_routes("GET", "/{aid}/import-status", import_status, settles=True),
)
