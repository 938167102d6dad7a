"""
Fixtures for the Object Storage tests: moto on loopback, a seeded bucket.

Each module gets its own server and bucket (moto keeps its buckets in
process-wide state, reset when the server stops).  Helpers are in
``storagehelpers``.
"""

from __future__ import annotations

import asyncio

from typing import TYPE_CHECKING

import pytest

from s3helpers import add_object, moto_server, seed_corpus
from storagehelpers import BIG_IMAGE, BIG_IMAGE_SIZE, storage_config

# Some test modules import these from "conftest", which names whichever
# conftest pytest loaded last: keep them the same everywhere.
from testkeys import ACCESS_KEY, SECRET_KEY


if TYPE_CHECKING:
    from collections.abc import Iterator

    from s3helpers import Corpus

    from maiu_async.storage import StorageConfig


__all__ = ["ACCESS_KEY", "SECRET_KEY"]


@pytest.fixture(name="s3_url", scope="module")
def _s3_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(name="storage")
def _storage(s3_url: str) -> StorageConfig:
    return storage_config(s3_url)


@pytest.fixture(name="corpus", scope="module")
def _corpus(s3_url: str, request: pytest.FixtureRequest) -> Corpus:
    name = request.module.__name__.rsplit(".", 1)[-1].replace("_", "-")
    # Over a thousand objects: a dozen pages and more at the page sizes
    # the tests use; moto lists the whole bucket for each page.
    corpus = seed_corpus(f"corpus-{name}", media=1200)

    async def upload() -> None:
        from maiu_async.storage._config import open_s3_client  # noqa: PLC0415

        async with open_s3_client(storage_config(s3_url)) as client:
            await client.put_object(
                Bucket=corpus.bucket,
                Key=BIG_IMAGE,
                Body=b"p" * BIG_IMAGE_SIZE,
            )

    asyncio.run(upload())
    add_object(corpus, BIG_IMAGE, BIG_IMAGE_SIZE, "too large")
    return corpus
