"""
Request targets: encoded once, then signed and sent byte for byte.

Every path segment is percent-encoded with nothing left "safe", so a
``/``, ``?``, ``%`` or space in a name can never change which path is
requested; the result is what the signer signs and what goes on the wire.

Strictly private.
"""

from __future__ import annotations

import functools

from typing import TYPE_CHECKING
from urllib.parse import quote


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["ApiPaths", "encode_query", "segment"]


@functools.lru_cache(maxsize=1024)
def segment(value: str | int) -> str:
    """
    Percent-encode one path segment (UTF-8, every reserved character).

    Strictly private.
    """
    return quote(str(value), safe="")


def encode_query(params: Mapping[str, str | int]) -> str:
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

    ROOT = "/api/v1"
    PREFIX = f"{ROOT}/workspaces"

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

    def import_status(
        self, workspace: str, project_id: int, asset_id: int
    ) -> str:
        """An asset's registration (import) status."""
        return f"{self.asset(workspace, project_id, asset_id)}/import-status"

    # -- analysis and indexes (``video-assets`` when legacy) --------------

    def analyze(self, workspace: str, project_id: int, asset_id: int) -> str:
        """Request or cancel an asset's analysis."""
        return f"{self.asset(workspace, project_id, asset_id)}/analyze"

    def analyze_status(
        self, workspace: str, project_id: int, asset_id: int
    ) -> str:
        """An asset's analysis status."""
        return f"{self.asset(workspace, project_id, asset_id)}/analyze-status"

    def indexes(self, workspace: str, project_id: int, asset_id: int) -> str:
        """An asset's indexes."""
        return f"{self.asset(workspace, project_id, asset_id)}/indexes"

    def index(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> str:
        """One index."""
        return (
            f"{self.indexes(workspace, project_id, asset_id)}/"
            f"{segment(index_id)}"
        )

    # -- scene summaries: new API only, so always ``assets`` [I] ----------

    def scene_summaries(
        self, workspace: str, project_id: int, asset_id: int, index_id: int
    ) -> str:
        """Request or read an index's scene summaries."""
        project = self.project(workspace, project_id)
        return (
            f"{project}/assets/{segment(asset_id)}"
            f"/indexes/{segment(index_id)}/scene-summaries"
        )

    def scene_summary(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> str:
        """One scene-summary run."""
        base = self.scene_summaries(workspace, project_id, asset_id, index_id)
        return f"{base}/{segment(scene_summary_id)}"

    def scene_summary_status(
        self,
        workspace: str,
        project_id: int,
        asset_id: int,
        index_id: int,
        scene_summary_id: int,
    ) -> str:
        """Where one scene-summary run stands."""
        run = self.scene_summary(
            workspace, project_id, asset_id, index_id, scene_summary_id
        )
        return f"{run}/status"

    # -- search ------------------------------------------------------------

    def search_image_upload_url(self) -> str:
        """Issue an upload URL for a search image."""
        return f"{self.ROOT}/query-assets/uploads/presigned-url"

    def search_image_upload_complete(self) -> str:
        """Confirm a search image's upload."""
        return f"{self.ROOT}/query-assets/uploads/complete"

    def search(self, workspace: str) -> str:
        """Request a search of a workspace's assets."""
        return f"{self.workspace(workspace)}/assets/search"

    def search_result(self, workspace: str, search_id: str) -> str:
        """One search's results."""
        return f"{self.search(workspace)}/{segment(search_id)}"

    # -- persons and person tags -------------------------------------------

    def persons(self, workspace: str) -> str:
        """A workspace's persons."""
        return f"{self.workspace(workspace)}/persons"

    def person(self, workspace: str, person_id: int) -> str:
        """One person."""
        return f"{self.persons(workspace)}/{segment(person_id)}"

    def tags_of_person(self, workspace: str, person_id: int) -> str:
        """Add or remove a person's tags."""
        return f"{self.person(workspace, person_id)}/person-tags"

    def thumbnails_of_person(self, workspace: str, person_id: int) -> str:
        """Add or remove a person's thumbnails."""
        return f"{self.person(workspace, person_id)}/person-thumbnail"

    def thumbnail_upload_url(self, workspace: str) -> str:
        """Issue an upload URL for a person thumbnail."""
        return (
            f"{self.workspace(workspace)}"
            "/person-thumbnail/uploads/presigned-url"
        )

    def thumbnail_upload_complete(self, workspace: str) -> str:
        """Confirm a person thumbnail's upload."""
        return f"{self.workspace(workspace)}/person-thumbnail/uploads/complete"

    def person_tags(self, workspace: str) -> str:
        """A workspace's person tags."""
        return f"{self.workspace(workspace)}/person-tags"

    def person_tag(self, workspace: str, tag_id: int) -> str:
        """One person tag."""
        return f"{self.person_tags(workspace)}/{segment(tag_id)}"
