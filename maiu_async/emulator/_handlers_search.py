"""
Handlers of the search endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks, _wire
from . import _wire_search as wire
from ._errors import ServiceError
from ._searches import SearchQuery


if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._call import JSON, Call


__all__ = ["HANDLERS"]


def search_image_upload_url(call: Call) -> JSON:
    """
    POST /query-assets/uploads/presigned-url.
    """
    body = _checks.json_object(call.body)
    _checks.choice(body.get("assetType"), "assetType", ("IMAGE",))
    name = _checks.required_text(body, "assetFileName")
    upload = call.state.searches.issue_upload(name)
    return _wire.success(
        wire.upload_url("assetFileKey", upload.key, call.base_url)
    )


def complete_search_image_upload(call: Call) -> JSON:
    """
    POST /query-assets/uploads/complete.
    """
    key = _checks.required_text(_checks.json_object(call.body), "assetKey")
    upload = call.state.searches.complete_upload(key)
    if upload is None or upload.completed_key is None:
        return _wire.success(
            wire.upload_status("assetKey", key, completed=False)
        )
    return _wire.success(
        wire.upload_status("assetKey", upload.completed_key, completed=True)
    )


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
    """
    POST /workspaces/{ws}/assets/search.
    """
    call.state.workspace(call.workspace)
    query = _query(_checks.json_object(call.body))
    record = call.state.searches.search(call.workspace, query)
    return _wire.success(wire.search_job(record))


def get_search_result(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/assets/search/{search}?pageNum=&pageSize=.
    """
    record = call.state.searches.result(call.workspace, call.search_id)
    page_no, page_size = _checks.page(
        call.query,
        max_size=limits.SEARCH_PAGE_SIZE_MAX,
        default_size=limits.SEARCH_PAGE_SIZE_DEFAULT,
        page_required=False,
    )
    return _wire.success(wire.search_results(record, page_no, page_size))


HANDLERS = (
    search_image_upload_url,
    complete_search_image_upload,
    request_search,
    get_search_result,
)
