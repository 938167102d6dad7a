"""
Search images and searches.

Emulator choices ([?]: the docs do not say):

- Upload URLs point at the emulator's ``/_emulator/uploads/<key>``,
  which accepts any ``PUT``; confirming a key the emulator issued
  succeeds whether or not anything was put (it cannot see the bucket),
  and for HEIC answers the key of the "converted" JPG.
  Confirming any other key answers ``FAILED``, not an error.
- A search runs at once: its hits are fixed when it is requested.
- Candidates are the workspace's assets with at least one index, in
  ascending asset id order, limited by the filter (``projectIds`` and
  ``assetIds`` both apply when both are given; unknown ids are ignored).
  Each hit names the asset's newest index.
- A text query matches assets whose key contains it, ignoring case.
  An image query matches every candidate: no pixels are compared.
- The emulator recognises no persons and no dialogue, so a ``must`` or
  ``any`` clause of ``personQuery`` or ``dialogQuery`` matches nothing,
  and a ``not`` clause excludes nothing.
- ``confidenceLevel`` is accepted and ignored; every hit scores 1.0.

Strictly private.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes

from ._errors import ServiceError


if TYPE_CHECKING:
    from ._analyses import IndexRecord
    from ._state import AssetRecord, EmulatorState, WorkspaceRecord


__all__ = [
    "FIRST_SEARCH_NUMBER",
    "Hit",
    "SearchBook",
    "SearchQuery",
    "SearchRecord",
    "UploadRecord",
]

FIRST_SEARCH_NUMBER = 1
UPLOAD_PREFIX = "query-assets"


@attrs.define
class UploadRecord:
    """
    A search image's upload URL, as issued.

    Attributes:
        key: The ``assetFileKey`` issued.
        file_name: The file name asked for.
        completed_key: The key to search with, once confirmed.

    """

    key: str
    file_name: str
    completed_key: str | None = None


@attrs.frozen(kw_only=True)
class SearchQuery:
    """
    A checked search request.

    Attributes:
        text: The text query, or ``None`` for an image query.
        image_key: The image query's key, or ``None``.
        must_match_someone: Whether a person or dialogue ``must`` or
            ``any`` clause was given (the emulator matches none).
        project_ids: Projects to search; empty means every project.
        asset_ids: Assets to search; empty means every asset.
        asset_types: ``IMAGE``/``VIDEO`` to keep; empty keeps both.
        modified_from: Only indexes changed since.
        modified_to: Only indexes changed until.

    """

    text: str | None = None
    image_key: str | None = None
    must_match_someone: bool = False
    project_ids: tuple[int, ...] = ()
    asset_ids: tuple[int, ...] = ()
    asset_types: tuple[str, ...] = ()
    modified_from: datetime | None = None
    modified_to: datetime | None = None


@attrs.frozen(kw_only=True)
class Hit:
    """
    One asset a search found.

    Attributes:
        asset_id: The asset.
        project_id: Its project.
        index_id: Its newest index.
        asset_type: The index's type.
        file_name: The asset's key.

    """

    asset_id: int
    project_id: int
    index_id: int
    asset_type: str
    file_name: str


@attrs.define
class SearchRecord:
    """
    One search and its hits.

    Attributes:
        search_id: Its id.
        hits: What it found, in ascending asset id order.

    """

    search_id: str
    hits: list[Hit]


class SearchBook:
    """
    The search rules of one `EmulatorState`.
    """

    __slots__ = ("_next", "_searches", "_state", "_uploads")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next = {"search": FIRST_SEARCH_NUMBER, "upload": 1}
        self._uploads: dict[str, UploadRecord] = {}
        self._searches: dict[tuple[str, str], SearchRecord] = {}

    def __repr__(self) -> str:
        return f"<SearchBook searches={len(self._searches)}>"

    def _number(self, kind: str) -> int:
        number = self._next[kind]
        self._next[kind] += 1
        return number

    def issue_upload(self, file_name: str) -> UploadRecord:
        """
        Issue an upload key for a search image called *file_name*.
        """
        key = f"{UPLOAD_PREFIX}/{self._number('upload')}/{file_name}"
        upload = UploadRecord(key, file_name)
        self._uploads[key] = upload
        return upload

    def complete_upload(self, key: str) -> UploadRecord | None:
        """
        Confirm an upload; ``None`` if the key was never issued.
        """
        upload = self._uploads.get(key)
        if upload is None:
            return None
        if upload.completed_key is None:
            stem, dot, ext = key.rpartition(".")
            heic = dot and ext.lower() == "heic"
            upload.completed_key = f"{stem}.jpg" if heic else key
        return upload

    def _uploaded(self, key: str) -> bool:
        return any(u.completed_key == key for u in self._uploads.values())

    def search(self, workspace: str, query: SearchQuery) -> SearchRecord:
        """
        Run a search now and keep its hits.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10506 for an
                image key that was not uploaded and confirmed.

        """
        ws = self._state.workspace(workspace)
        if query.image_key is not None and not self._uploaded(query.image_key):
            raise ServiceError(codes.SEARCH_IMAGE_NOT_UPLOADED, "imageQuery")
        hits = [] if query.must_match_someone else self._hits(ws, query)
        search_id = f"search-{self._number('search')}"
        record = SearchRecord(search_id, hits)
        self._searches[workspace, search_id] = record
        return record

    def _hits(self, ws: WorkspaceRecord, query: SearchQuery) -> list[Hit]:
        hits = []
        for project in ws.projects.values():
            if (
                query.project_ids
                and project.project_id not in query.project_ids
            ):
                continue
            for asset in project.assets.values():
                index = self._match(asset, query)
                if index is not None:
                    hits.append(
                        Hit(
                            asset_id=asset.asset_id,
                            project_id=project.project_id,
                            index_id=index.index_id,
                            asset_type=index.type,
                            file_name=asset.key,
                        )
                    )
        return sorted(hits, key=lambda h: h.asset_id)

    def _match(
        self, asset: AssetRecord, query: SearchQuery
    ) -> IndexRecord | None:
        # The asset's newest index if the asset matches, else None.
        if (query.asset_ids and asset.asset_id not in query.asset_ids) or (
            query.text is not None
            and query.text.lower() not in asset.key.lower()
        ):
            return None
        self._state.analyses.settle(asset)
        if not asset.indexes:
            return None
        index = asset.indexes[max(asset.indexes)]
        changed = datetime.fromisoformat(index.updated_time)
        if (
            (query.asset_types and index.type not in query.asset_types)
            or (
                query.modified_from is not None
                and changed < query.modified_from
            )
            or (query.modified_to is not None and changed > query.modified_to)
        ):
            return None
        return index

    def result(self, workspace: str, search_id: str) -> SearchRecord:
        """
        Return a search of a workspace.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10105 for an
                unknown search.

        """
        self._state.workspace(workspace)
        try:
            return self._searches[workspace, search_id]
        except KeyError:
            raise ServiceError(codes.SEARCH_NOT_FOUND, search_id) from None
