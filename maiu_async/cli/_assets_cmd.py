"""
``maiu-async assets ...``: list, show, follow and delete assets.

The project is ``--project-id N`` or ``--project NAME`` (looked up with
`maiu_async.MaiuClient`'s ``projects.find``), as for ``import``.  Output
as in ``_manage``: people on stderr, ``--json`` on stdout.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from maiu_async.models import ImportState

from ._errors import EXIT_FAILURES, EXIT_OK
from ._manage import time_text
from ._options import (
    CONTEXT_SETTINGS,
    CommandFailed,
    Settings,
    connection_options,
    echo_json,
    json_option,
    jsonable,
    make_client,
    run_async,
    workspace_option,
)
from ._tables import (
    confirm_deletion,
    say,
    show_record,
    show_table,
    yes_option,
)


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from maiu_async import Asset, MaiuClient


__all__ = ["assets"]

T = TypeVar("T")
F = TypeVar("F", bound="Callable[..., Any]")

_asset_id_argument: Final = click.argument(
    "asset_id", type=click.IntRange(min=1)
)


def _project_options(f: F) -> F:
    f = click.option(
        "--project",
        "project_name",
        metavar="NAME",
        help="The project's name, looked up in the workspace.",
    )(f)
    return click.option(
        "--project-id",
        type=click.IntRange(min=1),
        metavar="ID",
        help="The project's id.",
    )(f)


def _check_project(project_id: int | None, project_name: str | None) -> None:
    if (project_id is None) == (project_name is None):
        raise click.UsageError(
            "pass exactly one of --project-id and --project"
        )


def _in_project(
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    action: Callable[[MaiuClient, int], Awaitable[T]],
) -> T:
    """Run ``action(client, project_id)``, finding the project by name."""
    _check_project(project_id, project_name)

    async def main() -> T:
        async with make_client(settings) as client:
            pid = project_id
            if pid is None:
                assert project_name is not None  # noqa: S101 -- checked
                found = await client.projects.find(workspace, project_name)
                if found is None:
                    raise CommandFailed(
                        f"no project named {project_name!r} in workspace "
                        f"{workspace!r} (see `maiu-async projects list`)"
                    )
                pid = found.project_id
            return await action(client, pid)

    return run_async(main)


@click.group(context_settings=CONTEXT_SETTINGS)
def assets() -> None:
    """
    List, show, follow and delete the assets of a project.
    """


def _size(asset: Asset) -> str:
    size = None if asset.meta_data is None else asset.meta_data.size
    return "" if size is None else f"{size:,}"


@assets.command("list")
@workspace_option
@_project_options
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Stop after N assets. Default: every asset, page after page.",
)
@json_option
@connection_options
@click.pass_obj
def assets_list(  # noqa: PLR0913, PLR0917 -- one parameter per option
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    limit: int | None,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    List the assets of a project.
    """

    async def fetch(client: MaiuClient, pid: int) -> list[Asset]:
        found: list[Asset] = []
        async for asset in client.assets.iterate(workspace, pid):
            found.append(asset)
            if limit is not None and len(found) >= limit:
                break
        return found

    found = _in_project(settings, workspace, project_id, project_name, fetch)
    if as_json:
        echo_json([jsonable(a) for a in found])
    else:
        show_table(
            ("ID", "File", "Size", "Created"),
            [
                (
                    str(a.asset_id),
                    a.file_name or "",
                    _size(a),
                    time_text(a.created_time),
                )
                for a in found
            ],
            empty="No assets.",
        )
    return EXIT_OK


@assets.command("get")
@workspace_option
@_project_options
@_asset_id_argument
@json_option
@connection_options
@click.pass_obj
def assets_get(  # noqa: PLR0913, PLR0917 -- one parameter per option
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    asset_id: int,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Show the asset ASSET_ID.
    """
    asset = _in_project(
        settings,
        workspace,
        project_id,
        project_name,
        lambda client, pid: client.assets.get(workspace, pid, asset_id),
    )
    if as_json:
        echo_json(jsonable(asset))
        return EXIT_OK
    meta = asset.meta_data
    rows = [
        ("Asset", str(asset.asset_id)),
        ("File", asset.file_name or ""),
        ("Project", "" if asset.project_id is None else str(asset.project_id)),
    ]
    if meta is not None:
        rows += [
            ("Format", meta.format or ""),
            ("Resolution", meta.resolution or ""),
            (
                "Duration",
                "" if meta.duration_ms is None else f"{meta.duration_ms} ms",
            ),
            ("Size", _size(asset)),
        ]
    rows += [
        ("Created", time_text(asset.created_time)),
        ("Created by", asset.created_user_name or ""),
    ]
    show_record(rows)
    return EXIT_OK


@assets.command("status")
@workspace_option
@_project_options
@_asset_id_argument
@json_option
@connection_options
@click.pass_obj
def assets_status(  # noqa: PLR0913, PLR0917 -- one parameter per option
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    asset_id: int,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Show the import status of the asset ASSET_ID.

    Exits 0 once the import completed, 1 while it is in progress or if it
    failed (FAILED, FILE_NOT_EXIST, INVALID_METADATA).
    """
    status = _in_project(
        settings,
        workspace,
        project_id,
        project_name,
        lambda client, pid: client.assets.import_status(
            workspace, pid, asset_id
        ),
    )
    if as_json:
        echo_json(jsonable(status))
    else:
        detail = f" ({status.upload_result})" if status.upload_result else ""
        say(f"Asset {status.asset_id}: {status.upload_status}{detail}")
    done = status.upload_status is ImportState.COMPLETED
    return EXIT_OK if done else EXIT_FAILURES


@assets.command("delete")
@workspace_option
@_project_options
@_asset_id_argument
@yes_option
@json_option
@connection_options
@click.pass_obj
def assets_delete(  # noqa: PLR0913, PLR0917 -- one parameter per option
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    asset_id: int,
    assume_yes: bool,  # noqa: FBT001 -- a click flag
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Delete the asset ASSET_ID (not its file in Object Storage).

    Asks first on a terminal; without one, needs --yes.
    """
    _check_project(project_id, project_name)
    what = f"asset {asset_id} of workspace {workspace!r}"
    if not confirm_deletion(what, assume_yes=assume_yes):
        say("Nothing deleted.")
        return EXIT_FAILURES

    async def delete(client: MaiuClient, pid: int) -> int:
        await client.assets.delete(workspace, pid, asset_id)
        return pid

    pid = _in_project(settings, workspace, project_id, project_name, delete)
    if as_json:
        echo_json(
            {
                "deleted": "asset",
                "workspace_name": workspace,
                "project_id": pid,
                "asset_id": asset_id,
            }
        )
    else:
        say(f"Deleted asset {asset_id} of project {pid}.")
    return EXIT_OK
