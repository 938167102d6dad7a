"""
Every limit of the Media Intelligence API that maiu_async knows of.

This is the one place to correct when the real numbers become known.
Each value is tagged like the API reference it comes from:

- **[D]** documented on an official NCP page;
- **[I]** our inference from documented facts;
- **[?]** undocumented: our choice, with the reason beside it.

Both the client (validation before sending) and the bundled emulator
(enforcement) read these values, so they cannot drift apart.
"""

from __future__ import annotations

import re


__all__ = [
    "ASSET_PAGE_SIZE_MAX",
    "BASE_PROJECT_COUNTS_TOWARD_CAP",
    "IMAGE_EXTENSIONS",
    "IMAGE_MAX_BYTES",
    "OBJECT_KEY_MAX_BYTES",
    "PROJECTS_PER_WORKSPACE",
    "PROJECT_NAME_FORBIDDEN",
    "PROJECT_NAME_MAX_LENGTH",
    "SIGNATURE_MAX_SKEW_SECONDS",
    "SUPPORTED_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "VIDEO_MAX_BYTES",
    "WORKSPACE_NAME_MAX_LENGTH",
    "WORKSPACE_NAME_MIN_LENGTH",
    "WORKSPACE_NAME_PATTERN",
]

#: [D] "You can create up to 1000 projects per workspace."
PROJECTS_PER_WORKSPACE = 1000

#: [?] Whether the base project (``isBaseProject``) counts toward
#: `PROJECTS_PER_WORKSPACE`.
#: We say it does not: the cap is stated on the *create project* page
#: ("you can create up to 1000"), and the base project is made by the
#: service with the workspace, never through that call, so the sentence
#: speaks of the projects a user creates.
#: The emulator follows the same rule.
#: If the real service counts it, flip this flag: the client then refuses
#: the 1000th creation instead of the 1001st.
BASE_PROJECT_COUNTS_TOWARD_CAP = False

#: [D] Project names: at most 100 characters.
PROJECT_NAME_MAX_LENGTH = 100

#: [D] Characters a project name may not contain.
PROJECT_NAME_FORBIDDEN = frozenset(";|`")

#: [D] Workspace names: 3 to 63 characters of ``[a-z0-9-]``.
WORKSPACE_NAME_MIN_LENGTH = 3
#: [D]
WORKSPACE_NAME_MAX_LENGTH = 63
#: [D]
WORKSPACE_NAME_PATTERN = re.compile(r"[a-z0-9-]+")

#: [D] Video formats (MP4, MKV, MOV, WebM), as lower-case extensions.
VIDEO_EXTENSIONS = frozenset({"mp4", "mkv", "mov", "webm"})
#: [D] Image formats (JPG, PNG, HEIC); ``jpeg`` is the same format [I].
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "heic"})
#: Every extension the register-asset call accepts.
SUPPORTED_EXTENSIONS = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS

#: [D] "10 GB" per video.  [?] Whether GB means 10**9 or 2**30 bytes: we
#: take the larger, so that no file the service accepts is skipped.
VIDEO_MAX_BYTES = 10 * 1024**3
#: [D] "10 MB" per image; binary megabytes for the same reason.
IMAGE_MAX_BYTES = 10 * 1024**2

#: [D] Object Storage keys are at most 1,024 bytes (UTF-8).
OBJECT_KEY_MAX_BYTES = 1024

#: [D] ``pageSize`` of paginated lists: 1 to 1000, default 1000.
ASSET_PAGE_SIZE_MAX = 1000

#: [D] The gateway rejects timestamps more than 5 minutes off its clock.
SIGNATURE_MAX_SKEW_SECONDS = 300
