"""
Helpers shared by the analysis, index, summary and search tests.

A module with a unique name, like testkeys (``from conftest import ...``
would pick whichever conftest pytest loaded last).
"""

from __future__ import annotations

import attrs

from maiu_async.emulator._analyses import AnalysisSettings


WS = "media-ws"


@attrs.define
class Clock:
    """A clock for `EmulatorState.clock` that moves only when told to."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@attrs.frozen
class AssetRef:
    """Where a seeded asset lives."""

    workspace: str
    project_id: int
    asset_id: int

    @property
    def parts(self) -> tuple[str, int, int]:
        """The three path parts, for unpacking into calls."""
        return self.workspace, self.project_id, self.asset_id


def seed_asset(state, key: str = "beach/sunset.mp4") -> AssetRef:
    """Seed WS (if needed), a new project and an imported asset of *key*."""
    if WS not in {ws.name for ws in state.workspaces()}:
        state.add_workspace(WS)
    project = state.add_projects(WS, 1)[0]
    asset = state.add_asset(WS, project.project_id, key, "bucket")
    return AssetRef(WS, project.project_id, asset.asset_id)


def seed_index(state, key: str = "beach/sunset.mp4") -> tuple[AssetRef, int]:
    """Seed an asset analysed at once; return it and its index id."""
    ref = seed_asset(state, key)
    delay, state.analysis_delay = state.analysis_delay, 0.0
    try:
        index = state.analyses.request(
            *ref.parts, AnalysisSettings(analysis_person_count=0)
        )
    finally:
        state.analysis_delay = delay
    return ref, index.index_id
