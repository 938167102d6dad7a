"""
A key sent before the job knew its watermark is never taken for an
older asset of the same name.

The project holds ``videos/a.mp4`` from another bucket.  The job cannot
read its starting watermark (the list refuses the first read), and the
key's only registration meets a 500 the server did not act on.  The
reconcile pass then finds the old asset under the key's name: nothing
tells it apart from one the lost request could have created, so the key
is unknown, not registered as that asset (and its journal line does not
make a rerun skip it).

The emulator is real; a middleware in front of it refuses the two
requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from aiohttp import web
from bulk_support import BUCKET, WORKSPACE, serve_emulator
from reconcile_support import NOW
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import Outcome, OutcomeStatus, register_many
from maiu_async.bulk._reconcile import NO_WATERMARK


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler


pytestmark = pytest.mark.anyio

KEY = "videos/a.mp4"


def _error(status: int) -> web.Response:
    return web.json_response(
        {"code": str(status), "message": "refused by the test"}, status=status
    )


async def test_a_key_sent_without_a_watermark_is_not_taken_for_an_older_asset(
    tmp_path,
):
    """The old asset of the same name makes the key unknown."""
    seen = {"lists": 0, "posts": 0}

    @web.middleware
    async def refuse(
        request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if request.method == "GET" and request.path.endswith("/assets"):
            seen["lists"] += 1
            if seen["lists"] == 1:
                # The watermark read: not allowed (no retry), so unknown.
                return _error(403)
        if request.method == "POST":
            seen["posts"] += 1
            if seen["posts"] == 1:
                # Not processed, but the client cannot know that.
                return _error(500)
        return await handler(request)

    journal = tmp_path / "job.journal"
    outcomes: list[Outcome] = []
    async with serve_emulator(refuse) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p").project_id
        old = served.state.add_asset(WORKSPACE, project, KEY, "old-bucket")
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=served.url
        ) as client:
            report = await register_many(
                client,
                WORKSPACE,
                project,
                bucket_name=BUCKET,
                keys=[KEY],
                journal=journal,
                reconcile=NOW,
                on_result=outcomes.append,
            )
        ours = [
            a.asset_id
            for a in served.state.assets_of(WORKSPACE, project)
            if a.bucket_name == BUCKET
        ]

    # The reconcile pass read the list and saw the old asset.
    assert seen["lists"] >= 2
    assert [] == ours
    [outcome] = outcomes
    assert (OutcomeStatus.UNKNOWN, None) == (outcome.status, outcome.asset_id)
    assert NO_WATERMARK in (outcome.error or "")
    assert 1 == report.unknown
    assert f"\t{old.asset_id}" not in journal.read_text()
