"""
Reconciling through hostile list behaviours, end to end (issue 11).

Every job meets keyed faults (the same keys fail whatever the arrival
order): lost answers (processed), unprocessed 500s and 502s (ambiguous,
absent), on registrations and list pages alike.  Each test checks the
exactly-once ledger: no duplicate, no key registered without an asset
of this import's bucket, none failed while held, every key reported.
"""

from __future__ import annotations

import pytest

from bulk_support import keys_for
from reconcile_support import ledger, run, seed

from maiu_async import Timeouts
from maiu_async.bulk import OutcomeStatus, ReconcilePolicy
from maiu_async.emulator import Faults


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
UNKNOWN = OutcomeStatus.UNKNOWN

#: Lost answers, unprocessed 500s and 502s, keyed: some keys meet each.
FAULTS = Faults(lost_response=0.04, error_500=0.03, error_502=0.02, keyed=True)


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({}, id="ascending"),
        pytest.param({"list_order": "descending"}, id="descending"),
        pytest.param({"list_page_cap": 100}, id="page-cap-100"),
        pytest.param(
            {"list_order": "descending", "list_page_cap": 100},
            id="descending-page-cap",
        ),
        pytest.param({"file_name_style": "basename"}, id="base-names"),
    ],
)
async def test_decidable_lists_leave_nothing_unknown(
    launch, open_client, knobs
):
    """Ordered lists, capped pages, base names: exactly once, all decided."""
    target = await launch(faults=FAULTS, seed=5, **knobs)
    seed(target, 450)
    client = await open_client(target)
    keys = keys_for(200, prefix="new/clip")

    report, outcomes = await run(target, client, keys)

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert {REGISTERED: 200} == dict(book.by_status)
    assert report.reconciled > 0


@pytest.mark.parametrize(
    "order", ["unstable", "created-ties"], ids=["unstable", "ties"]
)
async def test_unordered_lists_never_duplicate(launch, open_client, order):
    """Shuffled lists: no duplicate; what cannot be proven is unknown."""
    target = await launch(
        faults=FAULTS, seed=5, list_order=order, list_page_cap=100
    )
    seed(target, 100)
    client = await open_client(target)
    keys = keys_for(150, prefix="new/clip")

    _, outcomes = await run(target, client, keys)

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert set(book.by_status) <= {REGISTERED, UNKNOWN}


async def test_small_unstable_list_is_proven_complete(launch, open_client):
    """A list that fits one page is complete whatever its order."""
    target = await launch(faults=FAULTS, seed=5, list_order="unstable")
    client = await open_client(target)
    keys = keys_for(300, prefix="new/clip")

    _, outcomes = await run(target, client, keys)

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert {REGISTERED: 300} == dict(book.by_status)


async def test_same_keys_from_another_bucket_are_not_ours(launch, open_client):
    """Old assets of the same keys are never taken for this import's."""
    keys = keys_for(200, prefix="shared/clip")
    # Every registration of these keys is answered 500, unprocessed, on
    # its first attempt only: reconciling must find them absent.
    unprocessed = Faults(error_500=0.2, keyed=True)
    target = await launch(faults=unprocessed, seed=3)
    for key in keys:
        target.emu.state.add_asset(
            target.workspace, target.project_id, key, "old-bucket"
        )
    client = await open_client(target)

    report, outcomes = await run(target, client, keys)

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert {REGISTERED: 200} == dict(book.by_status)
    assert report.retries > 0


async def test_shared_base_names_are_unknown_never_resent(launch, open_client):
    """Two lost keys with one base name: both unknown, each sent once."""
    keys = ["a/same.mp4", "b/same.mp4", "c/other.mp4"]
    lost = Faults(
        certain={"a/same.mp4": "lost_response", "b/same.mp4": "lost_response"}
    )
    target = await launch(faults=lost, file_name_style="basename")
    client = await open_client(target)

    _, outcomes = await run(target, client, keys)

    by_key = {o.key: o.status for o in outcomes}
    assert {
        "a/same.mp4": UNKNOWN,
        "b/same.mp4": UNKNOWN,
        "c/other.mp4": REGISTERED,
    } == by_key
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


async def test_unique_base_names_are_matched(launch, open_client):
    """A lost key whose base name is unique is found under it."""
    keys = ["a/one.mp4", "b/two.mp4"]
    target = await launch(
        faults=Faults(certain={"a/one.mp4": "lost_response"}),
        file_name_style="basename",
    )
    client = await open_client(target)

    _, outcomes = await run(target, client, keys)

    assert {"a/one.mp4": REGISTERED, "b/two.mp4": REGISTERED} == {
        o.key: o.status for o in outcomes
    }
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


async def test_processed_error_code_is_registered_not_failed(
    launch, open_client
):
    """HTTP 200 with code other than "0" is ambiguous: found, not failed."""
    target = await launch(processed_error_code=0.1, seed=9)
    client = await open_client(target)
    keys = keys_for(200)

    report, outcomes = await run(target, client, keys)

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert {REGISTERED: 200} == dict(book.by_status)
    assert report.reconciled > 0


async def test_late_processing_within_the_delay_is_found(launch, open_client):
    """A 504 processed later, within the reconcile delay: no duplicate."""
    target = await launch(
        late_processing=0.05, late_processing_delay=0.05, seed=2
    )
    client = await open_client(target)
    keys = keys_for(100)

    report, outcomes = await run(
        target, client, keys, reconcile=ReconcilePolicy(delay=1.0)
    )

    book = ledger(target, keys, outcomes)
    assert {} == book.broken
    assert {REGISTERED: 100} == dict(book.by_status)
    assert report.reconciled > 0


async def test_pages_read_follow_the_job_not_the_project(launch, open_client):
    """A 20,000-asset project costs at most twice the empty one + 10."""
    pages = {}
    for size in (0, 20_000):
        target = await launch(faults=FAULTS, seed=5)
        seed(target, size)
        client = await open_client(target)
        keys = keys_for(150, prefix="new/clip")
        _, outcomes = await run(target, client, keys)
        assert {} == ledger(target, keys, outcomes).broken
        pages[size] = target.emu.stats.by_route["list_assets"]

    assert pages[20_000] <= 2 * pages[0] + 10


def test_default_delay_outlasts_the_request_timeout():
    """By default a pass starts after a request could still be processed."""
    total = Timeouts().total

    assert total is not None
    assert ReconcilePolicy().delay > total
