"""
One synchronous function per endpoint: check input, change state, answer.

Handlers never await, so each runs atomically with respect to every
other request.
They return the success body or raise `ServiceError`.
Workspaces, projects and assets are handled here; the analysis, search
and person endpoints in ``_handlers_*`` modules, all gathered into
`HANDLERS`.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import (
    _checks,
    _handlers_analysis,
    _handlers_persons,
    _handlers_search,
    _wire,
)
from ._call import JSON, Call, Handler


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["HANDLERS", "Call", "Handler"]


# --- workspaces -------------------------------------------------------------


def list_workspaces(call: Call) -> JSON:
    """
    GET /workspaces.
    """
    page_no, page_size = _checks.page(call.query)
    everything = call.state.workspaces()
    start = (page_no - 1) * page_size
    items = [
        _wire.workspace_item(ws, call.base_url)
        for ws in everything[start : start + page_size]
    ]
    return _wire.success(
        _wire.page(items, len(everything), page_no, page_size)
    )


def create_workspace(call: Call) -> JSON:
    """
    POST /workspaces.
    """
    body = _checks.json_object(call.body)
    name = _checks.workspace_name(body.get("workspaceName"))
    bucket = _checks.optional_text(body, "bucketName")
    ws = call.state.add_workspace(name, bucket)
    call.stats.workspaces_created += 1
    return _wire.success(_wire.workspace_created(ws))


def get_workspace(call: Call) -> JSON:
    """
    GET /workspaces/{ws}.
    """
    ws = call.state.workspace(call.workspace)
    return _wire.success(_wire.workspace_detail(ws, call.base_url))


def delete_workspace(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}.
    """
    call.state.delete_workspace(call.workspace)
    return _wire.success({"workspaceName": call.workspace})


# --- projects ---------------------------------------------------------------


def list_projects(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/projects.
    """
    projects = call.state.workspace(call.workspace).projects.values()
    items = [_wire.project(p) for p in projects]
    return _wire.success({"projects": items, "totalCount": len(items)})


def create_project(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/projects.
    """
    call.state.workspace(call.workspace)
    body = _checks.json_object(call.body)
    name = _checks.project_name(body.get("name"))
    project = call.state.add_project(call.workspace, name)
    call.stats.projects_created += 1
    return _wire.success(_wire.project(project))


def get_project(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/projects/{pid}.
    """
    project = call.state.project(call.workspace, call.project_id)
    return _wire.success(_wire.project(project))


def edit_project(call: Call) -> JSON:
    """
    PATCH /workspaces/{ws}/projects/{pid}.
    """
    project_id = call.project_id
    call.state.project(call.workspace, project_id)
    body = _checks.json_object(call.body)
    project = call.state.rename_project(
        call.workspace, project_id, _checks.project_name(body.get("name"))
    )
    return _wire.success(_wire.project(project))


def delete_project(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}/projects/{pid}.
    """
    call.state.delete_project(call.workspace, call.project_id)
    return _wire.success(has_result=False)


# --- assets -----------------------------------------------------------------


def register_asset(call: Call) -> JSON:
    """
    POST .../projects/{pid}/assets/import/object-storage.
    """
    project_id = call.project_id
    call.state.project(call.workspace, project_id)
    body = _checks.json_object(call.body)
    key = _checks.required_text(body, "key")
    bucket = _checks.required_text(body, "bucketName")
    asset = call.state.add_asset(call.workspace, project_id, key, bucket)
    if call.objects is not None:
        # Like the service: the POST succeeds, the import finds out.
        call.objects.submit(asset)
    call.stats.assets_created += 1
    return _wire.success(_wire.asset_registered(asset, legacy=call.legacy))


def list_assets(call: Call) -> JSON:
    """
    GET .../projects/{pid}/assets.
    """
    project_id = call.project_id
    everything = call.state.assets_of(call.workspace, project_id)
    page_no, page_size = _checks.page(call.query)
    start = (page_no - 1) * page_size
    items = [
        _wire.asset_item(a, call.state.import_status(a), legacy=call.legacy)
        for a in everything[start : start + page_size]
    ]
    return _wire.success(
        _wire.page(items, len(everything), page_no, page_size)
    )


def get_asset(call: Call) -> JSON:
    """
    GET .../assets/{aid}.
    """
    asset = call.state.asset(call.workspace, call.project_id, call.asset_id)
    status = call.state.import_status(asset)
    return _wire.success(_wire.asset_item(asset, status, legacy=call.legacy))


def move_asset(call: Call) -> JSON:
    """
    PATCH .../assets/{aid}?new_project_id=N.
    """
    project_id, asset_id = call.project_id, call.asset_id
    call.state.asset(call.workspace, project_id, asset_id)
    target = _checks.integer(
        call.query.get("new_project_id"), "new_project_id"
    )
    asset = call.state.move_asset(call.workspace, project_id, asset_id, target)
    status = call.state.import_status(asset)
    return _wire.success(_wire.asset_item(asset, status, legacy=call.legacy))


def delete_asset(call: Call) -> JSON:
    """
    DELETE .../assets/{aid}.
    """
    call.state.delete_asset(call.workspace, call.project_id, call.asset_id)
    return _wire.success(has_result=False)


def import_status(call: Call) -> JSON:
    """
    GET .../assets/{aid}/import-status.
    """
    asset = call.state.asset(call.workspace, call.project_id, call.asset_id)
    status = call.state.import_status(asset)
    return _wire.success(
        _wire.import_status(asset, status, legacy=call.legacy)
    )


HANDLERS: Mapping[str, Handler] = {
    f.__name__: f
    for f in (
        list_workspaces,
        create_workspace,
        get_workspace,
        delete_workspace,
        list_projects,
        create_project,
        get_project,
        edit_project,
        delete_project,
        register_asset,
        list_assets,
        get_asset,
        move_asset,
        delete_asset,
        import_status,
        *_handlers_analysis.HANDLERS,
        *_handlers_search.HANDLERS,
        *_handlers_persons.HANDLERS,
    )
}
