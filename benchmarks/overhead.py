"""
Per-request CPU spent in our own code: signing, building, structuring.

    python benchmarks/overhead.py [--number N]

Prints one JSON line: microseconds per request for each part of a bulk
job's registration (best of 5 repeats of N) and their total; the
`~maiu_async.Asset` a plain ``client.assets.register`` structures; and
``engine_us``, the whole engine (`register_many`: feeder, workers,
client, bookkeeping) per key over an in-memory transport that answers at
once, best of 3 runs of N keys.  The rest of a request's CPU is aiohttp's
and the event loop's, measured by the ceiling scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
import timeit

from _common import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient, register_many
from maiu_async._answers import read_answer
from maiu_async._converter import AssetId, key_body, structure
from maiu_async._credentials import Credentials
from maiu_async._signing import Signer
from maiu_async._transport import RawResponse
from maiu_async.models import Asset


ANSWER = (
    b'{"code":"0","message":"success","result":{"assetId":1234,'
    b'"createUserName":"username","createdTime":"2025-04-23T16:49:23.885456721",'
    b'"updateUserName":"username","updatedTime":"2025-04-23T16:49:23.885456721"}}'
)
PATH = "/api/v1/workspaces/ws/projects/1/assets/import/object-storage"
EMPTY_PAGE = (
    b'{"code":"0","result":{"content":[],"totalCount":0,"totalPage":0,'
    b'"pageNo":1,"pageSize":1}}'
)
PROJECT = b'{"code":"0","result":{"projectId":1,"name":"p"}}'


class Instant:
    """A transport answering every request at once, from memory."""

    max_connections = None

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def send(self, method, url, _headers, _body):  # type: ignore[no-untyped-def]
        """Answer a registration, a list page or a project."""
        await asyncio.sleep(0)
        if method == "POST":
            return RawResponse(200, ANSWER, None, None)
        if "/assets?" in url:
            return RawResponse(200, EMPTY_PAGE, None, None)
        return RawResponse(200, PROJECT, None, None)


async def engine(n: int) -> float:
    """CPU seconds register_many spends on *n* keys over `Instant`."""
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://instant.invalid",
        transport=Instant(),
    ) as client:
        cpu = time.process_time()
        report = await register_many(
            client,
            "ws",
            1,
            bucket_name="bucket",
            keys=(f"videos/clip-{i:07d}.mp4" for i in range(n)),
            concurrency=64,
        )
        cpu = time.process_time() - cpu
    assert report.registered == n, report
    return cpu


def main() -> None:
    """Time each part and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--number", type=int, default=20_000)
    n = parser.parse_args().number
    signer = Signer(Credentials("AKIDEXAMPLE", "SECRETEXAMPLE"))
    raw = RawResponse(200, ANSWER, None, None)

    stamps = itertools.count(1_700_000_000_000)

    def sign() -> None:
        # A new millisecond each time: a full signature, not the reuse of
        # the last one (which requests in one millisecond share).
        signer.headers("POST", PATH, str(next(stamps)))

    body = key_body("b")  # the job's template, made once per job

    def build() -> None:
        body("videos/clip-000123.mp4")

    def read() -> None:
        structure(read_answer(raw, "POST", PATH)["result"], AssetId)

    def asset() -> None:
        structure(read_answer(raw, "POST", PATH)["result"], Asset)

    figures = {}
    for name, fn in (("sign", sign), ("build", build), ("structure", read)):
        best = min(timeit.repeat(fn, number=n, repeat=5))
        figures[f"{name}_us"] = round(best / n * 1e6, 2)
    figures["total_us"] = round(sum(figures.values()), 2)
    best = min(timeit.repeat(asset, number=n, repeat=5))
    figures["asset_us"] = round(best / n * 1e6, 2)
    best = min(asyncio.run(engine(n)) for _ in range(3))
    figures["engine_us"] = round(best / n * 1e6, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
