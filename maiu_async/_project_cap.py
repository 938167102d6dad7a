"""
What one client knows of each workspace's projects.

It backs the checks made before sending: the per-workspace cap, duplicate
names, the base project.

The cap check is race-free: a create *reserves* a slot synchronously (no
``await`` between looking and taking, so no other task runs in between)
and the reservation is committed on success or released on failure.
The first need of a workspace loads its projects with one list call,
under a lock, however many tasks need it at once.

Counting is conservative: when a create's outcome is unknown (the answer
was lost) the workspace is marked stale and reloaded on the next need,
and projects this client created while a list was in flight are kept, so
the client never believes a workspace has more room than it has.

Strictly private.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import anyio

from . import limits
from .exceptions import ProjectLimitExceeded, ValidationError


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from .models import Project


__all__ = ["ProjectRegistry", "Reservation", "WorkspaceProjects"]


class WorkspaceProjects:
    """
    One workspace's projects as this client knows them.

    Strictly private.
    """

    __slots__ = (
        "base_ids",
        "created_during_list",
        "deleted_during_list",
        "listing",
        "loaded",
        "names",
        "pending",
        "reserved",
        "stale_marks",
    )

    def __init__(self) -> None:
        self.loaded = False
        self.names: dict[int, str] = {}
        self.base_ids: set[int] = set()
        self.reserved = 0
        self.pending: Counter[str] = Counter()
        self.listing = 0
        self.created_during_list: dict[int, str] = {}
        self.deleted_during_list: set[int] = set()
        self.stale_marks = 0

    def mark_stale(self) -> None:
        """The server may hold a project this client does not know of."""
        self.loaded = False
        self.stale_marks += 1

    def counted(self) -> int:
        """Projects that count toward the cap, reservations included."""
        known = len(self.names)
        if not limits.BASE_PROJECT_COUNTS_TOWARD_CAP:
            known -= len(self.base_ids & self.names.keys())
        return known + self.reserved

    def replace(self, projects: Iterable[Project]) -> None:
        """Take a fresh list as the truth, keeping what raced with it."""
        projects = list(projects)
        self.names = {p.project_id: p.name for p in projects}
        self.base_ids = {p.project_id for p in projects if p.is_base_project}
        self.names.update(self.created_during_list)
        for project_id in self.deleted_during_list:
            self.names.pop(project_id, None)
        if self.listing == 0:
            self.created_during_list.clear()
            self.deleted_during_list.clear()
        self.loaded = True

    def add(self, project: Project) -> None:
        """Record a project this client created."""
        self.names[project.project_id] = project.name
        if project.is_base_project:
            self.base_ids.add(project.project_id)
        if self.listing:
            self.created_during_list[project.project_id] = project.name

    def remove(self, project_id: int) -> None:
        """Record a project this client deleted."""
        self.names.pop(project_id, None)
        if self.listing:
            self.deleted_during_list.add(project_id)

    def has_name(self, name: str, *, other_than: int | None = None) -> bool:
        """Whether a project (or a pending create) already uses *name*."""
        if self.pending[name]:
            return True
        return any(
            n == name and pid != other_than for pid, n in self.names.items()
        )


class Reservation:
    """
    One slot held for a create in flight.

    Strictly private.
    """

    __slots__ = ("_done", "_name", "_state")

    def __init__(self, state: WorkspaceProjects, name: str) -> None:
        self._state = state
        self._name = name
        self._done = False
        state.reserved += 1
        state.pending[name] += 1

    def _settle(self) -> None:
        if self._done:
            return
        self._done = True
        self._state.reserved -= 1
        self._state.pending[self._name] -= 1
        if not self._state.pending[self._name]:
            del self._state.pending[self._name]

    def commit(self, project: Project) -> None:
        """The create succeeded: the slot becomes a known project."""
        self._settle()
        self._state.add(project)

    def release(self, *, stale: bool = False) -> None:
        """The create failed; *stale* if the server may hold it anyway."""
        self._settle()
        if stale:
            self._state.mark_stale()


class ProjectRegistry:
    """
    Per-workspace project knowledge for one client.

    Strictly private.
    """

    __slots__ = ("_locks", "_workspaces")

    def __init__(self) -> None:
        self._workspaces: dict[str, WorkspaceProjects] = {}
        self._locks: dict[str, anyio.Lock] = {}

    def state(self, workspace: str) -> WorkspaceProjects:
        """The (possibly not yet loaded) state of *workspace*."""
        found = self._workspaces.get(workspace)
        if found is None:
            found = self._workspaces[workspace] = WorkspaceProjects()
        return found

    def forget(self, workspace: str) -> None:
        """Drop what is known of a deleted workspace."""
        self._workspaces.pop(workspace, None)

    async def loaded(
        self,
        workspace: str,
        load: Callable[[], Awaitable[Iterable[Project]]],
    ) -> WorkspaceProjects:
        """Return the state of *workspace*, loading it once if needed."""
        state = self.state(workspace)
        if state.loaded:
            return state
        lock = self._locks.setdefault(workspace, anyio.Lock())
        async with lock:
            if not state.loaded:
                await self.refresh(workspace, load)
        return state

    async def refresh(
        self,
        workspace: str,
        load: Callable[[], Awaitable[Iterable[Project]]],
    ) -> None:
        """Reload *workspace* from a list call."""
        state = self.state(workspace)
        marks = state.stale_marks
        state.listing += 1
        try:
            projects = list(await load())
        finally:
            state.listing -= 1
        state.replace(projects)
        if state.stale_marks != marks:
            # A create whose outcome is unknown failed while the list was
            # in flight: the list may predate that project, so it is not
            # the whole truth; the next need reloads.
            state.loaded = False

    def reserve(
        self, workspace: str, state: WorkspaceProjects, name: str
    ) -> Reservation:
        """
        Take a slot for creating *name*, or refuse without sending.

        Raises:
            ProjectLimitExceeded: The workspace is (or will be) full.
            ValidationError: The name is already used in the workspace.

        """
        if state.has_name(name):
            raise ValidationError(
                field="name",
                value=name,
                reason=f"a project with this name already exists in "
                f"workspace {workspace!r}",
            )
        cap = limits.PROJECTS_PER_WORKSPACE
        if state.counted() >= cap:
            raise ProjectLimitExceeded(
                workspace=workspace, limit=cap, name=name
            )
        return Reservation(state, name)
