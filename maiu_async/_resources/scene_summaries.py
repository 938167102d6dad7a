"""
Scene-summary endpoints: text summaries of an index's scenes.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import check_id, check_ids
from ..models import SceneSummaryResult, SceneSummaryStatus
from ._base import Resource
from ._refs import asset_ref


if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["SceneSummariesResource"]


class SceneSummariesResource(Resource):
    """
    Summarise the scenes of an index (``client.scene_summaries``).

    Scene summaries are part of the current API only, so their paths
    always use ``assets``, even on a client made for the legacy host.
    """

    __slots__ = ()

    async def request(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        *,
        scene_ids: Sequence[int] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> SceneSummaryStatus:
        """
        Request scene summaries of a fully analysed index.

        Args:
            workspace: The workspace's name.
            project_id: The project's id.
            asset_id: The asset's id.
            index_id: The index's id.
            scene_ids: Scenes to summarise again.  The first run of an
                index must cover every scene, so leave it out then.
            retry: Retry policy for this call.

        Returns:
            The new run, with the id to poll and cancel it by ([?]: the
            answer is not documented).

        Raises:
            ValidationError: A scene id is not a positive integer.
            BadRequest: A run is already in progress, or a first run
                names scenes.
            NotFound: No such workspace, project, asset or index.

        """
        path = self._paths.scene_summaries(
            *asset_ref(workspace, project_id, asset_id),
            check_id("index_id", index_id),
        )
        payload: dict[str, Any] = {}
        if scene_ids is not None:
            payload["sceneIds"] = list(
                check_ids("scene_ids", scene_ids, min_len=1)
            )
        return await self._request(
            "POST", path, SceneSummaryStatus, payload=payload, retry=retry
        )

    async def get(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> SceneSummaryResult:
        """
        Return an index's scene summaries.

        Raises:
            BadRequest: The latest run is not ``SUMMARIZE_COMPLETED``.
            NotFound: No such workspace, project, asset or index.

        """
        path = self._paths.scene_summaries(
            *asset_ref(workspace, project_id, asset_id),
            check_id("index_id", index_id),
        )
        return await self._request(
            "GET", path, SceneSummaryResult, retry=retry
        )

    async def status(  # noqa: PLR0913 -- one argument per path segment
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> SceneSummaryStatus:
        """
        Return where a scene-summary run stands.

        Raises:
            NotFound: No such workspace, project, asset, index or run.

        """
        path = self._paths.scene_summary_status(
            *self._run_ref(
                workspace, project_id, asset_id, index_id, scene_summary_id
            )
        )
        return await self._request(
            "GET", path, SceneSummaryStatus, retry=retry
        )

    async def cancel(  # noqa: PLR0913 -- one argument per path segment
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Cancel a waiting or running scene-summary run, free of charge.

        Its partial output is deleted.

        Raises:
            BadRequest: The run is neither waiting nor running.
            NotFound: No such workspace, project, asset, index or run.

        """
        path = self._run_path(
            workspace, project_id, asset_id, index_id, scene_summary_id
        )
        await self._request("DELETE", path, retry=retry)

    def _run_path(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> str:
        return self._paths.scene_summary(
            *self._run_ref(
                workspace, project_id, asset_id, index_id, scene_summary_id
            )
        )

    @staticmethod
    def _run_ref(
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> tuple[str, int, int, int, int]:
        return (
            *asset_ref(workspace, project_id, asset_id),
            check_id("index_id", index_id),
            check_id("scene_summary_id", scene_summary_id),
        )
