"""
Workspace endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import (
    check_bucket_name,
    check_new_workspace_name,
    check_page,
    check_workspace_ref,
)
from ..models import Page, Workspace
from ._base import Resource, iterate_pages


if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .._client import MaiuClient
    from .._project_cap import ProjectRegistry
    from .._urls import ApiPaths


__all__ = ["WorkspacesResource"]


class WorkspacesResource(Resource):
    """
    Create, list, read and delete workspaces (``client.workspaces``).
    """

    __slots__ = ("_projects",)

    def __init__(
        self, client: MaiuClient, paths: ApiPaths, projects: ProjectRegistry
    ) -> None:
        super().__init__(client, paths)
        # Deleting a workspace forgets what is known of its projects.
        self._projects = projects

    async def create(
        self,
        workspace_name: str,
        *,
        bucket_name: str | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Workspace:
        """
        Create a workspace (and, with it, its base project).

        Args:
            workspace_name: 3 to 63 characters of ``a-z``, ``0-9``, ``-``.
            bucket_name: An Object Storage bucket to integrate.
            retry: Retry policy for this call.

        Raises:
            ValidationError: The name breaks the documented rule.
            Conflict: The workspace already exists.

        """
        name = check_new_workspace_name(workspace_name)
        payload: dict[str, object] = {"workspaceName": name}
        if bucket_name is not None:
            payload["bucketName"] = check_bucket_name(bucket_name)
        path = self._paths.workspaces()
        ws = await self._request(
            "POST", path, Workspace, payload=payload, retry=retry
        )
        if ws.bucket_name is None and bucket_name is not None:
            # The create answer omits the bucket; we know what we sent.
            ws = attrs.evolve(ws, bucket_name=bucket_name)
        return ws

    async def list(
        self,
        *,
        page_num: int = 1,
        page_size: int = limits.ASSET_PAGE_SIZE_MAX,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Page[Workspace]:
        """
        Return one page of the account's workspaces.
        """
        num, size = check_page(page_num, page_size)
        path = self._paths.workspaces()
        return await self._request(
            "GET",
            path,
            Page[Workspace],
            query={"pageNum": num, "pageSize": size},
            retry=retry,
        )

    def iterate(
        self, *, page_size: int = limits.ASSET_PAGE_SIZE_MAX
    ) -> AsyncIterator[Workspace]:
        """
        Yield every workspace of the account, fetching page after page.
        """
        check_page(1, page_size)
        return iterate_pages(
            lambda n: self.list(page_num=n, page_size=page_size)
        )

    async def get(
        self, workspace: str, *, retry: RetryArg = USE_CLIENT_DEFAULT
    ) -> Workspace:
        """
        Return a workspace's details.

        Raises:
            NotFound: No such workspace.

        """
        path = self._paths.workspace(check_workspace_ref(workspace))
        return await self._request("GET", path, Workspace, retry=retry)

    async def delete(
        self, workspace: str, *, retry: RetryArg = USE_CLIENT_DEFAULT
    ) -> None:
        """
        Delete a workspace, irreversibly.

        Raises:
            NotFound: No such workspace.

        """
        ws = check_workspace_ref(workspace)
        await self._request("DELETE", self._paths.workspace(ws), retry=retry)
        self._projects.forget(ws)
