"""
``maiu-async workspaces ...`` and ``maiu-async projects ...``.

Each command is one call of the client (a listing: page after page),
printed for people on stderr (a sentence, a table or a record) or, with
``--json``, as JSON on stdout (see ``_tables``).

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ._errors import EXIT_FAILURES, EXIT_OK
from ._options import (
    CONTEXT_SETTINGS,
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
    from datetime import datetime

    from maiu_async import MaiuClient, Project, Workspace


__all__ = ["projects", "time_text", "workspaces"]

_project_id_argument = click.argument("project_id", type=click.IntRange(min=1))


def time_text(value: datetime | None) -> str:
    """
    A time for a table cell; blank when unknown.

    Strictly private.
    """
    return "" if value is None else value.isoformat(" ", "seconds")


def _call(settings: Settings, action: Any) -> Any:  # noqa: ANN401
    """Run ``action(client)`` with the command's client; its result."""

    async def main() -> Any:  # noqa: ANN401
        async with make_client(settings) as client:
            return await action(client)

    return run_async(main)


# -- workspaces ---------------------------------------------------------------


@click.group(context_settings=CONTEXT_SETTINGS)
def workspaces() -> None:
    """
    List, show, create and delete workspaces.
    """


def _workspace_record(ws: Workspace) -> list[tuple[str, str]]:
    return [
        ("Workspace", ws.workspace_name),
        ("Bucket", ws.bucket_name or ""),
        ("URL", ws.workspace_url or ""),
        (
            "Analyses this month",
            ""
            if ws.monthly_analysis_count is None
            else str(ws.monthly_analysis_count),
        ),
        ("Created", time_text(ws.created_time)),
        ("Created by", ws.created_user_name or ""),
        ("Updated", time_text(ws.updated_time)),
    ]


