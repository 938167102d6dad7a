"""
Sync runs (`BulkOptions.skip_existing`): the project's assets are read in
one pass at the start, keys it has are skipped and never sent.
"""

from __future__ import annotations

import math
import tracemalloc
import urllib.parse

import pytest

from bulk_support import FAST_RECONCILE, FAST_RETRY, keys_for

from maiu_async import MaiuClient, ServerError
from maiu_async.bulk import (
    BulkOptions,
    Outcome,
    OutcomeStatus,
    ReconcilePolicy,
    register_many,
    report_of,
    stream_register,
)
from maiu_async.emulator import Faults
from maiu_async.testing import (
    MockTransport,
    Request,
    Response,
    api_error,
    set_testing,
    success,
)


pytestmark = pytest.mark.anyio

SKIPPED = OutcomeStatus.SKIPPED
REGISTERED = OutcomeStatus.REGISTERED
EXISTING = "already in the project"


def _seed(target, keys: list[str], bucket: str = "old-bucket") -> None:
    for key in keys:
        target.emu.state.add_asset(
            target.workspace, target.project_id, key, bucket
        )


async def _sync(target, client, keys, **options):
    outcomes: list[Outcome] = []
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("reconcile", FAST_RECONCILE)
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=outcomes.append,
        skip_existing=True,
        **options,
    )
    return report, outcomes


@pytest.mark.parametrize(
    ("cap", "existing", "new"),
    [
        pytest.param(None, 2_500, 100, id="pages-of-1000"),
        pytest.param(300, 2_500, 100, id="server-caps-pages-at-300"),
        pytest.param(None, 0, 40, id="empty-project"),
    ],
)
async def test_rerun_sends_only_new_keys_and_reads_one_pass(
    launch, open_client, cap, existing, new
):
    """A sync run lists ceil(assets / page) pages and registers new keys."""
    target = await launch(list_page_cap=cap)
    old = keys_for(existing, prefix="media/old")
    fresh = keys_for(new, prefix="media/new")
    _seed(target, old)
    client = await open_client(target)
    target.emu.stats.reset()

    report, outcomes = await _sync(target, client, [*old, *fresh])

    page = cap or 1000
    stats = target.emu.stats.by_route
    assert (max(1, math.ceil(existing / page)), new) == (
        stats.get("list_assets", 0),
        stats.get("register_asset", 0),
    )
    assert (new, existing, existing, new) == (
        report.registered,
        report.skipped,
        report.existing,
        report.requests,
    )
    assert dict.fromkeys(old, EXISTING) == {
        o.key: o.error for o in outcomes if o.status is SKIPPED
    }
    assert dict.fromkeys([*old, *fresh], 1) == dict(target.assets_by_key())


async def test_without_the_option_existing_keys_are_sent(target, client):
    """The option is off by default: a rerun registers every key again."""
    keys = keys_for(30)
    _seed(target, keys)

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        retry=FAST_RETRY,
        reconcile=FAST_RECONCILE,
    )

    assert (False, 30, 0) == (
        BulkOptions().skip_existing,
        report.registered,
        report.existing,
    )


async def test_with_a_journal_reruns_do_not_grow_it(target, client, tmp_path):
    """Journal keys resume, project keys skip; a rerun writes nothing."""
    journal = tmp_path / "sync.journal"
    ours = keys_for(50, prefix="ours/clip")
    theirs = keys_for(40, prefix="theirs/clip")
    fresh = keys_for(10, prefix="fresh/clip")
    await _sync(target, client, ours, journal=journal)
    _seed(target, theirs)

    first, _ = await _sync(
        target, client, [*ours, *theirs, *fresh], journal=journal
    )
    text = journal.read_text(encoding="utf-8")
    again, _ = await _sync(
        target, client, [*ours, *theirs, *fresh], journal=journal
    )

    assert (60, 50, 40, 10) == (
        first.registered,
        first.resumed,
        first.existing,
        first.requests,
    )
    assert (60, 60, 40, 0) == (
        again.registered,
        again.resumed,
        again.existing,
        again.requests,
    )
    assert text == journal.read_text(encoding="utf-8")
    assert dict.fromkeys([*ours, *theirs, *fresh], 1) == dict(
        target.assets_by_key()
    )


async def test_duplicates_and_invalid_keys_keep_their_reasons(target, client):
    """Only a valid key's first occurrence can be 'already in the project'."""
    _seed(target, ["a/one.mp4", "a/two.mp4"])

    _, outcomes = await _sync(
        target, client, ["a/one.mp4", "a/one.mp4", "a/two.txt", "a/two.mp4"]
    )

    assert [
        EXISTING,
        "duplicate of an earlier key in the input",
        EXISTING,
    ] == [o.error for o in outcomes if o.error != outcomes[2].error]
    assert "extension" in outcomes[2].error


