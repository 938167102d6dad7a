"""
Upload URLs for search images and person thumbnails, and their target.

Emulator choices ([?]: the docs do not say):

- Upload URLs point at the emulator's own ``/_emulator/uploads/<key>``
  (`accept_upload`), which accepts any ``PUT`` and keeps nothing.
- Confirming a key the emulator issued succeeds whether or not anything
  was put (it cannot see the bucket); for a HEIC search image it
  answers the key of the "converted" JPG.  Confirming any other key
  answers ``FAILED``, not an error.
- A thumbnail key confirms only in the workspace it was issued for.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from aiohttp import web

from maiu_async import limits
from maiu_async._urls import segment

from . import _checks
from ._http import JSON, Call, Route, success


if TYPE_CHECKING:
    from ._state import EmulatorState


__all__ = [
    "ROUTES",
    "UPLOADS_PATH",
    "UploadBook",
    "UploadRecord",
    "accept_upload",
]

#: Where issued upload URLs point, below the emulator's base URL.
UPLOADS_PATH = "/_emulator/uploads"

SEARCH_IMAGE_PREFIX = "query-assets"
THUMBNAIL_PREFIX = "person-thumbnails"

#: The message of a failed upload confirmation.
NOT_ISSUED = "No upload URL was issued for this key."


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


class UploadBook:
    """
    The upload keys one `EmulatorState` issued.
    """

    __slots__ = ("_images", "_next", "_state", "_thumbnails")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next = {SEARCH_IMAGE_PREFIX: 1, THUMBNAIL_PREFIX: 1}
        self._images: dict[str, UploadRecord] = {}
        # Issued thumbnail keys, with their workspace.
        self._thumbnails: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"<UploadBook issued={len(self._images) + len(self._thumbnails)}>"
        )

    def _key(self, prefix: str, file_name: str) -> str:
        number = self._next[prefix]
        self._next[prefix] += 1
        return f"{prefix}/{number}/{file_name}"

    def issue_image(self, file_name: str) -> UploadRecord:
        """
        Issue an upload key for a search image called *file_name*.
        """
        upload = UploadRecord(
            self._key(SEARCH_IMAGE_PREFIX, file_name), file_name
        )
        self._images[upload.key] = upload
        return upload

    def complete_image(self, key: str) -> UploadRecord | None:
        """
        Confirm a search image; ``None`` if the key was never issued.
        """
        upload = self._images.get(key)
        if upload is None:
            return None
        if upload.completed_key is None:
            stem, dot, ext = key.rpartition(".")
            heic = dot and ext.lower() == "heic"
            upload.completed_key = f"{stem}.jpg" if heic else key
        return upload

    def image_ready(self, key: str) -> bool:
        """
        Tell whether *key* is a confirmed search image's key.
        """
        return any(u.completed_key == key for u in self._images.values())

    def issue_thumbnail(self, workspace: str, file_name: str) -> str:
        """
        Issue an upload key for a thumbnail called *file_name*.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        self._state.workspace(workspace)
        key = self._key(THUMBNAIL_PREFIX, file_name)
        self._thumbnails[key] = workspace
        return key

    def complete_thumbnail(self, workspace: str, key: str) -> bool:
        """
        Confirm a thumbnail upload issued for this workspace.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        self._state.workspace(workspace)
        return self._thumbnails.get(key) == workspace


# --- bodies and handlers: see ROUTES for their paths -----------------------


def _url(call: Call, key_field: str, key: str) -> JSON:
    path = "/".join(segment(part) for part in key.split("/"))
    return success(
        {
            key_field: key,
            "presignedUploadUrl": f"{call.base_url}{UPLOADS_PATH}/{path}",
            "expirationSeconds": limits.SEARCH_IMAGE_URL_SECONDS,
        }
    )


def _confirmed(key_field: str, key: str, *, completed: bool) -> JSON:
    return success(
        {
            key_field: key,
            "uploadStatus": "COMPLETED" if completed else "FAILED",
            "uploadMessage": None if completed else NOT_ISSUED,
        }
    )


def search_image_upload_url(call: Call) -> JSON:
    body = call.json()
    _checks.choice(body.get("assetType"), "assetType", ("IMAGE",))
    name = _checks.required_text(body, "assetFileName")
    upload = call.state.uploads.issue_image(name)
    return _url(call, "assetFileKey", upload.key)


def complete_search_image_upload(call: Call) -> JSON:
    key = _checks.required_text(call.json(), "assetKey")
    upload = call.state.uploads.complete_image(key)
    if upload is None or upload.completed_key is None:
        return _confirmed("assetKey", key, completed=False)
    return _confirmed("assetKey", upload.completed_key, completed=True)


def person_thumbnail_upload_url(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    name = _checks.required_text(call.json(), "thumbnailFileName")
    key = call.state.uploads.issue_thumbnail(call.workspace, name)
    return _url(call, "thumbnailKey", key)


def complete_person_thumbnail_upload(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    key = _checks.required_text(call.json(), "thumbnailKey")
    done = call.state.uploads.complete_thumbnail(call.workspace, key)
    return _confirmed("thumbnailKey", key, completed=done)


async def accept_upload(request: web.Request) -> web.Response:
    """
    ``PUT /_emulator/uploads/{key}``: take any body and keep nothing.

    Confirming an upload never looks at what was put.
    """
    await request.read()
    return web.Response(status=200)


_IMAGES = "query-assets/uploads"
_THUMBNAILS = "workspaces/{ws}/person-thumbnail/uploads"

ROUTES = (
    Route("POST", f"{_IMAGES}/presigned-url", search_image_upload_url),
    Route("POST", f"{_IMAGES}/complete", complete_search_image_upload),
    Route("POST", f"{_THUMBNAILS}/presigned-url", person_thumbnail_upload_url),
    Route("POST", f"{_THUMBNAILS}/complete", complete_person_thumbnail_upload),
)
