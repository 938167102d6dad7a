"""
Workspaces and projects: their records, rules, endpoints and bodies.

Every workspace is created with its base project (``default``), which
cannot be renamed or deleted.
Project and asset ids come from disjoint ranges, so a client that puts
one where the other belongs gets a 404 instead of a lucky hit.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits
from maiu_async._urls import segment

from . import _checks
from ._checks import ServiceError
from ._http import JSON, Call, Route, audit, paged, success, timestamp


if TYPE_CHECKING:
    from ._analyses import AnalysisBook
    from ._assets import AssetRecord
    from ._person_tags import TagRecord
    from ._persons import PersonRecord


__all__ = [
    "FIRST_PROJECT_ID",
    "ROUTES",
    "ProjectRecord",
    "WorkspaceRecord",
    "WorkspaceRules",
]

FIRST_PROJECT_ID = 1001

BASE_PROJECT_NAME = "default"


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

    def insert(self, project: ProjectRecord) -> None:
        """
        Add *project*, indexed by id and by name.
        """
        self.projects[project.project_id] = project
        self._ids_by_name[project.name] = project.project_id

    def rename(self, project: ProjectRecord, name: str) -> None:
        """
        Rename *project*, keeping the name index.
        """
        del self._ids_by_name[project.name]
        project.name = name
        self._ids_by_name[name] = project.project_id

    def remove(self, project: ProjectRecord) -> None:
        """
        Remove *project* with its assets.
        """
        del self.projects[project.project_id]
        del self._ids_by_name[project.name]


class WorkspaceRules:
    """
    The workspace and project methods of `EmulatorState`.

    A base class: the state holds the fields annotated here.
    Methods raise `ServiceError` exactly where the API answers an error.
    """

    max_workspaces: int | None
    analyses: AnalysisBook
    _workspaces: dict[str, WorkspaceRecord]
    _next_project_id: int

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
        workspace.insert(
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
        ws.insert(project)
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
        ws.rename(project, name)
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
        ws.remove(project)


# --- bodies -----------------------------------------------------------------


def _workspace(
    ws: WorkspaceRecord, base_url: str | None = None, *, detail: bool = False
) -> JSON:
    # Created: name and audit; listed: plus URL and bucket; details:
    # plus the analysis count.
    body: JSON = {"workspaceName": ws.name}
    if base_url is not None:
        body["workspaceUrl"] = (
            f"{base_url}/api/v1/workspaces/{segment(ws.name)}"
        )
        body["bucketName"] = ws.bucket_name
    if detail:
        body["monthlyAnalysisCount"] = ws.monthly_analysis_count
    return {**body, **audit(ws.created_time, ws.updated_time)}


def _project(p: ProjectRecord) -> JSON:
    return {
        "projectId": p.project_id,
        "name": p.name,
        "isBaseProject": p.is_base_project,
        **audit(p.created_time, p.updated_time),
    }


# --- handlers: see ROUTES for their paths ----------------------------------


def list_workspaces(call: Call) -> JSON:
    page_no, page_size = _checks.page(call.query)
    return success(
        paged(
            call.state.workspaces(),
            page_no,
            page_size,
            lambda ws: _workspace(ws, call.base_url),
        )
    )


def create_workspace(call: Call) -> JSON:
    body = call.json()
    name = _checks.workspace_name(body.get("workspaceName"))
    bucket = _checks.optional_text(body, "bucketName")
    ws = call.state.add_workspace(name, bucket)
    call.stats.workspaces_created += 1
    return success(_workspace(ws))


def get_workspace(call: Call) -> JSON:
    ws = call.state.workspace(call.workspace)
    return success(_workspace(ws, call.base_url, detail=True))


def delete_workspace(call: Call) -> JSON:
    call.state.delete_workspace(call.workspace)
    return success({"workspaceName": call.workspace})


def list_projects(call: Call) -> JSON:
    projects = call.state.workspace(call.workspace).projects.values()
    items = [_project(p) for p in projects]
    return success({"projects": items, "totalCount": len(items)})


def create_project(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    name = _checks.project_name(call.json().get("name"))
    project = call.state.add_project(call.workspace, name)
    call.stats.projects_created += 1
    return success(_project(project))


def get_project(call: Call) -> JSON:
    return success(_project(call.state.project(*_project_ref(call))))


def edit_project(call: Call) -> JSON:
    ref = _project_ref(call)
    call.state.project(*ref)
    name = _checks.project_name(call.json().get("name"))
    return success(_project(call.state.rename_project(*ref, name)))


def delete_project(call: Call) -> JSON:
    call.state.delete_project(*_project_ref(call))
    return success(has_result=False)


def _project_ref(call: Call) -> tuple[str, int]:
    return call.workspace, call.project_id


_PROJECT = "workspaces/{ws}/projects/{pid}"

ROUTES = (
    Route("GET", "workspaces", list_workspaces),
    Route("POST", "workspaces", create_workspace),
    Route("GET", "workspaces/{ws}", get_workspace),
    Route("DELETE", "workspaces/{ws}", delete_workspace),
    Route("GET", "workspaces/{ws}/projects", list_projects),
    Route("POST", "workspaces/{ws}/projects", create_project),
    Route("GET", _PROJECT, get_project),
    Route("PATCH", _PROJECT, edit_project),
    Route("DELETE", _PROJECT, delete_project),
)
