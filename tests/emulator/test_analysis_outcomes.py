"""
Analysis outcomes on demand: ``analysis_fail`` and ``analysis_reads``.
"""

from __future__ import annotations

import pytest

from maiu_async.emulator._cli import build_config


pytestmark = pytest.mark.anyio

WS = "/api/v1/workspaces/ws-test"


async def _analysed(launch, api_for, key: str, **knobs):
    emu = await launch(**knobs)
    emu.state.add_workspace("ws-test", "b")
    project = emu.state.add_project("ws-test", "p")
    asset = emu.state.add_asset("ws-test", project.project_id, key, "b")
    path = f"{WS}/projects/{project.project_id}/assets/{asset.asset_id}"
    api = api_for(emu)
    reply = await api.post(f"{path}/analyze", {"analysisPersonCount": 1})
    assert 200 == reply.status
    return api, path


async def _statuses(api, path: str, reads: int) -> list[str]:
    return [
        (await api.get(f"{path}/analyze-status")).body["result"]["status"]
        for _ in range(reads)
    ]


async def test_analysis_reads_steps_through_a_wait(launch, api_for):
    """An analysis ends at its K-th status read, running before."""
    api, path = await _analysed(launch, api_for, "a.mp4", analysis_reads=3)

    assert [
        "ANALYZING",
        "ANALYZING",
        "ANALYZE_COMPLETED",
        "ANALYZE_COMPLETED",
    ] == await _statuses(api, path, 4)


async def test_analysis_fail_fails_matching_keys(launch, api_for):
    """A key matching analysis_fail ends ANALYZE_FAIL, with a message."""
    api, path = await _analysed(
        launch, api_for, "media/broken-1.mp4", analysis_fail="*broken*"
    )

    result = (await api.get(f"{path}/analyze-status")).body["result"]
    assert ("ANALYZE_FAIL", None) == (result["status"], result["indexId"])
    assert result["analyzeStatusMessage"]


async def test_other_keys_complete(launch, api_for):
    """A key not matching analysis_fail completes with an index."""
    api, path = await _analysed(
        launch, api_for, "media/fine.mp4", analysis_fail="*broken*"
    )

    result = (await api.get(f"{path}/analyze-status")).body["result"]
    assert "ANALYZE_COMPLETED" == result["status"]
    assert result["indexId"] is not None


def test_flags_set_the_knobs():
    """--analysis-fail and --analysis-reads reach the configuration."""
    config, _ = build_config(
        {
            "analysis_fail": "*x*",
            "analysis_reads": 2,
            "access_key": "a",
            "secret_key": "s",
        }
    )

    assert ("*x*", 2) == (config.analysis_fail, config.analysis_reads)
