"""The in-memory state and its seeding helpers, without HTTP."""

from __future__ import annotations

import pytest

from maiu_async import limits
from maiu_async.emulator import EmulatorState
from maiu_async.emulator._checks import ServiceError
from maiu_async.emulator._http import timestamp


@pytest.fixture(name="state")
def _state():
    state = EmulatorState()
    state.add_workspace("ws-test")
    return state


def code_of(excinfo) -> str:
    return excinfo.value.row.code


def test_add_workspace_validates_by_default():
    """Seeding follows the API's name rules unless told not to."""
    state = EmulatorState()

    with pytest.raises(ServiceError) as excinfo:
        state.add_workspace("a/b?c")

    assert "10001" == code_of(excinfo)
    assert "a/b?c" == state.add_workspace("a/b?c", validate=False).name


def test_duplicate_workspace(state):
    """Seeding a taken workspace name raises 10200."""
    with pytest.raises(ServiceError) as excinfo:
        state.add_workspace("ws-test")

    assert "10200" == code_of(excinfo)


def test_add_projects(state):
    """add_projects makes that many uniquely named user projects."""
    made = state.add_projects("ws-test", 25)

    assert 25 == len({p.name for p in made})
    assert 25 == state.workspace("ws-test").user_project_count()


def test_add_projects_honours_the_cap(state):
    """Seeding cannot pass the per-workspace cap either."""
    room = limits.PROJECTS_PER_WORKSPACE - int(
        limits.BASE_PROJECT_COUNTS_TOWARD_CAP
    )
    state.add_projects("ws-test", room)

    with pytest.raises(ServiceError) as excinfo:
        state.add_projects("ws-test", 1)

    assert "10300" == code_of(excinfo)


def test_ids_are_disjoint_and_rising(state):
    """Project and asset ids rise and never share a range."""
    first, second = state.add_projects("ws-test", 2)
    asset = state.add_asset("ws-test", first.project_id, "k.mp4", "b")

    assert first.project_id < second.project_id < asset.asset_id


def test_assets_of_stays_in_id_order_after_moves(state):
    """Moving an older asset in keeps the target's list in id order."""
    source, target = state.add_projects("ws-test", 2)
    old = state.add_asset("ws-test", source.project_id, "old.mp4", "b")
    new = state.add_asset("ws-test", target.project_id, "new.mp4", "b")

    state.move_asset(
        "ws-test", source.project_id, old.asset_id, target.project_id
    )

    assert [old.asset_id, new.asset_id] == [
        a.asset_id for a in state.assets_of("ws-test", target.project_id)
    ]


def test_count_assets_by_key(state):
    """Assets are counted by key per project or across the workspace."""
    one, two = state.add_projects("ws-test", 2)
    for pid in (one.project_id, one.project_id, two.project_id):
        state.add_asset("ws-test", pid, "same.mp4", "b")

    assert 3 == state.count_assets_by_key("ws-test", "same.mp4")
    assert 2 == state.count_assets_by_key(
        "ws-test", "same.mp4", project_id=one.project_id
    )
    assert 0 == state.count_assets_by_key("ws-test", "other.mp4")


def test_import_status_follows_the_clock():
    """Import is IN_PROGRESS until import_delay has passed on the clock."""
    now = [0.0]
    state = EmulatorState(import_delay=5.0, clock=lambda: now[0])
    state.add_workspace("ws-test")
    base_id = next(iter(state.workspace("ws-test").projects))
    good = state.add_asset("ws-test", base_id, "a.webm", "b")
    bad = state.add_asset("ws-test", base_id, "a.gif", "b")

    before = (state.import_status(good), state.import_status(bad))
    now[0] = 5.0
    after = (state.import_status(good), state.import_status(bad))

    assert ("IN_PROGRESS", "IN_PROGRESS") == before
    assert ("COMPLETED", "INVALID_METADATA") == after


def test_workspace_delete_removes_everything(state):
    """Deleting a workspace removes its projects and assets."""
    (project,) = state.add_projects("ws-test", 1)
    state.add_asset("ws-test", project.project_id, "k.mp4", "b")

    state.delete_workspace("ws-test")

    with pytest.raises(ServiceError) as excinfo:
        state.count_assets_by_key("ws-test", "k.mp4")
    assert "10100" == code_of(excinfo)
    assert [] == state.workspaces()


def test_timestamp_format():
    """Times have nine fractional digits and no zone."""
    text = timestamp()

    assert 29 == len(text)
    assert ("T", ".") == (text[10], text[19])
    assert text[20:].isdigit()
