"""
NCP Object Storage as a source of keys: list a bucket prefix, import it.

Needs the ``s3`` extra (aiobotocore)::

    pip install 'maiu-async[s3]'

Register everything under a prefix, streamed (a million objects cost no
more memory than a thousand)::

    from maiu_async import MaiuClient
    from maiu_async.bulk import register_many
    from maiu_async.storage import ObjectStorageSource

    async with (
        MaiuClient() as client,
        ObjectStorageSource("media", "videos/2026/", client=client) as source,
    ):
        report = await register_many(
            client, "my-ws", project_id,
            bucket_name=source.bucket, keys=source.keys(),
        )

Folders, unsupported formats and files over the documented size limits
(video 10 GB, image 10 MB) are reported as skipped, with the reason,
and never sent.  `ObjectStorageSource.objects` yields every listed
object with the decision, for a dry run.

The store defaults to ``$MAIU_S3_ENDPOINT`` and ``$MAIU_S3_REGION``,
else NCP Object Storage in Korea (``https://kr.object.ncloudstorage.com``,
region ``kr-standard``), with the client's keys (``client=``), else the
NCP keys resolved as the client does; `StorageConfig` and
``credentials=`` override any of it.
"""

from __future__ import annotations

from ..exceptions import (
    ObjectStorageError,
    ObjectStorageRefused,
    ObjectStorageUnavailable,
)
from ._config import Checksum, StorageConfig
from ._filter import ListedObject, ObjectFilter, SkipReason
from ._source import ListingStats, ObjectStorageSource


__all__ = [
    "Checksum",
    "ListedObject",
    "ListingStats",
    "ObjectFilter",
    "ObjectStorageError",
    "ObjectStorageRefused",
    "ObjectStorageSource",
    "ObjectStorageUnavailable",
    "SkipReason",
    "StorageConfig",
]

# Tracebacks and reprs show maiu_async.storage.X, not the private module.
# The errors stay maiu_async.exceptions.X, where the whole tree lives.
for _cls in (
    ListedObject,
    ListingStats,
    ObjectFilter,
    ObjectStorageSource,
    SkipReason,
    StorageConfig,
):
    _cls.__module__ = __name__
del _cls
