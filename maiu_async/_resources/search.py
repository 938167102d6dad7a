"""
Search endpoints: search images, search requests and their results.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import (
    check_choice,
    check_exactly_one,
    check_file_name,
    check_ids,
    check_page,
    check_phrases,
    check_search_id,
    check_text,
    check_time_range,
    check_workspace_ref,
)
from ..exceptions import ValidationError
from ..models import (
    DialogQuery,
    PersonQuery,
    SearchImageUpload,
    SearchJob,
    SearchResults,
    UploadStatus,
)
from ._base import Resource


if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from ..models import AssetType, ConfidenceLevel


__all__ = ["SearchResource"]

_CLAUSES = (("must", "must"), ("any_of", "any"), ("must_not", "not"))


class SearchResource(Resource):
    """
    Search a workspace's analysed assets (``client.search``).

    A search is asynchronous: `request` it, then read its `results`.
    To search by image, get an upload URL, ``PUT`` the image there,
    confirm it with `complete_image_upload`, and pass the returned key.
    """

    __slots__ = ()

    async def image_upload_url(
        self, file_name: str, *, retry: RetryArg = USE_CLIENT_DEFAULT
    ) -> SearchImageUpload:
        """
        Issue a single-use URL to upload one search image to.

        Args:
            file_name: The image's file name, e.g. ``search_image.jpg``:
                JPG, PNG, WebP or HEIC (at most 5 MB, at least 224 px).
            retry: Retry policy for this call.

        Raises:
            ValidationError: The name has no supported extension.

        """
        path = self._paths.search_image_upload_url()
        payload = {
            "assetType": "IMAGE",
            "assetFileName": check_file_name(
                "file_name", file_name, limits.SEARCH_IMAGE_EXTENSIONS
            ),
        }
        return await self._request(
            "POST", path, SearchImageUpload, payload=payload, retry=retry
        )

    async def complete_image_upload(
        self, asset_key: str, *, retry: RetryArg = USE_CLIENT_DEFAULT
    ) -> UploadStatus:
        """
        Confirm that a search image was uploaded.

        Args:
            asset_key: The `SearchImageUpload.asset_file_key`.
            retry: Retry policy for this call.

        Returns:
            The upload's status; search with its `UploadStatus.key` (for
            HEIC, the converted JPG's key).

        """
        path = self._paths.search_image_upload_complete()
        key = check_text(
            "asset_key",
            asset_key,
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
        return await self._request(
            "POST", path, UploadStatus, payload={"assetKey": key}, retry=retry
        )

    async def request(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        *,
        text: str | None = None,
        image_key: str | None = None,
        persons: PersonQuery | None = None,
        dialog: DialogQuery | None = None,
        confidence_level: ConfidenceLevel | None = None,
        project_ids: Sequence[int] | None = None,
        asset_ids: Sequence[int] | None = None,
        asset_types: Sequence[AssetType] | None = None,
        index_modified_from: datetime | None = None,
        index_modified_to: datetime | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> SearchJob:
        """
        Start a search of a workspace's analysed assets.

        Args:
            workspace: The workspace's name.
            text: What to look for, in words (no ``;``, ``|``, backtick).
            image_key: Or an image to look for: the key from
                `complete_image_upload`.  Give exactly one of the two.
            persons: Persons the results must, may or must not show.
            dialog: Phrases the videos must, may or must not contain.
            confidence_level: ``LOW``, ``MEDIUM`` (the API's default) or
                ``HIGH``.
            project_ids: Projects to search.
            asset_ids: Assets to search.  Give at least one of the two.
            asset_types: ``IMAGE`` and/or ``VIDEO``; all if left out.
            index_modified_from: Only indexes changed since (ISO 8601,
                sent as given: the API's times carry no zone).
            index_modified_to: Only indexes changed until.
            retry: Retry policy for this call.

        Returns:
            The accepted search, with the id to fetch its results by.

        Raises:
            ValidationError: The query breaks a documented rule.
            BadRequest: The image was not uploaded.
            NotFound: No such workspace.

        """
        path = self._paths.search(check_workspace_ref(workspace))
        payload: dict[str, Any] = {
            "query": _query(text, image_key, persons, dialog),
            "filter": _filter(
                project_ids,
                asset_ids,
                asset_types,
                index_modified_from,
                index_modified_to,
            ),
        }
        if confidence_level is not None:
            payload["queryOption"] = {
                "confidenceLevel": check_choice(
                    "confidence_level",
                    confidence_level,
                    limits.CONFIDENCE_LEVELS,
                )
            }
        return await self._request(
            "POST", path, SearchJob, payload=payload, retry=retry
        )

    async def results(
        self,
        workspace: str,
        search_id: str,
        *,
        page_num: int = 1,
        page_size: int = limits.SEARCH_PAGE_SIZE_DEFAULT,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> SearchResults:
        """
        Return one page of a search's results.

        Args:
            workspace: The workspace's name.
            search_id: The `SearchJob.search_id`.
            page_num: The page, from 1.
            page_size: Hits per page, 1 to 100.
            retry: Retry policy for this call.

        Raises:
            ValidationError: Paging out of range.
            NotFound: No such workspace or search.

        """
        num, size = check_page(
            page_num, page_size, max_size=limits.SEARCH_PAGE_SIZE_MAX
        )
        path = self._paths.search_result(
            check_workspace_ref(workspace), check_search_id(search_id)
        )
        return await self._request(
            "GET",
            path,
            SearchResults,
            query={"pageNum": num, "pageSize": size},
            retry=retry,
        )


def _query(
    text: str | None,
    image_key: str | None,
    persons: PersonQuery | None,
    dialog: DialogQuery | None,
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if check_exactly_one(text=text, image_key=image_key) == "text":
        query["textQuery"] = check_text(
            "text",
            text,
            max_len=limits.QUERY_TEXT_MAX_LENGTH,
            forbidden=limits.TEXT_FORBIDDEN,
            not_blank=True,
        )
    else:
        query["imageQuery"] = check_text(
            "image_key",
            image_key,
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
    if persons is not None:
        if not isinstance(persons, PersonQuery):
            raise ValidationError(
                field="persons", value=persons, reason="expected PersonQuery"
            )
        clauses = {
            wire: list(check_ids(f"persons.{name}", getattr(persons, name)))
            for name, wire in _CLAUSES
        }
        query["personQuery"] = {k: v for k, v in clauses.items() if v}
    if dialog is not None:
        if not isinstance(dialog, DialogQuery):
            raise ValidationError(
                field="dialog", value=dialog, reason="expected DialogQuery"
            )
        phrases = {
            wire: list(check_phrases(f"dialog.{name}", getattr(dialog, name)))
            for name, wire in _CLAUSES
        }
        query["dialogQuery"] = {k: v for k, v in phrases.items() if v}
    return query


def _filter(
    project_ids: Sequence[int] | None,
    asset_ids: Sequence[int] | None,
    asset_types: Sequence[AssetType] | None,
    modified_from: datetime | None,
    modified_to: datetime | None,
) -> dict[str, Any]:
    # [?] Both id lists may be given; the docs say one of them is required.
    if not project_ids and not asset_ids:
        raise ValidationError(
            field="project_ids or asset_ids",
            value=(project_ids, asset_ids),
            reason="give the projects or the assets to search",
        )
    found: dict[str, Any] = {}
    if project_ids:
        found["projectIds"] = list(check_ids("project_ids", project_ids))
    if asset_ids:
        found["assetIds"] = list(check_ids("asset_ids", asset_ids))
    if asset_types is not None:
        if isinstance(asset_types, str) or not asset_types:
            raise ValidationError(
                field="asset_types",
                value=asset_types,
                reason="expected a non-empty sequence of IMAGE, VIDEO",
            )
        found["assetTypes"] = [
            check_choice("asset_types", t, limits.ASSET_TYPES)
            for t in asset_types
        ]
    start, end = check_time_range(modified_from, modified_to)
    if start is not None:
        found["indexModifiedFrom"] = start.isoformat()
    if end is not None:
        found["indexModifiedTo"] = end.isoformat()
    return found
