"""
A bucket prefix of over a thousand objects, listed from a real
S3-compatible server and imported into the emulator, which checks that
every registered key exists in that bucket.
"""

from __future__ import annotations

from collections import Counter

import pytest

from s3helpers import PREFIX, S3_ACCESS_KEY, S3_SECRET_KEY
from storagehelpers import BIG_IMAGE, storage_config
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import OutcomeStatus, SkippedKey, register_many
from maiu_async.emulator import Emulator, ObjectStorageCheck
from maiu_async.storage import ObjectStorageSource, SkipReason


pytestmark = pytest.mark.anyio

WORKSPACE = "ws-import"
PAGE = 100


@pytest.fixture(name="checked")
async def _checked(s3_url):
    check = ObjectStorageCheck(
        endpoint=s3_url,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        # Checked only when asked: thousands of background HEADs would
        # compete with the listing for moto's one process (the background
        # workers are tested in test_emulator_check).
        concurrency=0,
    )
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, object_storage=check
    ) as emu:
        yield emu


async def test_import_a_prefix_end_to_end(corpus, s3_url, checked, tmp_path):
    """
    Every selected object becomes one asset, every other one is skipped
    with its reason; the listing stays a few pages ahead of the import;
    a key missing from the bucket ends as FILE_NOT_EXIST; a rerun with
    the journal sends nothing.
    """
    reasons = corpus.reasons(PREFIX)
    selected = sorted(k for k, r in reasons.items() if r is None)
    journal = tmp_path / "import.journal"
    outcomes: dict[str, tuple[OutcomeStatus, str | None]] = {}
    ahead: list[int] = []

    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=checked.url
    ) as client:
        await client.workspaces.create(WORKSPACE, bucket_name=corpus.bucket)
        pid = (await client.projects.create(WORKSPACE, "p")).project_id
        config = storage_config(s3_url, page_size=PAGE)
        async with ObjectStorageSource(
            corpus.bucket, PREFIX, config=config
        ) as source:

            def on_result(outcome):
                outcomes[outcome.key] = (outcome.status, outcome.error)
                ahead.append(source.stats.listed - len(outcomes))

            report = await register_many(
                client,
                WORKSPACE,
                pid,
                bucket_name=corpus.bucket,
                keys=source.keys(),
                concurrency=16,
                journal=journal,
                on_result=on_result,
            )
            stats = source.stats

        registered = sorted(
            k
            for k, (s, _) in outcomes.items()
            if s is OutcomeStatus.REGISTERED
        )
        assert selected == registered
        assert selected == sorted(
            a.key for a in checked.state.assets_of(WORKSPACE, pid)
        )
        assert len(reasons) == len(outcomes) == stats.listed
        assert (len(selected), len(reasons) - len(selected), 0, 0) == (
            report.registered,
            report.skipped,
            report.failed,
            report.unknown,
        )
        assert len(selected) == report.requests
        skipped = {
            k: e
            for k, (s, e) in outcomes.items()
            if s is OutcomeStatus.SKIPPED
        }
        assert {k for k, r in reasons.items() if r} == set(skipped)
        assert "is a folder; only files can be registered" == skipped[PREFIX]
        assert "images may be at most 10 MiB" in str(skipped[BIG_IMAGE])
        assert Counter(r for r in reasons.values() if r) == Counter(
            {r.value: n for r, n in stats.skipped.items() if n}
        )
        # Backpressure: the listing never runs far ahead of the outcomes.
        assert max(ahead) < 10 * PAGE < len(reasons)

        # The emulator found each object; a key not in the bucket is
        # registered all the same, and its import says the file is not
        # there.
        gone = await client.assets.register(
            WORKSPACE, pid, key=f"{PREFIX}gone.mp4", bucket_name=corpus.bucket
        )
        by_key = {a.key: a for a in checked.state.assets_of(WORKSPACE, pid)}
        sample = [
            selected[0],
            f"{PREFIX}special/한글 클립+1%.mp4",
            selected[-1],
        ]
        statuses = [
            await client.assets.import_status(
                WORKSPACE, pid, by_key[k].asset_id
            )
            for k in sample
        ]
        missing = await client.assets.import_status(
            WORKSPACE, pid, gone.asset_id
        )

        assert ["COMPLETED"] * 3 == [s.upload_status for s in statuses]
        assert [corpus.objects[k][0] for k in sample] == [
            s.meta_data.size for s in statuses if s.meta_data
        ]
        assert "FILE_NOT_EXIST" == missing.upload_status

        # A rerun with the journal: nothing is sent again.
        async with ObjectStorageSource(
            corpus.bucket, PREFIX, config=storage_config(s3_url)
        ) as source:
            again = await register_many(
                client,
                WORKSPACE,
                pid,
                bucket_name=corpus.bucket,
                keys=source.keys(),
                journal=journal,
            )

    assert (len(selected), len(selected), 0) == (
        again.registered,
        again.resumed,
        again.requests,
    )
    assert len(reasons) - len(selected) == again.skipped


async def test_listing_failure_stops_the_import(s3_url, checked, storage):
    """A bucket that cannot be listed is a systemic failure: raised."""
    from maiu_async.storage import ObjectStorageRefused  # noqa: PLC0415

    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=checked.url
    ) as client:
        await client.workspaces.create(WORKSPACE, bucket_name="x")
        pid = (await client.projects.create(WORKSPACE, "p")).project_id
        async with ObjectStorageSource(
            "no-such-bucket", config=storage
        ) as src:
            with pytest.raises(ObjectStorageRefused, match="NoSuchBucket"):
                await register_many(
                    client,
                    WORKSPACE,
                    pid,
                    bucket_name="no-such-bucket",
                    keys=src.keys(),
                )


async def test_keys_are_strings_or_skipped_keys(corpus, storage):
    """keys() yields the key of a selected object, a SkippedKey otherwise."""
    async with ObjectStorageSource(
        corpus.bucket, f"{PREFIX}empty/", config=storage
    ) as source:
        items = [item async for item in source.keys()]  # noqa: SIM118

    assert [
        SkippedKey(k, "is empty (0 bytes)")
        for k, _ in corpus.under(f"{PREFIX}empty/")
    ] == items
    assert 20 == source.stats.skipped[SkipReason.EMPTY]
