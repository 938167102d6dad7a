"""
Analysis endpoints: request, cancel, status.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import (
    check_bool,
    check_choice,
    check_ids,
    check_int_range,
)
from ..models import AnalysisStatus, Index
from ._base import Resource
from ._refs import asset_ref


if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..models import SceneRange, SourceLanguage


__all__ = ["AnalysisResource"]


class AnalysisResource(Resource):
    """
    Analyse media assets (``client.analysis``).

    An analysis runs asynchronously: request it, poll `status` until
    ``ANALYZE_COMPLETED``, then read the index it made through
    ``client.indexes``.
    """

    __slots__ = ()

    async def request(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        analysis_person_count: int,
        scene_range: SceneRange | None = None,
        tag_ids: Sequence[int] | None = None,
        source_language: SourceLanguage | None = None,
        detect_audio_effects: bool | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Index:
        """
        Request the analysis of an imported asset.

        Options left out are not sent, so the API's defaults apply.

        Args:
            workspace: The workspace's name.
            project_id: The project's id.
            asset_id: The asset's id; its import must be ``COMPLETED``.
            analysis_person_count: Persons to analyse, 0 to 10; 0 skips
                person analysis, which is faster.
            scene_range: Scene length, for videos: ``EXTRA_SHORT``,
                ``SHORT``, ``MEDIUM`` (the API's default) or ``LONG``.
            tag_ids: 1 to 30 person tags whose persons to look for.
            source_language: Spoken language, for videos: ``ENKO`` (the
                API's default, Korean and English), ``EN``, ``KO``,
                ``JA``, ``ZH-CN`` or ``ZH-TW``.
            detect_audio_effects: Detect applause, laughter and music in
                videos (the API's default is not to).
            retry: Retry policy for this call.

        Returns:
            The index the analysis fills ([?]: the answer's shape is cut
            off in the docs; the legacy page shows index details).

        Raises:
            ValidationError: An option is out of its documented range.
            BadRequest: The asset is not imported yet (code 10014), or
                already being analysed.
            NotFound: No such workspace, project or asset.

        """
        path = self._paths.analyze(*asset_ref(workspace, project_id, asset_id))
        payload: dict[str, Any] = {
            "analysisPersonCount": check_int_range(
                "analysis_person_count",
                analysis_person_count,
                limits.ANALYSIS_PERSON_COUNT_MIN,
                limits.ANALYSIS_PERSON_COUNT_MAX,
            )
        }
        if scene_range is not None:
            payload["sceneRange"] = check_choice(
                "scene_range", scene_range, limits.SCENE_RANGES
            )
        if tag_ids is not None:
            # Integers, as in the page's example (its table says strings).
            payload["tagIdList"] = list(
                check_ids(
                    "tag_ids",
                    tag_ids,
                    min_len=limits.ANALYSIS_TAG_IDS_MIN,
                    max_len=limits.ANALYSIS_TAG_IDS_MAX,
                )
            )
        if source_language is not None:
            payload["sourceLanguage"] = check_choice(
                "source_language", source_language, limits.SOURCE_LANGUAGES
            )
        if detect_audio_effects is not None:
            payload["detectAudioEffects"] = check_bool(
                "detect_audio_effects", detect_audio_effects
            )
        return await self._request(
            "POST", path, Index, payload=payload, retry=retry
        )

    async def cancel(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Cancel an asset's waiting or running analysis.

        Raises:
            BadRequest: No analysis is waiting or running.
            NotFound: No such workspace, project or asset.

        """
        path = self._paths.analyze(*asset_ref(workspace, project_id, asset_id))
        await self._request("DELETE", path, retry=retry)

    async def status(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> AnalysisStatus:
        """
        Return where an asset's analysis stands.

        Raises:
            NotFound: No such workspace, project or asset.

        """
        path = self._paths.analyze_status(
            *asset_ref(workspace, project_id, asset_id)
        )
        return await self._request("GET", path, AnalysisStatus, retry=retry)
