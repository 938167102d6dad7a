"""
Project endpoints.

With the checks the client can make before sending: the per-workspace
cap, duplicate names and the immutable base project.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import limits
from .._errorcodes import PROJECT_LIMIT, PROJECT_NAME_EXISTS
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import check_id, check_project_name, check_workspace_ref
from ..exceptions import (
    APIStatusError,
    ProjectLimitExceeded,
    ServerError,
    ValidationError,
)
from ..models import Project, ProjectList
from ._base import Resource


if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._client import MaiuClient
    from .._project_cap import ProjectRegistry, WorkspaceProjects
    from .._urls import ApiPaths


__all__ = ["ProjectsResource"]


def _project_list_data(envelope: Mapping[str, Any]) -> Any:  # noqa: ANN401
    # The list page's field table puts totalCount beside `result`, its
    # example puts it inside; accept both, and count if neither has it.
    result = envelope.get("result")
    if isinstance(result, dict) and "totalCount" not in result:
        total = envelope.get("totalCount")
        if total is None and isinstance(result.get("projects"), list):
            total = len(result["projects"])
        result = {**result, "totalCount": total}
    return result


class ProjectsResource(Resource):
    """
    Create, list, rename and delete projects (``client.projects``).

    The client learns a workspace's projects (one list call) the first
    time it needs them, then refuses, without sending anything, a create
    beyond `maiu_async.limits.PROJECTS_PER_WORKSPACE`, a duplicate name,
    and renaming or deleting the base project.
    """

    __slots__ = ("_projects",)

    def __init__(
        self, client: MaiuClient, paths: ApiPaths, projects: ProjectRegistry
    ) -> None:
        super().__init__(client, paths)
        self._projects = projects

    async def _fetch(self, workspace: str, retry: RetryArg) -> ProjectList:
        path = self._paths.projects(workspace)
        return await self._request(
            "GET", path, ProjectList, retry=retry, select=_project_list_data
        )

    async def _known(self, workspace: str) -> WorkspaceProjects:
        async def load() -> tuple[Project, ...]:
            return (await self._fetch(workspace, USE_CLIENT_DEFAULT)).projects

        return await self._projects.loaded(workspace, load)

    async def list(
        self, workspace: str, *, retry: RetryArg = USE_CLIENT_DEFAULT
    ) -> ProjectList:
        """
        Return every project of a workspace (the list is not paginated).

        Raises:
            NotFound: No such workspace.

        """
        ws = check_workspace_ref(workspace)
        found: list[ProjectList] = []

        async def load() -> tuple[Project, ...]:
            found.append(await self._fetch(ws, retry))
            return found[0].projects

        await self._projects.refresh(ws, load)
        return found[0]

    async def find(
        self,
        workspace: str,
        name: str,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Project | None:
        """
        Return the project called *name* in a workspace, or ``None``.

        Names are unique within a workspace and compared exactly (case
        and spaces count), as the CLI's ``--project NAME`` does.  One list
        call; the answer also refreshes what the client knows of the
        workspace's projects.

        Args:
            workspace: The workspace's name.
            name: The project's name.
            retry: Retry policy for this call.

        Raises:
            NotFound: No such workspace.

        .. versionadded:: 26.1.0

        """
        listed = await self.list(workspace, retry=retry)
        for project in listed.projects:
            if project.name == name:
                return project
        return None

    async def get(
        self,
        workspace: str,
        project_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Project:
        """
        Return one project.

        Raises:
            NotFound: No such workspace or project.

        """
        path = self._paths.project(
            check_workspace_ref(workspace), check_id("project_id", project_id)
        )
        return await self._request("GET", path, Project, retry=retry)

    async def create(
        self,
        workspace: str,
        name: str,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Project:
        """
        Create a project.

        Args:
            workspace: The workspace's name.
            name: 1 to 100 characters, none of ``;`` ``|`` and backtick,
                unique within the workspace.
            retry: Retry policy for this call.  Only failures that cannot
                have created the project are retried.

        Raises:
            ValidationError: The name is invalid or already used.
            ProjectLimitExceeded: The workspace is full; nothing was sent
                (or the server said so: its error is the ``__cause__``).

        """
        ws = check_workspace_ref(workspace)
        name = check_project_name(name)
        state = await self._known(ws)
        reservation = self._projects.reserve(ws, state, name)
        path = self._paths.projects(ws)
        try:
            project = await self._request(
                "POST", path, Project, payload={"name": name}, retry=retry
            )
        except APIStatusError as exc:
            # A 4xx refused the create; anything else may have made it.
            known_refusal = not isinstance(exc, ServerError)
            server_knows_more = exc.api_code in {
                PROJECT_LIMIT.code,
                PROJECT_NAME_EXISTS.code,
            }
            reservation.release(stale=server_knows_more or not known_refusal)
            if exc.api_code == PROJECT_LIMIT.code:
                raise ProjectLimitExceeded(
                    workspace=ws,
                    limit=limits.PROJECTS_PER_WORKSPACE,
                    name=name,
                ) from exc
            raise
        except BaseException:
            reservation.release(stale=True)
            raise
        reservation.commit(project)
        return project

    async def update(
        self,
        workspace: str,
        project_id: int,
        *,
        name: str,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Project:
        """
        Rename a project.

        Raises:
            ValidationError: The name is invalid or used by another
                project, or the project is the base project.
            NotFound: No such workspace or project.

        """
        ws = check_workspace_ref(workspace)
        pid = check_id("project_id", project_id)
        name = check_project_name(name)
        state = await self._known(ws)
        self._refuse_base(ws, state, pid, "renamed")
        if state.has_name(name, other_than=pid):
            raise ValidationError(
                field="name",
                value=name,
                reason=f"another project in workspace {ws!r} has this name",
            )
        path = self._paths.project(ws, pid)
        try:
            project = await self._request(
                "PATCH", path, Project, payload={"name": name}, retry=retry
            )
        except BaseException:
            state.loaded = False
            raise
        state.add(project)
        return project

    async def delete(
        self,
        workspace: str,
        project_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Delete a project.

        Raises:
            ValidationError: The project is the base project.
            NotFound: No such workspace or project.

        """
        ws = check_workspace_ref(workspace)
        pid = check_id("project_id", project_id)
        state = await self._known(ws)
        self._refuse_base(ws, state, pid, "deleted")
        try:
            await self._request(
                "DELETE", self._paths.project(ws, pid), retry=retry
            )
        except BaseException:
            state.loaded = False
            raise
        state.remove(pid)

    @staticmethod
    def _refuse_base(
        workspace: str, state: WorkspaceProjects, project_id: int, verb: str
    ) -> None:
        if project_id in state.base_ids:
            raise ValidationError(
                field="project_id",
                value=project_id,
                reason=f"is the base project of workspace {workspace!r}, "
                f"which cannot be {verb}",
            )
