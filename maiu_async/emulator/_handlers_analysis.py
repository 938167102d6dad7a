"""
Handlers of the analysis, index and scene-summary endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maiu_async import limits

from . import _checks, _wire
from . import _wire_analysis as wire
from ._analyses import AnalysisSettings


if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._call import JSON, Call


__all__ = ["HANDLERS"]


def _settings(body: Mapping[str, object]) -> AnalysisSettings:
    count = _checks.integer_in(
        body.get("analysisPersonCount"),
        "analysisPersonCount",
        limits.ANALYSIS_PERSON_COUNT_MIN,
        limits.ANALYSIS_PERSON_COUNT_MAX,
    )
    scene_range = body.get("sceneRange")
    tag_ids = body.get("tagIdList")
    language = body.get("sourceLanguage")
    return AnalysisSettings(
        analysis_person_count=count,
        scene_range=None
        if scene_range is None
        else _checks.choice(scene_range, "sceneRange", limits.SCENE_RANGES),
        tag_ids=()
        if tag_ids is None
        else _checks.id_list(
            tag_ids,
            "tagIdList",
            min_len=limits.ANALYSIS_TAG_IDS_MIN,
            max_len=limits.ANALYSIS_TAG_IDS_MAX,
        ),
        source_language="ENKO"
        if language is None
        else _checks.choice(
            language, "sourceLanguage", limits.SOURCE_LANGUAGES
        ),
        detect_audio_effects=bool(
            _checks.optional_bool(body, "detectAudioEffects")
        ),
    )


def request_analysis(call: Call) -> JSON:
    """
    POST .../assets/{aid}/analyze.
    """
    call.state.asset(*call.asset_ref())
    settings = _settings(_checks.json_object(call.body))
    index = call.state.analyses.request(*call.asset_ref(), settings)
    id_field = "id" if call.legacy else "indexId"
    return _wire.success(wire.index(index, id_field=id_field))


def cancel_analysis(call: Call) -> JSON:
    """
    DELETE .../assets/{aid}/analyze.
    """
    call.state.analyses.cancel(*call.asset_ref())
    return _wire.success(has_result=False)


def analysis_status(call: Call) -> JSON:
    """
    GET .../assets/{aid}/analyze-status.
    """
    asset = call.state.asset(*call.asset_ref())
    status = call.state.analyses.status(asset)
    return _wire.success(wire.analysis_status(status, asset.analysis))


def list_indexes(call: Call) -> JSON:
    """
    GET .../assets/{aid}/indexes.
    """
    indexes = call.state.analyses.indexes(*call.asset_ref())
    return _wire.success(wire.index_list(indexes))


def get_index(call: Call) -> JSON:
    """
    GET .../indexes/{iid}?confidence_level=.
    """
    index = call.state.analyses.index(*call.index_ref())
    level = _checks.choice(
        call.query.get("confidence_level", "MEDIUM"),
        "confidence_level",
        limits.CONFIDENCE_LEVELS,
    )
    return _wire.success(wire.index_detail(index, level))


def delete_index(call: Call) -> JSON:
    """
    DELETE .../indexes/{iid}.
    """
    call.state.analyses.delete_index(*call.index_ref())
    return _wire.success(has_result=False)


def request_scene_summary(call: Call) -> JSON:
    """
    POST .../indexes/{iid}/scene-summaries, body ``{"sceneIds"}`` or none.
    """
    call.state.analyses.index(*call.index_ref())
    body = _checks.json_object(call.body) if call.body.strip() else {}
    raw_ids = body.get("sceneIds")
    scene_ids = (
        None
        if raw_ids is None
        else _checks.id_list(raw_ids, "sceneIds", min_len=1)
    )
    summaries = call.state.summaries
    run = summaries.request(*call.index_ref(), scene_ids)
    return _wire.success(wire.summary_run(run, summaries.status(run)))


def get_scene_summary(call: Call) -> JSON:
    """
    GET .../indexes/{iid}/scene-summaries.
    """
    index, run = call.state.summaries.summarized(*call.index_ref())
    return _wire.success(wire.summary_result(index, run))


def scene_summary_status(call: Call) -> JSON:
    """
    GET .../scene-summaries/{ssid}/status.
    """
    summaries = call.state.summaries
    run = summaries.run(*call.index_ref(), call.scene_summary_id)
    return _wire.success(wire.summary_run(run, summaries.status(run)))


def cancel_scene_summary(call: Call) -> JSON:
    """
    DELETE .../scene-summaries/{ssid}.
    """
    call.state.summaries.cancel(*call.index_ref(), call.scene_summary_id)
    return _wire.success(has_result=False)


HANDLERS = (
    request_analysis,
    cancel_analysis,
    analysis_status,
    list_indexes,
    get_index,
    delete_index,
    request_scene_summary,
    get_scene_summary,
    scene_summary_status,
    cancel_scene_summary,
)
