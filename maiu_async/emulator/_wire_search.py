"""
Response bodies of the search endpoints.

The upload answers' fields are documented; the search request answers
``{"searchId"}`` and the result page is shaped like the other pages
plus ``searchId`` and ``status`` (always ``COMPLETED``), each hit
``{assetId, projectId, indexId, assetType, fileName, score}`` ([?]).

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maiu_async import limits
from maiu_async._urls import segment

from ._wire import page


if TYPE_CHECKING:
    from ._searches import SearchRecord


__all__ = [
    "UPLOADED",
    "search_job",
    "search_results",
    "upload_status",
    "upload_url",
]

JSON = dict[str, Any]

#: The message of a failed upload confirmation.
NOT_ISSUED = "No upload URL was issued for this key."
#: The status of a confirmed upload.
UPLOADED = "COMPLETED"


def upload_url(key_field: str, key: str, base_url: str) -> JSON:
    """
    An upload URL for *key*, served by the emulator itself.
    """
    return {
        key_field: key,
        "presignedUploadUrl": f"{base_url}/_emulator/uploads/"
        + "/".join(segment(part) for part in key.split("/")),
        "expirationSeconds": limits.SEARCH_IMAGE_URL_SECONDS,
    }


def upload_status(key_field: str, key: str, *, completed: bool) -> JSON:
    """
    The result of confirming an upload.
    """
    return {
        key_field: key,
        "uploadStatus": UPLOADED if completed else "FAILED",
        "uploadMessage": None if completed else NOT_ISSUED,
    }


def search_job(record: SearchRecord) -> JSON:
    """
    The search-request result.
    """
    return {"searchId": record.search_id}


def search_results(record: SearchRecord, page_no: int, page_size: int) -> JSON:
    """
    One page of a search's hits.
    """
    start = (page_no - 1) * page_size
    items = [
        {
            "assetId": h.asset_id,
            "projectId": h.project_id,
            "indexId": h.index_id,
            "assetType": h.asset_type,
            "fileName": h.file_name,
            "score": 1.0,
        }
        for h in record.hits[start : start + page_size]
    ]
    return {
        "searchId": record.search_id,
        "status": "COMPLETED",
        **page(items, len(record.hits), page_no, page_size),
    }
