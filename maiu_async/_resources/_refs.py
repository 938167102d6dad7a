"""
Checked path parts shared by the asset-level resources.

Strictly private.
"""

from __future__ import annotations

from .._validation import check_id, check_workspace_ref


__all__ = ["asset_ref"]


def asset_ref(
    workspace: str, project_id: int, asset_id: int
) -> tuple[str, int, int]:
    """
    Check the three parts of an asset's path.

    Strictly private.
    """
    return (
        check_workspace_ref(workspace),
        check_id("project_id", project_id),
        check_id("asset_id", asset_id),
    )