@workspaces.command("list")
@json_option
@connection_options
@click.pass_obj
def workspaces_list(
    settings: Settings,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    List the account's workspaces (every page).
    """

    async def fetch(client: MaiuClient) -> list[Workspace]:
        return [ws async for ws in client.workspaces.iterate()]

    found: list[Workspace] = _call(settings, fetch)
    if as_json:
        echo_json([jsonable(ws) for ws in found])
    else:
        show_table(
            ("Workspace", "Bucket", "Created"),
            [
                (
                    ws.workspace_name,
                    ws.bucket_name or "",
                    time_text(ws.created_time),
                )
                for ws in found
            ],
            empty="No workspaces.",
        )
    return EXIT_OK


@workspaces.command("get")
@click.argument("name")
@json_option
@connection_options
@click.pass_obj
def workspaces_get(
    settings: Settings,
    name: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Show the workspace NAME.
    """
    ws = _call(settings, lambda client: client.workspaces.get(name))
    if as_json:
        echo_json(jsonable(ws))
    else:
        show_record(_workspace_record(ws))
    return EXIT_OK


@workspaces.command("create")
@click.argument("name")
@click.option("--bucket", metavar="BUCKET", help="Bucket to integrate.")
@json_option
@connection_options
@click.pass_obj
def workspaces_create(
    settings: Settings,
    name: str,
    bucket: str | None,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Create the workspace NAME (3-63 characters of a-z, 0-9 and '-').
    """
    ws = _call(
        settings,
        lambda client: client.workspaces.create(name, bucket_name=bucket),
    )
    if as_json:
        echo_json(jsonable(ws))
    else:
        where = f" (bucket {ws.bucket_name})" if ws.bucket_name else ""
        say(f"Created workspace {ws.workspace_name}{where}.")
    return EXIT_OK


@workspaces.command("delete")
@click.argument("name")
@yes_option
@json_option
@connection_options
@click.pass_obj
def workspaces_delete(
    settings: Settings,
    name: str,
    assume_yes: bool,  # noqa: FBT001 -- a click flag
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Delete the workspace NAME, with its projects and assets.

    Asks first on a terminal; without one, needs --yes.
    """
    if not confirm_deletion(f"workspace {name!r}", assume_yes=assume_yes):
        say("Nothing deleted.")
        return EXIT_FAILURES
    _call(settings, lambda client: client.workspaces.delete(name))
    if as_json:
        echo_json({"deleted": "workspace", "workspace_name": name})
    else:
        say(f"Deleted workspace {name}.")
    return EXIT_OK


# -- projects -----------------------------------------------------------------


@click.group(context_settings=CONTEXT_SETTINGS)
def projects() -> None:
    """
    List, show, create, rename and delete the projects of a workspace.
    """


def _project_rows(found: tuple[Project, ...]) -> list[tuple[str, ...]]:
    return [
        (
            str(p.project_id),
            p.name,
            "yes" if p.is_base_project else "",
            time_text(p.created_time),
        )
        for p in found
    ]


@projects.command("list")
@workspace_option
@json_option
@connection_options
@click.pass_obj
def projects_list(
    settings: Settings,
    workspace: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    List the projects of a workspace.
    """
    listed = _call(settings, lambda client: client.projects.list(workspace))
    if as_json:
        echo_json([jsonable(p) for p in listed.projects])
    else:
        show_table(
            ("ID", "Name", "Base", "Created"),
            _project_rows(listed.projects),
            empty=f"No projects in workspace {workspace}.",
        )
    return EXIT_OK


@projects.command("get")
@workspace_option
@_project_id_argument
@json_option
@connection_options
@click.pass_obj
def projects_get(
    settings: Settings,
    workspace: str,
    project_id: int,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Show the project PROJECT_ID.
    """
    p = _call(
        settings, lambda client: client.projects.get(workspace, project_id)
    )
    if as_json:
        echo_json(jsonable(p))
    else:
        show_record(
            [
                ("Project", str(p.project_id)),
                ("Name", p.name),
                ("Base project", "yes" if p.is_base_project else "no"),
                ("Created", time_text(p.created_time)),
                ("Created by", p.created_user_name or ""),
                ("Updated", time_text(p.updated_time)),
            ]
        )
    return EXIT_OK


@projects.command("create")
@workspace_option
@click.argument("name")
@json_option
@connection_options
@click.pass_obj
def projects_create(
    settings: Settings,
    workspace: str,
    name: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Create the project NAME in a workspace.
    """
    project = _call(
        settings, lambda client: client.projects.create(workspace, name)
    )
    if as_json:
        echo_json(jsonable(project))
    else:
        say(
            f"Created project {project.name!r} (id {project.project_id}) "
            f"in workspace {workspace}."
        )
    return EXIT_OK


@projects.command("rename")
@workspace_option
@_project_id_argument
@click.argument("new_name")
@json_option
@connection_options
@click.pass_obj
def projects_rename(
    settings: Settings,
    workspace: str,
    project_id: int,
    new_name: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Rename the project PROJECT_ID to NEW_NAME.
    """
    project = _call(
        settings,
        lambda client: client.projects.update(
            workspace, project_id, name=new_name
        ),
    )
    if as_json:
        echo_json(jsonable(project))
    else:
        say(f"Renamed project {project_id} to {project.name!r}.")
    return EXIT_OK


@projects.command("delete")
@workspace_option
@_project_id_argument
@yes_option
@json_option
@connection_options
@click.pass_obj
def projects_delete(
    settings: Settings,
    workspace: str,
    project_id: int,
    assume_yes: bool,  # noqa: FBT001 -- a click flag
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Delete the project PROJECT_ID, with its assets.

    Asks first on a terminal; without one, needs --yes.  The base
    project cannot be deleted.
    """
    what = f"project {project_id} of workspace {workspace!r}"
    if not confirm_deletion(what, assume_yes=assume_yes):
        say("Nothing deleted.")
        return EXIT_FAILURES
    _call(
        settings, lambda client: client.projects.delete(workspace, project_id)
    )
    if as_json:
        echo_json(
            {
                "deleted": "project",
                "workspace_name": workspace,
                "project_id": project_id,
            }
        )
    else:
        say(f"Deleted project {project_id} of workspace {workspace}.")
    return EXIT_OK
