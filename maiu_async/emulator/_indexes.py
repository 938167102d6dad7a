"""
Indexes, the results of analyses: records, rules, endpoints and bodies.

Emulator choices ([?]: the docs do not say):

- An index is listed only once its analysis completes (``_analyses``
  makes it), and every completed analysis adds one.
- A video index has three scenes (ids 1-3), an image index one; their
  keywords are the words of the asset's key.
- ``analysisSetting`` echoes the request beside ``analysisEngine``.
- Index details add ``confidenceLevel`` and ``scenes`` (id, start and
  end in milliseconds, keywords: all words of the key at ``LOW``, the
  first three at ``MEDIUM``, the first at ``HIGH``).

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._assets import asset_routes
from ._checks import ServiceError
from ._http import JSON, Call, audit, success


if TYPE_CHECKING:
    from ._analyses import AnalysisSettings
    from ._state import EmulatorState
    from ._summaries import SummaryRun


__all__ = ["ENGINE", "ROUTES", "IndexBook", "IndexRecord", "index_body"]

#: What the emulator says analysed every index.
ENGINE = "Sinossi v1.0"

_SCENE_MS = 20_000
_KEYWORDS_KEPT = {"LOW": None, "MEDIUM": 3, "HIGH": 1}


@attrs.define
class IndexRecord:
    """
    One index: the result of one analysis.

    Attributes:
        index_id: Its id, unique across the emulator.
        type: ``IMAGE`` or ``VIDEO``.
        settings: What the analysis was asked to do.
        scene_ids: Its scenes.
        keywords: What every scene shows: the words of the asset's key.
        created_time: Wire-format time of the request.
        updated_time: Wire-format time of the last change.
        runs: Its scene-summary runs, oldest first.
        summaries: Summary text per scene id.
        summarized_time: Wire-format time of the last completed run.

    """

    index_id: int
    type: str
    settings: AnalysisSettings
    scene_ids: tuple[int, ...]
    keywords: tuple[str, ...]
    created_time: str
    updated_time: str
    runs: list[SummaryRun] = attrs.Factory(list)
    summaries: dict[int, str] = attrs.Factory(dict)
    summarized_time: str | None = None

    @property
    def latest_run(self) -> SummaryRun | None:
        """
        The most recent scene-summary run, if any.
        """
        return self.runs[-1] if self.runs else None


class IndexBook:
    """
    The index rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_state",)

    def __init__(self, state: EmulatorState) -> None:
        self._state = state

    def __repr__(self) -> str:
        return "<IndexBook>"

    def indexes(
        self, workspace: str, project_id: int, asset_id: int
    ) -> list[IndexRecord]:
        """
        Return an asset's indexes in ascending id order.

        Raises:
            ServiceError: 10100/10101/10102 if unknown.

        """
        asset = self._state.asset(workspace, project_id, asset_id)
        self._state.analyses.settle(asset)
        return list(asset.indexes.values())

    def index(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> IndexRecord:
        """
        Return one index.

        Raises:
            ServiceError: 10100/10101/10102 if unknown, 10103 for an
                unknown index.

        """
        asset = self._state.asset(workspace, project_id, asset_id)
        self._state.analyses.settle(asset)
        try:
            return asset.indexes[index_id]
        except KeyError:
            raise ServiceError(codes.INDEX_NOT_FOUND, str(index_id)) from None

    def delete(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> None:
        """
        Delete an index.

        Raises:
            ServiceError: As `index`, and 10502 while it is summarised.

        """
        index = self.index(workspace, project_id, asset_id, index_id)
        if self._state.summaries.is_running(index):
            raise ServiceError(codes.SCENE_SUMMARY_IN_PROGRESS, "delete")
        asset = self._state.asset(workspace, project_id, asset_id)
        del asset.indexes[index_id]


# --- bodies -----------------------------------------------------------------


def index_body(i: IndexRecord, *, id_field: str = "indexId") -> JSON:
    """
    The index object; the legacy analysis answer names its id ``id``.
    """
    s = i.settings
    return {
        id_field: i.index_id,
        "type": i.type,
        **audit(i.created_time, i.updated_time),
        "analysisSetting": {
            "analysisEngine": ENGINE,
            "sceneRange": s.scene_range,
            "analysisPersonCount": s.analysis_person_count,
            "tagIdList": list(s.tag_ids),
            "sourceLanguage": s.source_language,
            "detectAudioEffects": s.detect_audio_effects,
        },
    }


def _detail(i: IndexRecord, confidence_level: str) -> JSON:
    # The index, then its scenes.
    kept = _KEYWORDS_KEPT[confidence_level]
    is_video = i.type == "VIDEO"
    return {
        **index_body(i),
        "confidenceLevel": confidence_level,
        "scenes": [
            {
                "sceneId": scene_id,
                "startTimeMs": (scene_id - 1) * _SCENE_MS if is_video else 0,
                "endTimeMs": scene_id * _SCENE_MS if is_video else 0,
                "keywords": list(i.keywords[:kept]),
            }
            for scene_id in i.scene_ids
        ],
    }


# --- handlers: see ROUTES for their paths ----------------------------------


def list_indexes(call: Call) -> JSON:
    # Not paginated.
    indexes = call.state.indexes.indexes(*call.asset_ref())
    return success(
        {
            "totalCount": len(indexes),
            "indexes": [index_body(i) for i in indexes],
        }
    )


def get_index(call: Call) -> JSON:
    index = call.state.indexes.index(*call.index_ref())
    level = _checks.choice(
        call.query.get("confidence_level", "MEDIUM"),
        "confidence_level",
        limits.CONFIDENCE_LEVELS,
    )
    return success(_detail(index, level))


def delete_index(call: Call) -> JSON:
    call.state.indexes.delete(*call.index_ref())
    return success(has_result=False)


ROUTES = (
    *asset_routes("GET", "/{aid}/indexes", list_indexes),
    *asset_routes("GET", "/{aid}/indexes/{iid}", get_index),
    *asset_routes("DELETE", "/{aid}/indexes/{iid}", delete_index),
)
