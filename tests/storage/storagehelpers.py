"""
Helpers of the Object Storage tests, in a module with a unique name
(``from conftest import ...`` would pick whichever conftest pytest
loaded last).
"""

from __future__ import annotations

from s3helpers import MIB, PREFIX, S3_ACCESS_KEY, S3_SECRET_KEY

from maiu_async import Credentials
from maiu_async.storage import StorageConfig


#: One image just over the documented 10 MB, uploaded through the S3 API.
BIG_IMAGE = f"{PREFIX}posters/too-big.png"
BIG_IMAGE_SIZE = 10 * MIB + 1


def storage_config(url: str, **changes: object) -> StorageConfig:
    """The tests' store: moto, with its own fake keys."""
    return StorageConfig(
        endpoint=url,
        credentials=Credentials(S3_ACCESS_KEY, S3_SECRET_KEY),
        **changes,  # type: ignore[arg-type]
    )
