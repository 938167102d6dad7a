"""
``maiu-async workspaces ...`` and ``maiu-async projects ...``.

Each command is one call of the client, printed as a sentence, a table
or (``--json``) JSON.

Strictly private.
"""

from __future__ import annotations

from typing import Any

import click

from ._errors import EXIT_OK
from ._options import (
    Settings,
    connection_options,
    echo_json,
    json_option,
    jsonable,
    make_client,
    run_async,
    workspace_option,
)
from ._render import make_console, print_projects


__all__ = ["projects", "workspaces"]


@click.group()
def workspaces() -> None:
    """
    Manage workspaces.
    """


@workspaces.command("create")
@click.argument("name")
@click.option("--bucket", metavar="BUCKET", help="Bucket to integrate.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
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

    async def create() -> Any:  # noqa: ANN401 -- a Workspace
        async with make_client(settings) as client:
            return await client.workspaces.create(name, bucket_name=bucket)

    ws = run_async(create)
    if as_json:
        echo_json(jsonable(ws))
    else:
        where = f" (bucket {ws.bucket_name})" if ws.bucket_name else ""
        click.echo(f"Created workspace {ws.workspace_name}{where}.")
    return EXIT_OK


@click.group()
def projects() -> None:
    """
    Manage the projects of a workspace.
    """


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

    async def fetch() -> Any:  # noqa: ANN401 -- a ProjectList
        async with make_client(settings) as client:
            return await client.projects.list(workspace)

    listed = run_async(fetch)
    if as_json:
        echo_json([jsonable(p) for p in listed.projects])
    else:
        print_projects(make_console(), listed.projects)
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

    async def create() -> Any:  # noqa: ANN401 -- a Project
        async with make_client(settings) as client:
            return await client.projects.create(workspace, name)

    project = run_async(create)
    if as_json:
        echo_json(jsonable(project))
    else:
        click.echo(
            f"Created project {project.name!r} (id {project.project_id}) "
            f"in workspace {workspace}."
        )
    return EXIT_OK


@projects.command("rename")
@workspace_option
@click.argument("project_id", type=click.IntRange(min=1))
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

    async def rename() -> Any:  # noqa: ANN401 -- a Project
        async with make_client(settings) as client:
            return await client.projects.update(
                workspace, project_id, name=new_name
            )

    project = run_async(rename)
    if as_json:
        echo_json(jsonable(project))
    else:
        click.echo(f"Renamed project {project_id} to {project.name!r}.")
    return EXIT_OK
