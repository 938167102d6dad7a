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
    "ANALYSIS_PERSON_COUNT_MAX",
    "ANALYSIS_PERSON_COUNT_MIN",
    "ANALYSIS_TAG_IDS_MAX",
    "ANALYSIS_TAG_IDS_MIN",
    "ANSWERS_BUFFERED_MAX_BYTES",
    "ASSET_PAGE_SIZE_MAX",
    "ASSET_TYPES",
    "BASE_PROJECT_COUNTS_TOWARD_CAP",
    "CONFIDENCE_LEVELS",
    "IMAGE_EXTENSIONS",
    "IMAGE_MAX_BYTES",
    "OBJECT_KEY_MAX_BYTES",
    "OBJECT_STORAGE_ENDPOINT",
    "OBJECT_STORAGE_LIST_MAX_KEYS",
    "OBJECT_STORAGE_REGION",
    "PERSON_DESCRIPTION_MAX_LENGTH",
    "PERSON_FILTER_NAME_MIN_LENGTH",
    "PERSON_NAME_MAX_LENGTH",
    "PERSON_PAGE_SIZE_MAX",
    "PERSON_TAG_NAME_MAX_LENGTH",
    "PERSON_TAG_PAGE_SIZE_DEFAULT",
    "PERSON_TAG_PAGE_SIZE_MAX",
    "PERSON_THUMBNAILS_MAX",
    "PROJECTS_PER_WORKSPACE",
    "PROJECT_NAME_FORBIDDEN",
    "PROJECT_NAME_MAX_LENGTH",
    "QUERY_TEXT_MAX_LENGTH",
    "READ_ANSWER_MAX_BYTES",
    "SCENE_RANGES",
    "SEARCH_IMAGE_EXTENSIONS",
    "SEARCH_IMAGE_MAX_BYTES",
    "SEARCH_IMAGE_MIN_PIXELS",
    "SEARCH_IMAGE_URL_SECONDS",
    "SEARCH_PAGE_SIZE_DEFAULT",
    "SEARCH_PAGE_SIZE_MAX",
    "SEARCH_PRESIGNED_URLS_PER_SECOND",
    "SEARCH_REQUESTS_PER_MINUTE",
    "SEARCH_UPLOAD_COMPLETES_PER_MINUTE",
    "SIGNATURE_MAX_SKEW_SECONDS",
    "SOURCE_LANGUAGES",
    "SUPPORTED_EXTENSIONS",
    "TEXT_FORBIDDEN",
    "VIDEO_EXTENSIONS",
    "VIDEO_MAX_BYTES",
    "WORKSPACE_NAME_MAX_LENGTH",
    "WORKSPACE_NAME_MIN_LENGTH",
    "WORKSPACE_NAME_PATTERN",
    "WRITE_ANSWER_MAX_BYTES",
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

# --- answer sizes (what the client reads) ---------------------------------

#: [?] Largest answer the client reads to a write (POST, PUT, PATCH,
#: DELETE).  Each is one record: a registration's answer is a few hundred
#: bytes [I]; the largest, a person with 100 thumbnails whose keys are
#: long, about 130 KB [I].  Twice that, so that at 128 requests in flight
#: a hostile server's endless answers hold at most 32 MiB.
WRITE_ANSWER_MAX_BYTES = 256 * 1024
#: [?] Largest answer the client reads to a GET: list pages of up to 1,000
#: records (`ASSET_PAGE_SIZE_MAX`, `PERSON_PAGE_SIZE_MAX`) and index
#: details, a few MB at most [I].
READ_ANSWER_MAX_BYTES = 16 * 1024 * 1024
#: [?] Answer bytes one client holds at once, all requests together: four
#: GET answers of unknown length, or 256 write answers; more wait.
ANSWERS_BUFFERED_MAX_BYTES = 64 * 1024 * 1024

# --- analysis, indexes ----------------------------------------------------

#: [D] ``analysisPersonCount``: 0 to 10, required; 0 skips person analysis.
ANALYSIS_PERSON_COUNT_MIN = 0
#: [D]
ANALYSIS_PERSON_COUNT_MAX = 10

