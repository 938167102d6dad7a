"""
A daily sync of a growing prefix without the old journal: the prefix is
listed from a real S3-compatible server (moto on loopback), the project's
assets are read once, and only the objects it lacks are registered.
"""

from __future__ import annotations

import math

import pytest

from s3helpers import PREFIX, seed_corpus
from storagehelpers import storage_config
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import OutcomeStatus, register_many
from maiu_async.emulator import Emulator
from maiu_async.storage import ObjectStorageSource


pytestmark = pytest.mark.anyio

WORKSPACE = "ws-sync"
EXISTING = "already in the project"


@pytest.fixture(name="corpus", scope="module")
def _corpus(s3_url):
    # A few hundred objects are enough: the pass is what is measured.
    return seed_corpus("corpus-skip-existing", media=400)


async def test_daily_sync_of_a_prefix_registers_only_new_objects(
    corpus, s3_url
):
    """Yesterday's objects are skipped as present; today's are registered."""
    reasons = corpus.reasons(PREFIX)
    selected = sorted(k for k, r in reasons.items() if r is None)
    yesterday, today = (
        selected[: len(selected) // 2],
        selected[len(selected) // 2 :],
    )
    outcomes: dict[str, tuple[OutcomeStatus, str | None]] = {}

    async with (
        Emulator(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as emu,
        MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
        ) as client,
    ):
        await client.workspaces.create(WORKSPACE, bucket_name=corpus.bucket)
        pid = (await client.projects.create(WORKSPACE, "p")).project_id
        await register_many(
            client, WORKSPACE, pid, bucket_name=corpus.bucket, keys=yesterday
        )
        emu.stats.reset()
        async with ObjectStorageSource(
            corpus.bucket, PREFIX, config=storage_config(s3_url, page_size=50)
        ) as source:
            report = await register_many(
                client,
                WORKSPACE,
                pid,
                bucket_name=corpus.bucket,
                keys=source.keys(),
                skip_existing=True,
                on_result=lambda o: outcomes.update(
                    {o.key: (o.status, o.error)}
                ),
            )
        by_route = dict(emu.stats.by_route)
        assets = sorted(a.key for a in emu.state.assets_of(WORKSPACE, pid))

    assert selected == assets
    assert (math.ceil(len(yesterday) / 1000), len(today)) == (
        by_route.get("list_assets", 0),
        by_route.get("register_asset", 0),
    )
    assert (len(today), len(yesterday)) == (report.registered, report.existing)
    assert {(OutcomeStatus.SKIPPED, EXISTING)} == {
        outcomes[k] for k in yesterday
    }
    assert {OutcomeStatus.REGISTERED} == {outcomes[k][0] for k in today}
    others = {k: outcomes[k][1] for k, r in reasons.items() if r is not None}
    assert EXISTING not in others.values()
    assert len(reasons) == len(outcomes)
