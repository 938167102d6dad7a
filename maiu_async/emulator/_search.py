"""
Searches: records, rules, endpoints and bodies.

Emulator choices ([?]: the docs do not say):

- The search request answers ``{"searchId"}``; the result page is
  shaped like the other pages plus ``searchId`` and ``status`` (always
  ``COMPLETED``), each hit ``{assetId, projectId, indexId, assetType,
  fileName, score}``.
- An image query needs a search image uploaded and confirmed
  (``_uploads``).
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
from maiu_async import limits

from . import _checks
from ._checks import ServiceError
from ._http import JSON, Call, Route, paged, success


if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._assets import AssetRecord
    from ._indexes import IndexRecord
    from ._state import EmulatorState
    from ._workspaces import WorkspaceRecord


__all__ = [
    "FIRST_SEARCH_NUMBER",
    "ROUTES",
    "Hit",
    "SearchBook",
    "SearchQuery",
    "SearchRecord",
]

FIRST_SEARCH_NUMBER = 1


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

    __slots__ = ("_next", "_searches", "_state")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next = FIRST_SEARCH_NUMBER
        self._searches: dict[tuple[str, str], SearchRecord] = {}

    def __repr__(self) -> str:
        return f"<SearchBook searches={len(self._searches)}>"

    def search(self, workspace: str, query: SearchQuery) -> SearchRecord:
        """
        Run a search now and keep its hits.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10506 for an
                image key that was not uploaded and confirmed.

        """
        ws = self._state.workspace(workspace)
        if query.image_key is not None and not self._state.uploads.image_ready(
            query.image_key
        ):
            raise ServiceError(codes.SEARCH_IMAGE_NOT_UPLOADED, "imageQuery")
        hits = [] if query.must_match_someone else self._hits(ws, query)
        search_id = f"search-{self._next}"
        self._next += 1
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


# --- handlers: see ROUTES for their paths ----------------------------------


def _clauses(
    body: Mapping[str, object], field: str, *, phrases: bool
) -> dict[str, tuple[object, ...]]:
    clauses = _checks.optional_object(body, field)
    found: dict[str, tuple[object, ...]] = {}
    for name in ("must", "any", "not"):
        value = clauses.get(name)
        if value is None:
            continue
        what = f"{field}.{name}"
        if not phrases:
            found[name] = _checks.id_list(value, what)
        elif not isinstance(value, list):
            raise ServiceError(
                codes.INVALID_REQUEST, f"{what} must be an array"
            )
        else:
            found[name] = tuple(
                _checks.text(
                    v,
                    what,
                    max_len=limits.QUERY_TEXT_MAX_LENGTH,
                    forbidden=limits.TEXT_FORBIDDEN,
                    not_blank=True,
                )
                for v in value
            )
    return found


def _query(body: Mapping[str, object]) -> SearchQuery:
    query = _checks.optional_object(body, "query")
    text, image = query.get("textQuery"), query.get("imageQuery")
    if (text is None) == (image is None):
        raise ServiceError(
            codes.INVALID_REQUEST,
            "give exactly one of textQuery and imageQuery",
        )
    persons = _clauses(query, "personQuery", phrases=False)
    dialog = _clauses(query, "dialogQuery", phrases=True)
    option = _checks.optional_object(body, "queryOption")
    if option.get("confidenceLevel") is not None:
        _checks.choice(
            option["confidenceLevel"],
            "confidenceLevel",
            limits.CONFIDENCE_LEVELS,
        )
    return _filtered(
        body,
        text=None
        if text is None
        else _checks.text(
            text,
            "textQuery",
            max_len=limits.QUERY_TEXT_MAX_LENGTH,
            forbidden=limits.TEXT_FORBIDDEN,
            not_blank=True,
        ),
        image_key=None
        if image is None
        else _checks.text(
            image, "imageQuery", max_len=limits.OBJECT_KEY_MAX_BYTES
        ),
        must_match_someone=any(
            clauses.get(k)
            for clauses in (persons, dialog)
            for k in ("must", "any")
        ),
    )


def _filtered(
    body: Mapping[str, object],
    *,
    text: str | None,
    image_key: str | None,
    must_match_someone: bool,
) -> SearchQuery:
    where = _checks.optional_object(body, "filter")
    project_ids = _checks.id_list(where.get("projectIds", []), "projectIds")
    asset_ids = _checks.id_list(where.get("assetIds", []), "assetIds")
    if not project_ids and not asset_ids:
        raise ServiceError(
            codes.INVALID_REQUEST, "filter needs projectIds or assetIds"
        )
    types = where.get("assetTypes", [])
    if not isinstance(types, list):
        raise ServiceError(
            codes.INVALID_REQUEST, "assetTypes must be an array"
        )
    start, end = where.get("indexModifiedFrom"), where.get("indexModifiedTo")
    return SearchQuery(
        text=text,
        image_key=image_key,
        must_match_someone=must_match_someone,
        project_ids=project_ids,
        asset_ids=asset_ids,
        asset_types=tuple(
            _checks.choice(t, "assetTypes", limits.ASSET_TYPES) for t in types
        ),
        modified_from=None
        if start is None
        else _checks.time(start, "indexModifiedFrom"),
        modified_to=None
        if end is None
        else _checks.time(end, "indexModifiedTo"),
    )


def request_search(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    query = _query(call.json())
    record = call.state.searches.search(call.workspace, query)
    return success({"searchId": record.search_id})


def _hit(h: Hit) -> JSON:
    return {
        "assetId": h.asset_id,
        "projectId": h.project_id,
        "indexId": h.index_id,
        "assetType": h.asset_type,
        "fileName": h.file_name,
        "score": 1.0,
    }


def get_search_result(call: Call) -> JSON:
    record = call.state.searches.result(call.workspace, call.search_id)
    page_no, page_size = _checks.page(
        call.query,
        max_size=limits.SEARCH_PAGE_SIZE_MAX,
        default_size=limits.SEARCH_PAGE_SIZE_DEFAULT,
        page_required=False,
    )
    return success(
        {
            "searchId": record.search_id,
            "status": "COMPLETED",
            **paged(record.hits, page_no, page_size, _hit),
        }
    )


_SEARCH = "workspaces/{ws}/assets/search"

ROUTES = (
    Route("POST", _SEARCH, request_search),
    Route("GET", f"{_SEARCH}/{{search}}", get_search_result),
)
