"""The analysis, summary and person rules of the state, without HTTP."""

from __future__ import annotations

import pytest

from maiu_async.emulator import EmulatorState
from maiu_async.emulator._analyses import AnalysisSettings, phase
from maiu_async.emulator._checks import ServiceError


pytestmark = pytest.mark.anyio

STAGES = ("WAIT", "RUN", "DONE")
SETTINGS = AnalysisSettings(analysis_person_count=0)


@pytest.fixture(name="now")
def _now():
    return [0.0]


@pytest.fixture(name="state")
def _state(now):
    state = EmulatorState(clock=lambda: now[0])
    state.add_workspace("ws-test")
    return state


@pytest.fixture(name="asset")
def _asset(state):
    (project,) = state.add_projects("ws-test", 1)
    asset = state.add_asset("ws-test", project.project_id, "k.mp4", "b")
    return ("ws-test", project.project_id, asset.asset_id)


@pytest.mark.parametrize(
    ("elapsed", "delay", "expected"),
    [
        pytest.param(0.0, 0.0, "DONE", id="no-delay"),
        pytest.param(0.0, 10.0, "WAIT", id="start"),
        pytest.param(4.99, 10.0, "WAIT", id="first-half"),
        pytest.param(5.0, 10.0, "RUN", id="second-half"),
        pytest.param(10.0, 10.0, "DONE", id="end"),
    ],
)
def test_phase(elapsed, delay, expected):
    """Jobs wait for the first half of their delay and run the second."""
    assert expected == phase(100.0 + elapsed, 100.0, delay, STAGES)


def test_delay_is_fixed_at_request(state, asset, now):
    """Changing analysis_delay later does not move a running analysis."""
    state.analysis_delay = 10.0
    state.analyses.request(*asset, SETTINGS)
    state.analysis_delay = 0.0

    asset_record = state.asset(*asset)
    before = state.analyses.status(asset_record)
    now[0] = 10.0
    after = state.analyses.status(asset_record)

    assert ("WAIT_ANALYZE", "ANALYZE_COMPLETED") == (before, after)


def test_index_ids_rise_even_when_cancelled(state, asset):
    """A cancelled analysis uses up its index id."""
    state.analysis_delay = 10.0
    first = state.analyses.request(*asset, SETTINGS)
    state.analyses.cancel(*asset)
    second = state.analyses.request(*asset, SETTINGS)

    assert first.index_id + 1 == second.index_id


def test_fail_needs_a_running_analysis(state, asset):
    """Only a waiting or running analysis can be made to fail."""
    with pytest.raises(ServiceError) as info:
        state.analyses.fail(*asset, "boom")

    assert "10501" == info.value.row.code


def test_indexes_move_with_their_asset(state, asset):
    """Moving an asset keeps its indexes."""
    index = state.analyses.request(*asset, SETTINGS)
    (target,) = state.add_projects("ws-test", 1)

    state.move_asset(asset[0], asset[1], asset[2], target.project_id)

    assert [index] == state.indexes.indexes(
        "ws-test", target.project_id, asset[2]
    )


def test_summary_request_while_running(state, asset, now):
    """A second scene-summary request while one runs raises 10502."""
    index = state.analyses.request(*asset, SETTINGS)
    state.summary_delay = 2.0
    state.summaries.request(*asset, index.index_id)

    with pytest.raises(ServiceError) as info:
        state.summaries.request(*asset, index.index_id)
    now[0] = 2.0
    done = state.summaries.request(*asset, index.index_id, (3,))

    assert "10502" == info.value.row.code
    assert (3,) == done.scene_ids


def test_seeded_persons_follow_the_rules(state):
    """Seeding a person checks the same rules as the API."""
    state.persons.add("ws-test", "Kim", [("k", True)])

    with pytest.raises(ServiceError) as info:
        state.persons.add("ws-test", "Kim", [("k", True)])

    assert "10202" == info.value.row.code


async def test_delay_knobs_reach_the_state(launch):
    """The analysis_delay and summary_delay knobs reach the state."""
    emu = await launch(analysis_delay=4.0, summary_delay=2.0)

    assert (4.0, 2.0) == (emu.state.analysis_delay, emu.state.summary_delay)


async def test_uploads_are_not_api_requests(api, emu):
    """PUTs to upload URLs take any body, unsigned and uncounted."""
    reply = await api.request(
        "PUT", "/_emulator/uploads/query-assets/1/a.jpg", data=b"x", sign=False
    )

    assert (200, 0) == (reply.status, emu.stats.requests)
