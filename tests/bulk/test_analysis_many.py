"""
Bulk analysis through the Python API, against the emulator.
"""

from __future__ import annotations

import pytest

from analysis_support import NO_PAUSE, Spoiler, analyses, index_of, seed
from bulk_support import (
    ACCESS_KEY,
    BUCKET,
    FAST_RECONCILE,
    FAST_RETRY,
    SECRET_KEY,
    WORKSPACE,
    Target,
    serve_emulator,
)

from maiu_async import MaiuClient, request_analysis_many
from maiu_async.bulk import (
    AnalysisOutcome,
    AnalysisRequest,
    ReconcilePolicy,
    RequestStatus,
)
from maiu_async.exceptions import UsageError, ValidationError


pytestmark = pytest.mark.anyio

FAST = {"retry": FAST_RETRY, "reconcile": FAST_RECONCILE}


async def _run(target, client, ids, **kwargs):
    outcomes: list[AnalysisOutcome] = []
    report = await request_analysis_many(
        client,
        target.workspace,
        target.project_id,
        ids,
        on_result=outcomes.append,
        **{"person_count": 2, **FAST, **kwargs},
    )
    return report, {o.asset_id: o for o in outcomes}


async def test_request_and_wait_gives_an_index_per_asset(launch, open_client):
    """Requesting with wait reports each asset's index once it completes."""
    target = await launch(analysis_reads=3)
    ids = seed(target, "a.mp4", "b.mp4", "c.jpg")
    client = await open_client(target)

    report, outcomes = await _run(target, client, ids, wait=NO_PAUSE)

    assert {i: ("ANALYZE_COMPLETED", index_of(target, i)) for i in ids} == {
        i: (o.analyze_status, o.index_id) for i, o in outcomes.items()
    }
    assert {RequestStatus.REQUESTED} == {o.status for o in outcomes.values()}
    assert (3, 3, 3) == (report.requested, report.analyzed, analyses(target))
    assert 3 * 3 <= report.status_reads


async def test_without_wait_the_request_is_the_outcome(launch, open_client):
    """Without wait, an accepted request settles the asset at once."""
    target = await launch(analysis_reads=5)
    ids = seed(target, "a.mp4", "b.mp4")
    client = await open_client(target)

    report, outcomes = await _run(target, client, ids)

    assert [(RequestStatus.REQUESTED, None)] * 2 == [
        (o.status, o.analyze_status) for o in outcomes.values()
    ]
    assert (2, 2, 2) == (report.requested, report.requests, analyses(target))


async def test_a_failing_analysis_is_reported(launch, open_client):
    """An analysis the service fails is requested, and ANALYZE_FAIL."""
    target = await launch(analysis_fail="*broken*")
    good, bad = seed(target, "good.mp4", "broken.mp4")
    client = await open_client(target)

    report, outcomes = await _run(target, client, [good, bad], wait=NO_PAUSE)

    assert "ANALYZE_COMPLETED" == outcomes[good].analyze_status
    assert "ANALYZE_FAIL" == outcomes[bad].analyze_status
    assert outcomes[bad].message
    assert (1, 1) == (report.analyzed, report.analysis_failed)


async def test_analysed_and_repeated_assets_are_skipped(launch, open_client):
    """Assets analysed already, and repeats, are never sent again."""
    target = await launch()
    first, second = seed(target, "a.mp4", "b.mp4")
    client = await open_client(target)
    await _run(target, client, [first])

    report, outcomes = await _run(target, client, [first, second, second])

    assert RequestStatus.SKIPPED == outcomes[first].status
    assert "already analysed" in (outcomes[first].error or "")
    assert RequestStatus.REQUESTED == outcomes[second].status
    assert (1, 2, 2) == (report.requested, report.skipped, analyses(target))


async def test_reanalyze_analyses_again(launch, open_client):
    """With reanalyze, an analysed asset gets a new analysis and index."""
    target = await launch()
    (asset,) = seed(target, "a.mp4")
    client = await open_client(target)
    _, before = await _run(target, client, [asset], wait=NO_PAUSE)

    _, after = await _run(
        target, client, [asset], wait=NO_PAUSE, reanalyze=True
    )

    assert RequestStatus.REQUESTED == after[asset].status
    assert before[asset].index_id != after[asset].index_id
    assert 2 == analyses(target)


