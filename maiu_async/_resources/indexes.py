"""
Index endpoints: the results of analyses.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import check_choice, check_id
from ..models import IndexDetail, IndexList
from ._base import Resource
from ._refs import asset_ref


if TYPE_CHECKING:
    from ..models import ConfidenceLevel


__all__ = ["IndexesResource"]


class IndexesResource(Resource):
    """
    List, read and delete an asset's indexes (``client.indexes``).
    """

    __slots__ = ()

    async def list(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> IndexList:
        """
        Return every index of an asset (the list is not paginated).

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._paths.indexes(*asset_ref(workspace, project_id, asset_id))
        return await self._request("GET", path, IndexList, retry=retry)

    async def get(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        *,
        confidence_level: ConfidenceLevel | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> IndexDetail:
        """
        Return an index with its analysis results.

        Args:
            workspace: The workspace's name.
            project_id: The project's id.
            asset_id: The asset's id.
            index_id: The index's id.
            confidence_level: ``LOW`` (more keywords), ``MEDIUM`` (the
                API's default) or ``HIGH`` (fewer, more precise).
            retry: Retry policy for this call.

        Raises:
            ValidationError: Unknown confidence level.
            NotFound: No such workspace, project, asset or index.

        """
        path = self._paths.index(
            *asset_ref(workspace, project_id, asset_id),
            check_id("index_id", index_id),
        )
        query: dict[str, str | int] = {}
        if confidence_level is not None:
            query["confidence_level"] = check_choice(
                "confidence_level", confidence_level, limits.CONFIDENCE_LEVELS
            )
        return await self._request(
            "GET", path, IndexDetail, query=query, retry=retry
        )

    async def delete(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Delete an index.

        Raises:
            NotFound: No such workspace, project, asset or index.

        """
        path = self._paths.index(
            *asset_ref(workspace, project_id, asset_id),
            check_id("index_id", index_id),
        )
        await self._request("DELETE", path, retry=retry)
