"""
Response bodies of the analysis, index and scene-summary endpoints.

Built by hand, like `_wire`.  Only the index's documented fields come
from the API pages; the rest are emulator choices ([?]):

- the analysis request answers the index it fills; legacy
  (``video-assets``) answers name its id ``id``, as the legacy page
  shows, current ones ``indexId``;
- ``analysisSetting`` echoes the request beside ``analysisEngine``;
- index details add ``confidenceLevel`` and ``scenes`` (id, start and
  end in milliseconds, keywords: all words of the key at ``LOW``, the
  first three at ``MEDIUM``, the first at ``HIGH``);
- a scene-summary run is ``{sceneSummaryId, indexId, status}``; the
  result adds ``sceneSummaries`` (``sceneId``, ``summary``) and
  ``sceneSummaryInfo.sceneSummaryId``.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._analyses import ENGINE
from ._wire import audit


if TYPE_CHECKING:
    from ._analyses import AnalysisRecord, IndexRecord
    from ._summaries import SummaryRun


__all__ = [
    "analysis_status",
    "index",
    "index_detail",
    "index_list",
    "summary_result",
    "summary_run",
]

JSON = dict[str, Any]

_SCENE_MS = 20_000
_KEYWORDS_KEPT = {"LOW": None, "MEDIUM": 3, "HIGH": 1}


def index(i: IndexRecord, *, id_field: str = "indexId") -> JSON:
    """
    The index object.
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


def index_list(indexes: list[IndexRecord]) -> JSON:
    """
    The index-list result (not paginated).
    """
    return {
        "totalCount": len(indexes),
        "indexes": [index(i) for i in indexes],
    }


def index_detail(i: IndexRecord, confidence_level: str) -> JSON:
    """
    The index-details result: the index, then its scenes.
    """
    kept = _KEYWORDS_KEPT[confidence_level]
    is_video = i.type == "VIDEO"
    return {
        **index(i),
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


def analysis_status(status: str, analysis: AnalysisRecord | None) -> JSON:
    """
    The analysis-status result, in the table's spelling.
    """
    if analysis is None:
        return {
            "status": status,
            "analyzeStatusMessage": None,
            "indexId": None,
        }
    done = status == "ANALYZE_COMPLETED"
    return {
        "status": status,
        "analyzeStatusMessage": analysis.message,
        "indexId": analysis.index.index_id if done else None,
    }


def summary_run(run: SummaryRun, status: str) -> JSON:
    """
    A scene-summary run: the request's and the status call's result.
    """
    return {
        "sceneSummaryId": run.scene_summary_id,
        "indexId": run.index_id,
        "status": status,
    }


def summary_result(i: IndexRecord, run: SummaryRun) -> JSON:
    """
    The scene-summary result of an index.
    """
    return {
        "indexId": i.index_id,
        "sceneSummaryInfo": {
            "sceneSummaryId": run.scene_summary_id,
            "lastAnalyzedAt": i.summarized_time,
        },
        "sceneSummaries": [
            {"sceneId": scene_id, "summary": i.summaries[scene_id]}
            for scene_id in sorted(i.summaries)
        ],
    }
