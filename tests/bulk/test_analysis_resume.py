"""
Bulk analysis journals: resume without analysing anything twice.
"""

from __future__ import annotations

import anyio
import pytest

from analysis_support import NO_PAUSE, analyses, index_of, seed
from bulk_support import FAST_RECONCILE, FAST_RETRY, Gate

from maiu_async.bulk import (
    AnalysisJob,
    AnalysisOutcome,
    AnalysisRequest,
    BulkOptions,
    RequestStatus,
    request_analysis_many,
)
from maiu_async.bulk._analysis_journal import Baseline
from maiu_async.bulk._analysis_wait import resolve
from maiu_async.exceptions import JournalError
from maiu_async.models import AnalysisStatus


pytestmark = pytest.mark.anyio


async def _run(target, client, ids, journal, **kwargs):
    outcomes: list[AnalysisOutcome] = []
    report = await request_analysis_many(
        client,
        target.workspace,
        target.project_id,
        ids,
        person_count=0,
        journal=journal,
        retry=FAST_RETRY,
        reconcile=FAST_RECONCILE,
        on_result=outcomes.append,
        **kwargs,
    )
    return report, {o.asset_id: o for o in outcomes}


async def test_rerun_resumes_requested_assets(launch, open_client, tmp_path):
    """A rerun with the journal sends nothing for assets requested."""
    target = await launch()
    ids = seed(target, "a.mp4", "b.mp4")
    client = await open_client(target)
    journal = tmp_path / "analysis.journal"
    await _run(target, client, ids, journal, wait=NO_PAUSE)

    report, outcomes = await _run(target, client, ids, journal)

    assert {True} == {o.resumed for o in outcomes.values()}
    assert {i: index_of(target, i) for i in ids} == {
        i: o.index_id for i, o in outcomes.items()
    }
    assert (0, 0, 2) == (
        report.requests,
        report.status_reads,
        analyses(target),
    )


async def test_resume_resolves_what_a_stopped_run_sent(
    launch_gated, open_client, tmp_path
):
    """A request cut off by a stop and landing late is not sent again."""
    gate = Gate(let_through=1)
    target = await launch_gated(gate)
    ids = seed(target, "a.mp4", "b.mp4")
    client = await open_client(target)
    journal = tmp_path / "analysis.journal"
    job = AnalysisJob(
        client,
        target.workspace,
        target.project_id,
        ids,
        settings=AnalysisRequest(person_count=0),
        options=BulkOptions(
            concurrency=1,
            journal=journal,
            retry=FAST_RETRY,
            reconcile=FAST_RECONCILE,
            settle_timeout=0,
        ),
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(job.run)
        await gate.until(lambda g: g.held == 1)
        job.stop()
    first = job.report()
    gate.open()
    await gate.until(lambda g: g.processed == 2)

    report, outcomes = await _run(target, client, ids, journal)

    assert (1, 1) == (first.requested, first.unknown)
    assert (RequestStatus.REQUESTED, True, 0) == (
        outcomes[ids[1]].status,
        outcomes[ids[1]].resolved,
        outcomes[ids[1]].attempts,
    )
    assert (0, 2) == (report.requests, analyses(target))


async def test_journal_of_a_registration_is_refused(
    launch, open_client, tmp_path
):
    """An analysis refuses a registration's journal, which stays intact."""
    from maiu_async.bulk import register_many  # noqa: PLC0415

    target = await launch()
    client = await open_client(target)
    journal = tmp_path / "j"
    await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=["a.mp4"],
        journal=journal,
    )
    before = journal.read_bytes()

    with pytest.raises(JournalError, match="another job"):
        await _run(target, client, [1], journal)
    assert before == journal.read_bytes()


@pytest.mark.parametrize(
    ("baseline", "now", "started"),
    [
        pytest.param(("BEFORE_ANALYZE", None), ("WAIT_ANALYZE", None), True),
        pytest.param(("BEFORE_ANALYZE", None), ("ANALYZE_FAIL", None), True),
        pytest.param(
            ("BEFORE_ANALYZE", None), ("BEFORE_ANALYZE", None), False
        ),
        pytest.param(("ANALYZE_COMPLETED", 5), ("ANALYZE_COMPLETED", 6), True),
        pytest.param(
            ("ANALYZE_COMPLETED", 5), ("ANALYZE_COMPLETED", 5), False
        ),
        pytest.param(("ANALYZE_FAIL", None), ("ANALYZE_FAIL", None), None),
        pytest.param((None, None), ("ANALYZING", None), True),
        pytest.param((None, None), ("BEFORE_ANALYZE", None), False),
        pytest.param((None, None), ("ANALYZE_COMPLETED", 7), None),
    ],
)
def test_resolve(baseline, now, started):
    """A status other than the baseline means the request started one."""
    status, index_id = now
    assert started == resolve(
        Baseline(*baseline), AnalysisStatus(status=status, index_id=index_id)
    )
