"""
Analyses of assets: records, rules, endpoints and bodies.

Emulator choices ([?]: the docs do not say):

- An analysis waits (``WAIT_ANALYZE``) for the first half of
  `EmulatorState.analysis_delay`, runs (``ANALYZING``) for the second,
  then is ``ANALYZE_COMPLETED``; the default delay 0 completes at once.
  Time is `EmulatorState.clock`, read when asked, so tests move it
  without sleeping.
- Requesting an analysis reserves the index it will fill and answers
  it; the index is listed only once the analysis completes.
  A cancelled or failed analysis drops it.
  Every completed analysis adds one index, so re-analysing keeps the
  older ones.  Legacy (``video-assets``) answers name the index's id
  ``id``, as the legacy page shows; current ones ``indexId``.
- Unset options take the documented defaults (``sceneRange`` MEDIUM,
  ``sourceLanguage`` ENKO, no audio effects); for images the video-only
  ``sceneRange`` and ``detectAudioEffects`` are dropped.
  ``tagIdList`` is echoed, never checked against the person tags.
- Each accepted request adds one to the workspace's
  ``monthlyAnalysisCount``.
- The emulator fails analyses only on demand: `AnalysisBook.fail`
  makes a running analysis ``ANALYZE_FAIL``, and the ``analysis_fail``
  knob (a glob of asset keys) makes the matching analyses end
  ``ANALYZE_FAIL`` instead of completing.  The ``analysis_reads`` knob
  makes an analysis end only at its K-th status read (``WAIT_ANALYZE``
  before the first, ``ANALYZING`` after), so tests step through a
  wait without a clock.

Strictly private.
"""

from __future__ import annotations

import fnmatch
import re

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._assets import COMPLETED, asset_routes
from ._checks import ServiceError
from ._http import JSON, Call, success, timestamp
from ._indexes import IndexRecord, index_body


if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._assets import AssetRecord
    from ._state import EmulatorState
    from ._workspaces import WorkspaceRecord


__all__ = [
    "FIRST_INDEX_ID",
    "ROUTES",
    "AnalysisBook",
    "AnalysisRecord",
    "AnalysisSettings",
    "phase",
]

# Disjoint from project and asset ids.
FIRST_INDEX_ID = 3_000_001

BEFORE_ANALYZE = "BEFORE_ANALYZE"
WAIT_ANALYZE = "WAIT_ANALYZE"
ANALYZING = "ANALYZING"
ANALYZE_COMPLETED = "ANALYZE_COMPLETED"
ANALYZE_FAIL = "ANALYZE_FAIL"
ANALYZE_CANCEL = "ANALYZE_CANCEL"

_FAILED_ON_DEMAND = "Video parsing failed (emulator: analysis_fail)."
_VIDEO_SCENES = (1, 2, 3)
_IMAGE_SCENES = (1,)
_WORD = re.compile(r"[0-9A-Za-z]+")


def phase(
    now: float, since: float, delay: float, stages: tuple[str, str, str]
) -> str:
    """
    Return the waiting, running or done stage of a delayed job.

    Waiting for the first half of *delay*, running for the second.
    """
    elapsed = now - since
    if elapsed >= delay:
        return stages[2]
    return stages[0] if elapsed < delay / 2 else stages[1]


@attrs.frozen(kw_only=True)
class AnalysisSettings:
    """
    What an analysis was asked to do.

    Attributes:
        analysis_person_count: Persons to analyse, 0 to 10.
        scene_range: The scene length; ``MEDIUM`` for videos by default,
            ``None`` for images.
        tag_ids: Person tags to look for (unknown ones are ignored).
        source_language: The spoken language, ``ENKO`` by default.
        detect_audio_effects: Whether to detect audio effects.

    """

    analysis_person_count: int
    scene_range: str | None = None
    tag_ids: tuple[int, ...] = ()
    source_language: str = "ENKO"
    detect_audio_effects: bool = False


@attrs.define
class AnalysisRecord:
    """
    An asset's latest analysis.

    Attributes:
        index: The index it fills.
        requested_at: `EmulatorState.clock` reading when requested.
        delay: The analysis delay in force then.
        outcome: ``ANALYZE_CANCEL`` or ``ANALYZE_FAIL`` once decided.
        message: Why it failed.
        settled: Whether its index was added to the asset.
        reads_needed: Status reads it needs to end (``analysis_reads``).
        reads: Status reads so far.
        fails_with: The message it fails with when it ends, if it is
            to fail (``analysis_fail``).

    """

    index: IndexRecord
    requested_at: float
    delay: float
    outcome: str | None = None
    message: str | None = None
    settled: bool = False
    reads_needed: int = 0
    reads: int = 0
    fails_with: str | None = None

    def status(self, now: float) -> str:
        """
        Return the analysis status at clock reading *now*.
        """
        if self.outcome is not None:
            return self.outcome
        stage = phase(
            now,
            self.requested_at,
            self.delay,
            (WAIT_ANALYZE, ANALYZING, ANALYZE_COMPLETED),
        )
        if stage != ANALYZE_COMPLETED:
            return stage
        if self.reads < self.reads_needed:
            return ANALYZING if self.reads else WAIT_ANALYZE
        if self.fails_with is not None:
            self.outcome = ANALYZE_FAIL
            self.message = self.fails_with
            return ANALYZE_FAIL
        return stage


