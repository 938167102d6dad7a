"""
Asset endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .. import limits
from .._converter import AssetId, key_body
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import (
    check_asset_key,
    check_bucket_name,
    check_id,
    check_page,
    check_workspace_ref,
)
from ..models import Asset, ImportStatus, Page
from ._base import Resource, iterate_pages


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from .._client import MaiuClient
    from .._urls import ApiPaths


__all__ = ["AssetsResource"]


class AssetsResource(Resource):
    """
    Register, list, move and delete media assets (``client.assets``).
    """

    # The bulk engine's requests take the client's one-attempt path
    # (`MaiuClient._sender`), which builds once what `request` builds per
    # call: the one method besides `request` a resource touches.
    __slots__ = ("_sender",)

    def __init__(self, client: MaiuClient, paths: ApiPaths) -> None:
        super().__init__(client, paths)
        self._sender = client._sender  # noqa: SLF001 -- ours

    async def register(
        self,
        workspace: str,
        project_id: int,
        *,
        key: str,
        bucket_name: str,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Asset:
        """
        Register an Object Storage file as an asset of a project.

        The API is not idempotent: registering a key twice makes two
        assets.  So only failures that cannot have registered it (never
        sent, 429, 503) are retried.

        Args:
            workspace: The workspace's name.
            project_id: The project's id.
            key: The object's full key, e.g. ``videos/a.mp4``; a file with
                a supported extension (MP4, MKV, MOV, WebM, JPG/JPEG, PNG,
                HEIC), not a folder.
            bucket_name: The Object Storage bucket holding it.
            retry: Retry policy for this call.

        Returns:
            The new asset: its id and audit fields from the answer, and
            `~maiu_async.Asset.file_name` (the key) and
            `~maiu_async.Asset.project_id` from the request where the
            answer lacks them (the documented answer does).

        Raises:
            ValidationError: The key or bucket name is invalid.
            NotFound: No such workspace or project.

        """
        pid = check_id("project_id", project_id)
        path = self._paths.asset_import(check_workspace_ref(workspace), pid)
        checked_key = check_asset_key(key)
        payload = {
            "key": checked_key,
            "bucketName": check_bucket_name(bucket_name),
        }
        asset = await self._request(
            "POST", path, Asset, payload=payload, retry=retry
        )
        if asset.file_name is None or asset.project_id is None:
            asset = attrs.evolve(
                asset,
                file_name=asset.file_name or checked_key,
                project_id=asset.project_id or pid,
            )
        return asset

    def _key_registrar(
        self, workspace: str, project_id: int, bucket_name: str
    ) -> Callable[[str], Awaitable[int]]:
        """
        Return a function registering one key in one place, once each.

        For the bulk engine, which keeps only the asset id and has
        checked every key (`check_asset_key`) before it gets here: the
        place is checked and its path built once, not per key; the key
        is not checked again; each call is one attempt (the job retries);
        only the id is read out of the answer (`AssetId`: a malformed
        one still raises `ResponseDecodeError` with its path).

        Strictly private: for ``maiu_async.bulk``.
        """
        path = self._paths.asset_import(
            check_workspace_ref(workspace), check_id("project_id", project_id)
        )
        body = key_body(check_bucket_name(bucket_name))
        send = self._sender("POST", path, AssetId)

        def register_key(key: str) -> Awaitable[int]:
            # The coroutine of `send`, not one more around it.
            return send(body(key))

        return register_key

    async def list(
        self,
        workspace: str,
        project_id: int,
        *,
        page_num: int = 1,
        page_size: int = limits.ASSET_PAGE_SIZE_MAX,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Page[Asset]:
        """
        Return one page of a project's assets.

        Raises:
            ValidationError: *page_num* < 1 or *page_size* not 1-1000.
            NotFound: No such workspace or project.

        """
        num, size = check_page(page_num, page_size)
        path = self._paths.asset_list(
            check_workspace_ref(workspace), check_id("project_id", project_id)
        )
        return await self._request(
            "GET",
            path,
            Page[Asset],
            query={"pageNum": num, "pageSize": size},
            retry=retry,
        )

    def iterate(
        self,
        workspace: str,
        project_id: int,
        *,
        page_size: int = limits.ASSET_PAGE_SIZE_MAX,
    ) -> AsyncIterator[Asset]:
        """
        Yield every asset of a project, fetching page after page.
        """
        check_page(1, page_size)
        return iterate_pages(
            lambda n: self.list(
                workspace, project_id, page_num=n, page_size=page_size
            )
        )

    async def get(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Asset:
        """
        Return one asset.

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._asset_path(workspace, project_id, asset_id)
        return await self._request("GET", path, Asset, retry=retry)

    async def move(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        new_project_id: int,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Asset:
        """
        Move an asset to another project of the same workspace.

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._asset_path(workspace, project_id, asset_id)
        target = check_id("new_project_id", new_project_id)
        return await self._request(
            "PATCH", path, Asset, query={"new_project_id": target}, retry=retry
        )

    async def delete(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Delete an asset.

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._asset_path(workspace, project_id, asset_id)
        await self._request("DELETE", path, retry=retry)

    async def import_status(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> ImportStatus:
        """
        Return an asset's registration (import) status.

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._paths.import_status(
            check_workspace_ref(workspace),
            check_id("project_id", project_id),
            check_id("asset_id", asset_id),
        )
        return await self._request("GET", path, ImportStatus, retry=retry)

    def _asset_path(
        self, workspace: str, project_id: int, asset_id: int
    ) -> str:
        return self._paths.asset(
            check_workspace_ref(workspace),
            check_id("project_id", project_id),
            check_id("asset_id", asset_id),
        )
