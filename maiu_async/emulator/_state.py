"""
The emulator's in-memory world: workspaces, projects, assets.

Every operation is synchronous, so a handler that checks and then
changes the state cannot be interleaved with another request: caps and
uniqueness hold under any concurrency.
The same methods seed state directly from tests, without HTTP.

Analyses, scene summaries, searches and persons have their own rules in
"books" (`analyses`, `summaries`, `searches`, `persons`); their records
hang off the asset and workspace records, so deleting those deletes
them too.

Strictly private; `EmulatorState` is re-exported by
``maiu_async.emulator``.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._analyses import AnalysisBook
from ._errors import ServiceError
from ._persons import PersonBook
from ._searches import SearchBook
from ._summaries import SummaryBook
from ._wire import timestamp


if TYPE_CHECKING:
    from collections.abc import Callable

    from ._analyses import AnalysisRecord, IndexRecord
    from ._persons import PersonRecord, TagRecord


__all__ = [
    "FIRST_ASSET_ID",
    "FIRST_PROJECT_ID",
    "AssetRecord",
    "EmulatorState",
    "ProjectRecord",
    "WorkspaceRecord",
]

# Project and asset ids come from disjoint ranges, so a client that puts
# one where the other belongs gets a 404 instead of a lucky hit.
FIRST_PROJECT_ID = 1001
FIRST_ASSET_ID = 500001

BASE_PROJECT_NAME = "default"

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

    @property
    def extension(self) -> str:
        """
        The lower-case extension of the key's last segment, or ``""``.
        """
        basename = self.key.rsplit("/", 1)[-1]
        if "." not in basename:
            return ""
        return basename.rsplit(".", 1)[1].lower()


@attrs.define
class ProjectRecord:
    """
    One project and its assets, in ascending id order.

    Attributes:
        project_id: Its id, unique across the whole emulator.
        name: Its name, unique within the workspace.
        is_base_project: Whether it is the workspace's base project.
        created_time: Wire-format creation time.
        updated_time: Wire-format time of the last change.
        assets: Its assets by id.

    """

    project_id: int
    name: str
    is_base_project: bool
    created_time: str
    updated_time: str
    assets: dict[int, AssetRecord] = attrs.Factory(dict)


@attrs.define
class WorkspaceRecord:
    """
    One workspace and its projects, in ascending id order.

    Attributes:
        name: Its name, the key in every path.
        bucket_name: The integrated bucket, if any.
        created_time: Wire-format creation time.
        updated_time: Wire-format time of the last change.
        projects: Its projects by id, the base project first.
        monthly_analysis_count: Analyses requested (ever: the emulator
            knows no months).
        persons: Its persons by id.
        person_tags: Its person tags by id.

    """

    name: str
    bucket_name: str | None
    created_time: str
    updated_time: str
    projects: dict[int, ProjectRecord] = attrs.Factory(dict)
    monthly_analysis_count: int = 0
    persons: dict[int, PersonRecord] = attrs.Factory(dict)
    person_tags: dict[int, TagRecord] = attrs.Factory(dict)
    _ids_by_name: dict[str, int] = attrs.Factory(dict)

    def user_project_count(self) -> int:
        """
        Count the projects that count toward the per-workspace cap.
        """
        if limits.BASE_PROJECT_COUNTS_TOWARD_CAP:
            return len(self.projects)
        return sum(not p.is_base_project for p in self.projects.values())

    def project_named(self, name: str) -> ProjectRecord | None:
        """
        Return the project called *name*, if any.
        """
        project_id = self._ids_by_name.get(name)
        return None if project_id is None else self.projects[project_id]

    def _insert(self, project: ProjectRecord) -> None:
        self.projects[project.project_id] = project
        self._ids_by_name[project.name] = project.project_id

    def _rename(self, project: ProjectRecord, name: str) -> None:
        del self._ids_by_name[project.name]
        project.name = name
        self._ids_by_name[name] = project.project_id

    def _remove(self, project: ProjectRecord) -> None:
        del self.projects[project.project_id]
        del self._ids_by_name[project.name]


@attrs.define(repr=False)
class EmulatorState:
    """
    Everything the emulator stores, with the service's rules.

    Methods raise `ServiceError` exactly where the API answers an error,
    so tests can seed state through them and meet the same rules.

    Attributes:
        max_workspaces: The account's workspace allowance, or ``None``.
        import_delay: Seconds an asset stays ``IN_PROGRESS``.
        analysis_delay: Seconds an analysis takes (waiting, then
            running); 0 completes it at once.
        summary_delay: Seconds a scene-summary run takes, likewise.
        clock: Monotonic seconds; replace it to move import, analysis
            and summary time along without sleeping.
        analyses: Analysis and index rules.
        summaries: Scene-summary rules.
        searches: Search-image and search rules.
        persons: Person and person-tag rules.

    """

    max_workspaces: int | None = None
    import_delay: float = 0.0
    analysis_delay: float = 0.0
    summary_delay: float = 0.0
    clock: Callable[[], float] = time.monotonic
    analyses: AnalysisBook = attrs.field(
        default=attrs.Factory(AnalysisBook, takes_self=True), init=False
    )
    summaries: SummaryBook = attrs.field(
        default=attrs.Factory(SummaryBook, takes_self=True), init=False
    )
    searches: SearchBook = attrs.field(
        default=attrs.Factory(SearchBook, takes_self=True), init=False
    )
    persons: PersonBook = attrs.field(
        default=attrs.Factory(PersonBook, takes_self=True), init=False
    )
    _workspaces: dict[str, WorkspaceRecord] = attrs.field(
        factory=dict, init=False
    )
    _next_project_id: int = attrs.field(default=FIRST_PROJECT_ID, init=False)
    _next_asset_id: int = attrs.field(default=FIRST_ASSET_ID, init=False)

    def __repr__(self) -> str:
        return f"<EmulatorState workspaces={len(self._workspaces)}>"

    # --- workspaces -----------------------------------------------------

    def add_workspace(
        self,
        name: str,
        bucket_name: str | None = None,
        *,
        validate: bool = True,
    ) -> WorkspaceRecord:
        """
        Create a workspace with its base project.

        Args:
            name: The workspace's name.
            bucket_name: The integrated bucket, if any.
            validate: Check the name's rules; pass ``False`` to seed a
                name the API would refuse (``a/b?c``), for path-encoding
                tests.

        Raises:
            ServiceError: 10001 for a bad name, 10200 if it exists, 10301
                past *max_workspaces*.

        """
        if validate:
            _checks.workspace_name(name)
        if name in self._workspaces:
            raise ServiceError(codes.WORKSPACE_EXISTS, name)
        if (
            self.max_workspaces is not None
            and len(self._workspaces) >= self.max_workspaces
        ):
            raise ServiceError(
                codes.WORKSPACE_LIMIT, f"allowance {self.max_workspaces}"
            )
        now = timestamp()
        workspace = WorkspaceRecord(name, bucket_name, now, now)
        self._workspaces[name] = workspace
        workspace._insert(  # noqa: SLF001 -- the state owns its records
            self._new_project(BASE_PROJECT_NAME, is_base_project=True)
        )
        return workspace

    def workspace(self, name: str) -> WorkspaceRecord:
        """
        Return the workspace called *name*.

        Raises:
            ServiceError: 10100 if there is none.

        """
        try:
            return self._workspaces[name]
        except KeyError:
            raise ServiceError(codes.WORKSPACE_NOT_FOUND, name) from None

    def workspaces(self) -> list[WorkspaceRecord]:
        """
        Return every workspace, oldest first.
        """
        return list(self._workspaces.values())

    def delete_workspace(self, name: str) -> None:
        """
        Delete a workspace with everything in it.

        Raises:
            ServiceError: 10100 if there is none, 10401 while any of its
                analyses waits or runs (documented; the code is ours).

        """
        if self.analyses.running_in(self.workspace(name)):
            raise ServiceError(codes.WORKSPACE_BUSY, name)
        del self._workspaces[name]

    # --- projects -------------------------------------------------------

    def _new_project(
        self, name: str, *, is_base_project: bool
    ) -> ProjectRecord:
        now = timestamp()
        project = ProjectRecord(
            self._next_project_id, name, is_base_project, now, now
        )
        self._next_project_id += 1
        return project

    def add_project(self, workspace: str, name: str) -> ProjectRecord:
        """
        Create a user project.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10001 for a bad
                name, 10201 if the name is taken, 10300 at the cap.

        """
        ws = self.workspace(workspace)
        _checks.project_name(name)
        if ws.project_named(name) is not None:
            raise ServiceError(codes.PROJECT_NAME_EXISTS, name)
        if ws.user_project_count() >= limits.PROJECTS_PER_WORKSPACE:
            raise ServiceError(
                codes.PROJECT_LIMIT, f"{limits.PROJECTS_PER_WORKSPACE}"
            )
        project = self._new_project(name, is_base_project=False)
        ws._insert(project)  # noqa: SLF001 -- the state owns its records
        return project

    def add_projects(
        self, workspace: str, count: int, *, prefix: str = "project-"
    ) -> list[ProjectRecord]:
        """
        Create *count* user projects named *prefix* plus their id.

        Raises:
            ServiceError: As `add_project`; those made before stay.

        """
        return [
            self.add_project(workspace, f"{prefix}{self._next_project_id}")
            for _ in range(count)
        ]

    def project(self, workspace: str, project_id: int) -> ProjectRecord:
        """
        Return one project.

        Raises:
            ServiceError: 10100 or 10101 if either is unknown.

        """
        ws = self.workspace(workspace)
        try:
            return ws.projects[project_id]
        except KeyError:
            raise ServiceError(
                codes.PROJECT_NOT_FOUND, str(project_id)
            ) from None

    def rename_project(
        self, workspace: str, project_id: int, name: str
    ) -> ProjectRecord:
        """
        Rename a user project.

        Raises:
            ServiceError: 10100/10101 if unknown, 10400 for the base
                project, 10001 for a bad name, 10201 if it is taken.

        """
        ws = self.workspace(workspace)
        project = self.project(workspace, project_id)
        if project.is_base_project:
            raise ServiceError(codes.BASE_PROJECT_IMMUTABLE, "rename")
        _checks.project_name(name)
        holder = ws.project_named(name)
        if holder is not None and holder is not project:
            raise ServiceError(codes.PROJECT_NAME_EXISTS, name)
        ws._rename(project, name)  # noqa: SLF001 -- the state owns its records
        project.updated_time = timestamp()
        return project

    def delete_project(self, workspace: str, project_id: int) -> None:
        """
        Delete a user project and its assets.

        Raises:
            ServiceError: 10100/10101 if unknown, 10400 for the base
                project.

        """
        ws = self.workspace(workspace)
        project = self.project(workspace, project_id)
        if project.is_base_project:
            raise ServiceError(codes.BASE_PROJECT_IMMUTABLE, "delete")
        ws._remove(project)  # noqa: SLF001 -- the state owns its records

    # --- assets ---------------------------------------------------------

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
        extension, otherwise ``COMPLETED``.
        """
        if self.clock() - asset.registered_at < self.import_delay:
            return IN_PROGRESS
        check = asset.object_check
        if check is not None and check != OBJECT_FOUND:
            return {
                OBJECT_PENDING: IN_PROGRESS,
                OBJECT_MISSING: FILE_NOT_EXIST,
            }.get(check, FAILED)
        if asset.extension not in limits.SUPPORTED_EXTENSIONS:
            return INVALID_METADATA
        return COMPLETED
