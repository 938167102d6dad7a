"""
Request targets: encoded once, then signed and sent byte for byte.

Every path segment is percent-encoded with nothing left "safe", so a
``/``, ``?``, ``%`` or space in a name can never change which path is
requested; the result is what the signer signs and what goes on the wire.

Strictly private.
"""

from __future__ import annotations

import functools

from urllib.parse import quote


__all__ = ["ApiPaths", "encode_query", "segment"]


@functools.lru_cache(maxsize=1024)
def segment(value: str | int) -> str:
    """
    Percent-encode one path segment (UTF-8, every reserved character).

    Strictly private.
    """
    return quote(str(value), safe="")


def encode_query(params: dict[str, str | int]) -> str:
    """
    Encode query parameters in the given order, without a leading ``?``.

    Strictly private.
    """
    return "&".join(
        f"{quote(str(k), safe='')}={quote(str(v), safe='')}"
        for k, v in params.items()
    )


class ApiPaths:
    """
    Builds the API's paths; the legacy flavour uses ``video-assets``.

    Strictly private.
    """

    __slots__ = ("assets",)

    PREFIX = "/api/v1/workspaces"

    def __init__(self, *, legacy: bool = False) -> None:
        self.assets = "video-assets" if legacy else "assets"

    def workspaces(self) -> str:
        """Workspaces collection."""
        return self.PREFIX

    def workspace(self, workspace: str) -> str:
        """One workspace."""
        return f"{self.PREFIX}/{segment(workspace)}"

    def projects(self, workspace: str) -> str:
        """A workspace's projects."""
        return f"{self.workspace(workspace)}/projects"

    def project(self, workspace: str, project_id: int) -> str:
        """One project."""
        return f"{self.projects(workspace)}/{segment(project_id)}"

    def asset_list(self, workspace: str, project_id: int) -> str:
        """A project's assets."""
        return f"{self.project(workspace, project_id)}/{self.assets}"

    def asset_import(self, workspace: str, project_id: int) -> str:
        """Register an asset from Object Storage."""
        return (
            f"{self.asset_list(workspace, project_id)}/import/object-storage"
        )

    def asset(self, workspace: str, project_id: int, asset_id: int) -> str:
        """One asset."""
        return f"{self.asset_list(workspace, project_id)}/{segment(asset_id)}"