async def test_base_names_prove_nothing(launch, open_client):
    """If the list shows base names, keys under a prefix are sent again."""
    target = await launch(file_name_style="basename")
    keys = keys_for(20, prefix="deep/dir/clip")
    _seed(target, keys)
    client = await open_client(target)

    report, _ = await _sync(target, client, keys)

    assert (20, 0) == (report.registered, report.existing)


async def test_a_page_that_cannot_be_read_stops_the_job_unsent():
    """A list page that fails stops the job before any key is sent."""
    sent: list[str] = []

    def handler(request: Request) -> Response:
        path = urllib.parse.urlsplit(request.url).path
        if request.method == "GET" and path.endswith("/assets"):
            return api_error(500, "500", "list is down")
        sent.append(request.method)
        return success({"assetId": 1, "fileName": "x.mp4"})

    with set_testing(True, attempts=2):
        async with MaiuClient(
            access_key="ak", secret_key="sk", transport=MockTransport(handler)
        ) as client:
            with pytest.raises(ServerError) as caught:
                await register_many(
                    client,
                    "ws",
                    7,
                    bucket_name="bucket",
                    keys=keys_for(25),
                    skip_existing=True,
                )

    report = report_of(caught.value)
    assert report is not None
    # Nothing was sent and no key was even read.
    assert ([], 0, 0) == (sent, report.total, report.requests)
    assert any("skip_existing" in n for n in caught.value.__notes__)


async def test_the_names_are_kept_as_fingerprints_not_strings():
    """50,000 listed names leave about a megabyte behind, not a set."""
    total, size = 50_000, 1000
    held: list[int] = []
    # The answers are made before memory is traced: only what the
    # listing keeps is measured, and tracing does not slow their making.
    pages = {
        number: success(
            {
                "content": [
                    {"assetId": i + 1, "fileName": f"media/old/{i:07d}.mp4"}
                    for i in range((number - 1) * size, number * size)
                ],
                "totalCount": total,
                "totalPage": math.ceil(total / size),
                "pageNo": number,
                "pageSize": size,
            }
        )
        for number in range(1, math.ceil(total / size) + 1)
    }

    def handler(request: Request) -> Response:
        return pages[int(request.query["pageNum"])]

    async def keys():
        # The pass is over before the first key is read.
        held.append(tracemalloc.get_traced_memory()[0] - before)
        yield "media/old/0000007.mp4"

    async with MaiuClient(
        access_key="ak", secret_key="sk", transport=MockTransport(handler)
    ) as client:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            report = await register_many(
                client,
                "ws",
                7,
                bucket_name="bucket",
                keys=keys(),
                skip_existing=True,
                preflight=False,
            )
        finally:
            tracemalloc.stop()

    assert (1, 0) == (report.existing, report.requests)
    # 131,072 slots of 8 bytes (1.6 MB held in all, measured); the names
    # kept as strings held 7.2 MB.
    assert held[0] < 2_500_000, held


_FAULTS = Faults(error_500=0.5, keyed=True)


def _fails_once() -> str:
    # A key whose first registration meets an unprocessed 500 and whose
    # second does not (keyed draws: the same in every run).
    def fault(key: str, attempt: int) -> str | None:
        return _FAULTS.keyed_fault(
            seed=8,
            method="POST",
            route="register_asset",
            subject=key,
            attempt=attempt,
        )

    return next(
        key
        for key in (f"maybe/{i:03d}.mp4" for i in range(1000))
        if fault(key, 1) == "error_500" and fault(key, 2) is None
    )


async def test_a_maybe_sent_key_the_project_has_is_skipped(
    launch, open_client, tmp_path
):
    """A key the journal left unknown, and the project has, is not sent."""
    key = _fails_once()
    target = await launch(faults=_FAULTS, seed=8)
    # Older than the job's watermark: reconciling would not take it for
    # the key's, and would send the key again.
    _seed(target, [key])
    client = await open_client(target)
    journal = tmp_path / "job.journal"
    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=[key, "z/done.mp4"],
        journal=journal,
        retry=FAST_RETRY,
        reconcile=ReconcilePolicy(delay=3600.0),
    ) as stream:
        async for outcome in stream:
            if outcome.key == "z/done.mp4":
                stream.stop()  # the key waits to be reconciled: unknown
    sent = target.emu.stats.by_route.get("register_asset", 0)

    report, outcomes = await _sync(target, client, [key], journal=journal)

    assert [(key, SKIPPED, EXISTING)] == [
        (o.key, o.status, o.error) for o in outcomes
    ]
    assert (sent, 1) == (
        target.emu.stats.by_route.get("register_asset", 0),
        report.existing,
    )
    assert 1 == target.assets_by_key()[key]