async def test_imported_only_skips_unimported_assets(launch, open_client):
    """With imported_only, an asset still importing is skipped, unsent."""
    target = await launch(import_delay=3600)
    (asset,) = seed(target, "a.mp4")
    client = await open_client(target)

    report, outcomes = await _run(target, client, [asset], imported_only=True)

    assert RequestStatus.SKIPPED == outcomes[asset].status
    assert "IN_PROGRESS" in (outcomes[asset].error or "")
    assert (0, 0) == (report.requests, analyses(target))


async def test_unknown_asset_fails_alone(launch, open_client):
    """An asset id the project does not hold fails; the others go on."""
    target = await launch()
    (asset,) = seed(target, "a.mp4")
    client = await open_client(target)

    report, outcomes = await _run(target, client, [999_999_999, asset])

    assert RequestStatus.FAILED == outcomes[999_999_999].status
    assert RequestStatus.REQUESTED == outcomes[asset].status
    assert (1, 1) == (report.failed, report.requested)


@pytest.mark.parametrize(
    ("spoil", "attempts"),
    [
        pytest.param("lost", 1, id="processed-then-lost"),
        pytest.param("refused", 2, id="500-unprocessed"),
    ],
)
async def test_ambiguous_answer_resolved_without_double_analysis(
    spoil: str, attempts: int
):
    """A lost or 500 answer is resolved by status: one analysis each."""
    spoiler = Spoiler()
    async with serve_emulator(spoiler.middleware) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        target = Target(served, WORKSPACE, project.project_id)
        ids = seed(target, "a.mp4", "b.mp4", "c.mp4")
        setattr(spoiler, spoil, {ids[1]})
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=served.url
        ) as client:
            report, outcomes = await _run(target, client, ids, wait=NO_PAUSE)

    spoiled = outcomes[ids[1]]
    assert (RequestStatus.REQUESTED, attempts, spoil == "lost") == (
        spoiled.status,
        spoiled.attempts,
        spoiled.resolved,
    )
    assert "ANALYZE_COMPLETED" == spoiled.analyze_status
    assert dict.fromkeys(ids, 1) | {ids[1]: attempts} == spoiler.posts
    assert 3 == analyses(target)
    assert (3, 3) == (report.requested, report.analyzed)


async def test_ambiguous_without_reconcile_is_unknown():
    """With reconcile=None a lost answer is unknown, never resent."""
    spoiler = Spoiler()
    async with serve_emulator(spoiler.middleware) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        target = Target(served, WORKSPACE, project.project_id)
        (asset,) = seed(target, "a.mp4")
        spoiler.lost = {asset}
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=served.url
        ) as client:
            report, outcomes = await _run(
                target, client, [asset], reconcile=None
            )

    assert RequestStatus.UNKNOWN == outcomes[asset].status
    assert ({asset: 1}, 1) == (spoiler.posts, report.unknown)


async def test_bad_input_is_refused(launch, open_client):
    """Bad settings, ids and options raise errors naming them."""
    target = await launch()
    client = await open_client(target)

    with pytest.raises(ValidationError, match="person_count"):
        AnalysisRequest(person_count=11)
    with pytest.raises(UsageError, match="retry_ambiguous"):
        await _run(target, client, [1], retry_ambiguous=True)
    with pytest.raises(ValidationError, match="'x'"):
        await _run(target, client, ["x"])
    with pytest.raises(UsageError, match="person_count and request"):
        await request_analysis_many(
            client, target.workspace, target.project_id, [1]
        )


async def test_reconcile_delay_is_the_policys(launch, open_client):
    """The default options take a reconcile policy; None is accepted."""
    target = await launch()
    (asset,) = seed(target, "a.mp4")
    client = await open_client(target)

    report, _ = await _run(
        target, client, [asset], reconcile=ReconcilePolicy(delay=0)
    )

    assert 1 == report.requested