class AnalysisBook:
    """
    The analysis rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_fail", "_next_index_id", "_reads", "_state")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next_index_id = FIRST_INDEX_ID
        self._fail: str | None = None
        self._reads = 0

    def configure(self, *, fail: str | None, reads: int) -> None:
        """
        Set the outcome knobs (``analysis_fail``, ``analysis_reads``).

        *fail*: a glob of asset keys whose analyses fail; *reads*: the
        status reads an analysis needs to end.
        """
        self._fail = fail
        self._reads = reads

    def __repr__(self) -> str:
        return f"<AnalysisBook next_index_id={self._next_index_id}>"

    def settle(self, asset: AssetRecord) -> None:
        """
        Add a completed analysis's index to its asset, once.
        """
        analysis = asset.analysis
        if (
            analysis is not None
            and not analysis.settled
            and analysis.status(self._state.clock()) == ANALYZE_COMPLETED
        ):
            analysis.settled = True
            analysis.index.updated_time = timestamp()
            asset.indexes[analysis.index.index_id] = analysis.index

    def status(self, asset: AssetRecord) -> str:
        """
        Return the asset's analysis status now.
        """
        self.settle(asset)
        if asset.analysis is None:
            return BEFORE_ANALYZE
        return asset.analysis.status(self._state.clock())

    def is_running(self, asset: AssetRecord) -> bool:
        """
        Tell whether the asset's analysis is waiting or running.
        """
        return self.status(asset) in {WAIT_ANALYZE, ANALYZING}

    def running_in(self, workspace: WorkspaceRecord) -> bool:
        """
        Tell whether any analysis of the workspace is waiting or running.
        """
        return any(
            self.is_running(asset)
            for project in workspace.projects.values()
            for asset in project.assets.values()
        )

    def request(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        settings: AnalysisSettings,
    ) -> IndexRecord:
        """
        Start analysing an imported asset.

        Returns:
            The index the analysis fills.

        Raises:
            ServiceError: 10100/10101/10102 if unknown, 10014 unless the
                import is ``COMPLETED``, 10500 while one is running.

        """
        state = self._state
        asset = state.asset(workspace, project_id, asset_id)
        if state.import_status(asset) != COMPLETED:
            raise ServiceError(codes.NO_ASSET_SELECTED, str(asset_id))
        if self.is_running(asset):
            raise ServiceError(codes.ANALYSIS_IN_PROGRESS, str(asset_id))
        is_image = asset.extension in limits.IMAGE_EXTENSIONS
        if is_image:
            settings = attrs.evolve(
                settings, scene_range=None, detect_audio_effects=False
            )
        elif settings.scene_range is None:
            settings = attrs.evolve(settings, scene_range="MEDIUM")
        now = timestamp()
        index = IndexRecord(
            index_id=self._next_index_id,
            type="IMAGE" if is_image else "VIDEO",
            settings=settings,
            scene_ids=_IMAGE_SCENES if is_image else _VIDEO_SCENES,
            keywords=_keywords(asset.key),
            created_time=now,
            updated_time=now,
        )
        self._next_index_id += 1
        fails = self._fail is not None and fnmatch.fnmatchcase(
            asset.key, self._fail
        )
        asset.analysis = AnalysisRecord(
            index,
            state.clock(),
            state.analysis_delay,
            reads_needed=self._reads,
            fails_with=_FAILED_ON_DEMAND if fails else None,
        )
        state.workspace(workspace).monthly_analysis_count += 1
        self.settle(asset)
        return index

    def cancel(self, workspace: str, project_id: int, asset_id: int) -> None:
        """
        Cancel a waiting or running analysis.

        Raises:
            ServiceError: 10100/10101/10102 if unknown, 10501 unless it
                is waiting or running.

        """
        self._running(workspace, project_id, asset_id).outcome = ANALYZE_CANCEL

    def fail(
        self, workspace: str, project_id: int, asset_id: int, message: str
    ) -> None:
        """
        Make a waiting or running analysis fail with *message* (tests).

        Raises:
            ServiceError: As `cancel`.

        """
        analysis = self._running(workspace, project_id, asset_id)
        analysis.outcome = ANALYZE_FAIL
        analysis.message = message

    def _running(
        self, workspace: str, project_id: int, asset_id: int
    ) -> AnalysisRecord:
        asset = self._state.asset(workspace, project_id, asset_id)
        if asset.analysis is None or not self.is_running(asset):
            raise ServiceError(codes.ANALYSIS_NOT_CANCELABLE, str(asset_id))
        return asset.analysis


def _keywords(key: str) -> tuple[str, ...]:
    stem = key.rsplit(".", 1)[0] if "." in key.rsplit("/", 1)[-1] else key
    return tuple(word.lower() for word in _WORD.findall(stem)) or ("media",)


# --- handlers: see ROUTES for their paths ----------------------------------


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
    call.state.asset(*call.asset_ref())
    settings = _settings(call.json())
    index = call.state.analyses.request(*call.asset_ref(), settings)
    id_field = "id" if call.legacy else "indexId"
    return success(index_body(index, id_field=id_field))


def cancel_analysis(call: Call) -> JSON:
    call.state.analyses.cancel(*call.asset_ref())
    return success(has_result=False)


def analysis_status(call: Call) -> JSON:
    # In the table's spelling; the index only once completed.
    asset = call.state.asset(*call.asset_ref())
    if asset.analysis is not None:
        asset.analysis.reads += 1
    status = call.state.analyses.status(asset)
    body: JSON = {
        "status": status,
        "analyzeStatusMessage": None,
        "indexId": None,
    }
    if asset.analysis is not None:
        body["analyzeStatusMessage"] = asset.analysis.message
        if status == ANALYZE_COMPLETED:
            body["indexId"] = asset.analysis.index.index_id
    return success(body)


ROUTES = (
    *asset_routes("POST", "/{aid}/analyze", request_analysis, settles=True),
    *asset_routes("DELETE", "/{aid}/analyze", cancel_analysis),
    *asset_routes("GET", "/{aid}/analyze-status", analysis_status),
)
