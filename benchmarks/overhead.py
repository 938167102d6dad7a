"""
Per-request CPU spent in our own code: signing, building, structuring.

    python benchmarks/overhead.py [--number N]

Prints one JSON line: microseconds per request for each part (best of 5
repeats of N) and their total.  The rest of a request's CPU is aiohttp's
and the event loop's, measured by the ceiling scenario.
"""

from __future__ import annotations

import argparse
import json
import timeit

from maiu_async._converter import CONVERTER
from maiu_async._credentials import Credentials
from maiu_async._signing import Signer
from maiu_async._urls import ApiPaths
from maiu_async._validation import (
    check_asset_key,
    check_bucket_name,
    check_id,
    check_workspace_ref,
)
from maiu_async.models import Asset


ANSWER = (
    b'{"code":"0","message":"success","result":{"assetId":1234,'
    b'"createUserName":"username","createdTime":"2025-04-23T16:49:23.885456721",'
    b'"updateUserName":"username","updatedTime":"2025-04-23T16:49:23.885456721"}}'
)


def main() -> None:
    """Time each part and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--number", type=int, default=20_000)
    n = parser.parse_args().number
    signer = Signer(Credentials("AKIDEXAMPLE", "SECRETEXAMPLE"))
    paths = ApiPaths()

    def sign() -> None:
        signer.headers(
            "POST",
            "/api/v1/workspaces/ws/projects/1/assets/import/object-storage",
        )

    def build() -> None:
        path = paths.asset_import(
            check_workspace_ref("my-workspace"), check_id("project_id", 1234)
        )
        body = {
            "key": check_asset_key("videos/2026/clip-000123.mp4"),
            "bucketName": check_bucket_name("media-bucket"),
        }
        json.dumps(body, ensure_ascii=False).encode()
        _ = path

    def structure() -> None:
        env = json.loads(ANSWER)
        CONVERTER.structure(env["result"], Asset)

    figures = {}
    for name, fn in (
        ("sign", sign),
        ("build", build),
        ("structure", structure),
    ):
        best = min(timeit.repeat(fn, number=n, repeat=5))
        figures[f"{name}_us"] = round(best / n * 1e6, 2)
    figures["total_us"] = round(sum(figures.values()), 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