#: [D] ``tagIdList`` of an analysis request: 1 to 30 person tag ids.
ANALYSIS_TAG_IDS_MIN = 1
#: [D]
ANALYSIS_TAG_IDS_MAX = 30

#: [D] ``sceneRange`` values (video only); the API defaults to ``MEDIUM``.
SCENE_RANGES = ("EXTRA_SHORT", "SHORT", "MEDIUM", "LONG")

#: [D] ``sourceLanguage`` values; the API defaults to ``ENKO``.
SOURCE_LANGUAGES = ("ENKO", "EN", "KO", "JA", "ZH-CN", "ZH-TW")

#: [D] ``confidence_level`` of index details and ``confidenceLevel`` of
#: searches; the API defaults to ``MEDIUM``.
CONFIDENCE_LEVELS = ("LOW", "MEDIUM", "HIGH")

#: [D] Index types, and the ``assetTypes`` a search may be limited to.
ASSET_TYPES = ("IMAGE", "VIDEO")

# --- search ---------------------------------------------------------------

#: [D] Characters that search text and dialogue queries may not contain
#: (the same three as in project names and person-name filters).
TEXT_FORBIDDEN = PROJECT_NAME_FORBIDDEN

#: [?] Search texts, dialogue phrases and search ids have no documented
#: length limit; the client refuses more than this many characters only
#: to stop runaway input (raise it if a real query needs more).
QUERY_TEXT_MAX_LENGTH = 1000

#: [D] Search images: JPG, PNG, WebP, HEIC; ``jpeg`` is JPG [I].
SEARCH_IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "heic"})
#: [D] "5 MB" per search image; binary megabytes [?], as for assets.
SEARCH_IMAGE_MAX_BYTES = 5 * 1024**2
#: [D] Search images are at least 224 pixels (not checked: the SDK never
#: sees the pixels).
SEARCH_IMAGE_MIN_PIXELS = 224
#: [D] A search-image upload URL is valid for 15 minutes, once.
SEARCH_IMAGE_URL_SECONDS = 15 * 60

#: [3P] Search results: ``pageSize`` 1 to 100, default 50.
SEARCH_PAGE_SIZE_MAX = 100
#: [3P]
SEARCH_PAGE_SIZE_DEFAULT = 50

#: [D] Call limits of the search feature.  Not enforced by the client
#: (its adaptive limiter follows 429s) nor by the emulator [?].
SEARCH_REQUESTS_PER_MINUTE = 1000
#: [D]
SEARCH_UPLOAD_COMPLETES_PER_MINUTE = 1000
#: [D]
SEARCH_PRESIGNED_URLS_PER_SECOND = 50

# --- persons and person tags ----------------------------------------------

#: [3P] Person names: 1 to 50 characters, not blank, unique in the
#: workspace.
PERSON_NAME_MAX_LENGTH = 50
#: [3P] The ``name`` filter of the person list: 2 to 50 characters, none
#: of `TEXT_FORBIDDEN`.
PERSON_FILTER_NAME_MIN_LENGTH = 2
#: [3P] Person descriptions: 1 to 700 characters.
PERSON_DESCRIPTION_MAX_LENGTH = 700
#: [3P] Thumbnails per person: at most 100, exactly one of them primary.
PERSON_THUMBNAILS_MAX = 100
#: [3P] Person list ``pageSize``: 1 to 1000, default 1000.
PERSON_PAGE_SIZE_MAX = 1000

#: [3P] Person tag names: 1 to 30 characters, unique in the workspace.
PERSON_TAG_NAME_MAX_LENGTH = 30
#: [3P] Person tag list ``pageSize``: 1 to 50, default 10.
PERSON_TAG_PAGE_SIZE_MAX = 50
#: [3P]
PERSON_TAG_PAGE_SIZE_DEFAULT = 10

# --- Object Storage -------------------------------------------------------

#: [D] The Korea region's Object Storage endpoint, where Media
#: Intelligence workspaces keep their media.
OBJECT_STORAGE_ENDPOINT = "https://kr.object.ncloudstorage.com"
#: [D] Its region name (what S3 clients sign for).
OBJECT_STORAGE_REGION = "kr-standard"
#: [D] ``GET Bucket (List Objects)`` returns at most 1,000 objects a call.
OBJECT_STORAGE_LIST_MAX_KEYS = 1000
