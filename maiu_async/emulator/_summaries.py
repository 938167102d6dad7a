"""
Scene summaries of indexes: records, rules, endpoints and bodies.

Emulator choices ([?]: the docs do not say):

- A run waits (``WAIT_SUMMARIZE``) for the first half of
  `EmulatorState.summary_delay`, runs (``SUMMARIZING``) for the second,
  then is ``SUMMARIZE_COMPLETED``; the default delay 0 completes at once.
- Every index is "fully indexed" (indexes exist only once complete).
- A first run naming only some scenes is refused (10505), since the
  docs require it to cover every scene; later runs may name any.
- The summary of a scene names its keywords (the asset key's words).
- The result is served only while the latest run is completed (10503):
  a later run in progress, cancelled or failed hides it.
- A run is ``{sceneSummaryId, indexId, status}``; the result adds
  ``sceneSummaries`` (``sceneId``, ``summary``) and
  ``sceneSummaryInfo.sceneSummaryId``.
- Scene summaries exist only in the current API: no legacy routes.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes

from . import _checks
from ._analyses import phase
from ._checks import ServiceError
from ._http import JSON, Call, Route, success, timestamp


if TYPE_CHECKING:
    from ._indexes import IndexRecord
    from ._state import EmulatorState


__all__ = ["FIRST_SCENE_SUMMARY_ID", "ROUTES", "SummaryBook", "SummaryRun"]

# Disjoint from project, asset and index ids.
FIRST_SCENE_SUMMARY_ID = 4_000_001

WAIT_SUMMARIZE = "WAIT_SUMMARIZE"
SUMMARIZING = "SUMMARIZING"
SUMMARIZE_COMPLETED = "SUMMARIZE_COMPLETED"
SUMMARIZE_CANCELED = "SUMMARIZE_CANCELED"


@attrs.define
class SummaryRun:
    """
    One scene-summary run of an index.

    Attributes:
        scene_summary_id: Its id, unique across the emulator.
        index_id: The index it summarises.
        scene_ids: The scenes it summarises.
        requested_at: `EmulatorState.clock` reading when requested.
        delay: The summary delay in force then.
        canceled: Whether it was cancelled.
        settled: Whether its summaries reached the index.

    """

    scene_summary_id: int
    index_id: int
    scene_ids: tuple[int, ...]
    requested_at: float
    delay: float
    canceled: bool = False
    settled: bool = False

    def status(self, now: float) -> str:
        """
        Return the run's status at clock reading *now*.
        """
        if self.canceled:
            return SUMMARIZE_CANCELED
        return phase(
            now,
            self.requested_at,
            self.delay,
            (WAIT_SUMMARIZE, SUMMARIZING, SUMMARIZE_COMPLETED),
        )


class SummaryBook:
    """
    The scene-summary rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_next_id", "_state")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next_id = FIRST_SCENE_SUMMARY_ID

    def __repr__(self) -> str:
        return f"<SummaryBook next_id={self._next_id}>"

    def _index(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> IndexRecord:
        index = self._state.indexes.index(
            workspace, project_id, asset_id, index_id
        )
        self.settle(index)
        return index

    def settle(self, index: IndexRecord) -> None:
        """
        Write a completed run's summaries into its index, once.
        """
        run = index.latest_run
        if (
            run is not None
            and not run.settled
            and run.status(self._state.clock()) == SUMMARIZE_COMPLETED
        ):
            run.settled = True
            for scene_id in run.scene_ids:
                index.summaries[scene_id] = (
                    f"Scene {scene_id} shows {', '.join(index.keywords)}."
                )
            index.summarized_time = index.updated_time = timestamp()

    def is_running(self, index: IndexRecord) -> bool:
        """
        Tell whether the index's latest run is waiting or running.
        """
        run = index.latest_run
        return run is not None and run.status(self._state.clock()) in {
            WAIT_SUMMARIZE,
            SUMMARIZING,
        }

    def request(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_ids: tuple[int, ...] | None = None,
    ) -> SummaryRun:
        """
        Start summarising an index's scenes (all of them by default).

        Raises:
            ServiceError: As `IndexBook.index`; 10502 while a run is
                in progress; 10001 for unknown scene ids; 10505 if the
                index's first completed run would not cover every scene.

        """
        index = self._index(workspace, project_id, asset_id, index_id)
        if self.is_running(index):
            raise ServiceError(codes.SCENE_SUMMARY_IN_PROGRESS, "request")
        if scene_ids is None:
            scene_ids = index.scene_ids
        unknown = set(scene_ids) - set(index.scene_ids)
        if unknown:
            raise ServiceError(
                codes.INVALID_REQUEST, f"unknown scenes {sorted(unknown)}"
            )
        if not index.summaries and set(scene_ids) != set(index.scene_ids):
            raise ServiceError(
                codes.SCENE_SUMMARY_FIRST_RUN_PARTIAL, str(index_id)
            )
        run = SummaryRun(
            scene_summary_id=self._next_id,
            index_id=index_id,
            scene_ids=tuple(sorted(set(scene_ids))),
            requested_at=self._state.clock(),
            delay=self._state.summary_delay,
        )
        self._next_id += 1
        index.runs.append(run)
        self.settle(index)
        return run

    def run(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> SummaryRun:
        """
        Return one run of an index.

        Raises:
            ServiceError: As `IndexBook.index`, and 10104 for an
                unknown run.

        """
        index = self._index(workspace, project_id, asset_id, index_id)
        for run in index.runs:
            if run.scene_summary_id == scene_summary_id:
                return run
        raise ServiceError(
            codes.SCENE_SUMMARY_NOT_FOUND, str(scene_summary_id)
        )

    def status(self, run: SummaryRun) -> str:
        """
        Return a run's status now.
        """
        return run.status(self._state.clock())

    def cancel(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> None:
        """
        Cancel a waiting or running run; nothing it made is kept.

        Raises:
            ServiceError: As `run`, and 10504 unless it is
                waiting or running.

        """
        run = self.run(
            workspace, project_id, asset_id, index_id, scene_summary_id
        )
        if self.status(run) not in {WAIT_SUMMARIZE, SUMMARIZING}:
            raise ServiceError(
                codes.SCENE_SUMMARY_NOT_CANCELABLE, str(scene_summary_id)
            )
        run.canceled = True

    def summarized(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> tuple[IndexRecord, SummaryRun]:
        """
        Return an index whose latest run is ``SUMMARIZE_COMPLETED``.

        Raises:
            ServiceError: As `IndexBook.index`, and 10503 otherwise.

        """
        index = self._index(workspace, project_id, asset_id, index_id)
        run = index.latest_run
        if run is None or self.status(run) != SUMMARIZE_COMPLETED:
            raise ServiceError(codes.SCENE_SUMMARY_NOT_COMPLETED, "result")
        return index, run


# --- handlers: see ROUTES for their paths ----------------------------------


def _run(run: SummaryRun, status: str) -> JSON:
    return {
        "sceneSummaryId": run.scene_summary_id,
        "indexId": run.index_id,
        "status": status,
    }


def request_scene_summary(call: Call) -> JSON:
    # The body is ``{"sceneIds": [...]}`` or nothing at all.
    call.state.indexes.index(*call.index_ref())
    body = call.json() if call.body.strip() else {}
    raw_ids = body.get("sceneIds")
    scene_ids = (
        None
        if raw_ids is None
        else _checks.id_list(raw_ids, "sceneIds", min_len=1)
    )
    summaries = call.state.summaries
    run = summaries.request(*call.index_ref(), scene_ids)
    return success(_run(run, summaries.status(run)))


def get_scene_summary(call: Call) -> JSON:
    index, run = call.state.summaries.summarized(*call.index_ref())
    return success(
        {
            "indexId": index.index_id,
            "sceneSummaryInfo": {
                "sceneSummaryId": run.scene_summary_id,
                "lastAnalyzedAt": index.summarized_time,
            },
            "sceneSummaries": [
                {"sceneId": scene_id, "summary": index.summaries[scene_id]}
                for scene_id in sorted(index.summaries)
            ],
        }
    )


def scene_summary_status(call: Call) -> JSON:
    summaries = call.state.summaries
    run = summaries.run(*call.index_ref(), call.scene_summary_id)
    return success(_run(run, summaries.status(run)))


def cancel_scene_summary(call: Call) -> JSON:
    call.state.summaries.cancel(*call.index_ref(), call.scene_summary_id)
    return success(has_result=False)


_SUMMARIES = (
    "workspaces/{ws}/projects/{pid}/assets/{aid}/indexes/{iid}/scene-summaries"
)

ROUTES = (
    Route("POST", _SUMMARIES, request_scene_summary),
    Route("GET", _SUMMARIES, get_scene_summary),
    Route("GET", f"{_SUMMARIES}/{{ssid}}/status", scene_summary_status),
    Route("DELETE", f"{_SUMMARIES}/{{ssid}}", cancel_scene_summary),
)
