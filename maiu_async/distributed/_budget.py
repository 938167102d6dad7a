"""
`BudgetPlugin`: one rate budget for every worker of a sharded import.

A scheduler plugin, so the budget lives where the cluster's one truth
about tasks lives.  Per job it holds ONE `AdaptiveLimiter`, the same
adaptive logic a single process runs: workers lease its tokens in small
batches and report back, with their next lease, which of the requests
the tokens let go met a 429.  A configured rate is thus the job's total,
and what the server accepts is learned once, for every worker.

**Fencing.**  Every time the scheduler hands a shard's task to a worker,
the shard's epoch moves on.  A lease names the shard, the epoch it began
with and the worker; once the task has moved (its worker died or was
presumed dead) the old holder's leases are refused, so it cannot keep
sending: the refusal stops its job as a systemic failure.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from distributed.diagnostics.plugin import SchedulerPlugin

from maiu_async._scheduler import AdaptiveLimiter


if TYPE_CHECKING:
    from dask.typing import Key
    from distributed import Scheduler
    from distributed.scheduler import TaskStateState as SchedulerTaskStateState


__all__ = ["SHARD_PREFIX", "BudgetPlugin"]

#: Every shard task's key starts with this.
SHARD_PREFIX: Final = "maiu-shard-"
#: A lease asks for this many tokens at most.
MAX_LEASE: Final = 64


@attrs.define
class _Budget:
    limiter: AdaptiveLimiter
    stopped: bool = False
    granted: int = 0
    succeeded: int = 0
    throttled: int = 0
    refused: int = 0


class BudgetPlugin(SchedulerPlugin):
    """
    Serves every sharded job's rate budget from the scheduler.

    Registered by `import_sharded` (once per scheduler: registering it
    again keeps the one running).

    .. versionadded:: 26.1.0
    """

    def __init__(self) -> None:
        self.name = "maiu-budget"
        # Registering again keeps the running plugin and its budgets.
        self.idempotent = True
        self._scheduler: Scheduler | None = None
        self._jobs: dict[str, _Budget] = {}
        self._epochs: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<BudgetPlugin jobs={len(self._jobs)}>"

    async def start(self, scheduler: Scheduler) -> None:
        """Install the handlers workers and drivers call."""
        self._scheduler = scheduler
        scheduler.handlers.update(
            {
                "maiu_budget_open": self.open,
                "maiu_budget_stop": self.stop,
                "maiu_budget_stats": self.stats,
                "maiu_budget_begin": self.begin,
                "maiu_budget_lease": self.lease,
            }
        )

    def transition(
        self,
        key: Key,
        start: SchedulerTaskStateState,  # noqa: ARG002 -- the hook's
        finish: SchedulerTaskStateState,
        *args: Any,  # noqa: ANN401, ARG002 -- the hook's
        stimulus_id: str,  # noqa: ARG002 -- the hook's
        **kwargs: Any,  # noqa: ANN401, ARG002 -- the hook's
    ) -> None:
        """Move a shard's epoch on whenever its task goes to a worker."""
        if (
            finish == "processing"
            and isinstance(key, str)
            and key.startswith(SHARD_PREFIX)
        ):
            self._epochs[key] = self._epochs.get(key, 0) + 1

    # -- handlers --------------------------------------------------------

    def open(self, job: str, rate: float | None) -> None:
        """Start (or restart) the budget of *job*, under *rate*."""
        self._jobs[job] = _Budget(AdaptiveLimiter(rate))

    def stop(self, job: str) -> None:
        """Ask every shard of *job* to stop in order."""
        budget = self._jobs.get(job)
        if budget is not None:
            budget.stopped = True

    def stats(self, job: str) -> dict[str, Any]:
        """The counters of *job*'s budget."""
        budget = self._jobs.get(job)
        if budget is None:
            return {}
        return {
            "granted": budget.granted,
            "succeeded": budget.succeeded,
            "throttled": budget.throttled,
            "refused": budget.refused,
            "rate": budget.limiter.rate,
        }

    def begin(self, job: str, key: str, worker: str) -> dict[str, Any]:
        """
        The epoch a shard's task starts with, or why it must not start.
        """
        budget = self._jobs.get(job)
        if budget is None:
            return {"refused": f"no budget for job {job!r}"}
        if budget.stopped:
            return {"stop": True}
        refusal = self._fence(key, None, worker)
        if refusal is not None:
            budget.refused += 1
            return {"refused": refusal}
        return {"epoch": self._epochs[key]}

    async def lease(  # noqa: PLR0913 -- one message, keyword fields
        self,
        *,
        job: str,
        key: str,
        epoch: int,
        worker: str,
        want: int,
        ok: list[float],
        limited: list[float],
        pause: float | None = None,
    ) -> dict[str, Any]:
        """
        Take the reports, then grant up to *want* tokens (send times).
        """
        budget = self._jobs.get(job)
        if budget is None:
            return {"refused": f"no budget for job {job!r}"}
        refusal = self._fence(key, epoch, worker)
        if refusal is not None:
            budget.refused += 1
            return {"refused": refusal}
        limiter = budget.limiter
        for sent in ok:
            limiter.succeeded(sent)
        for sent in limited:
            limiter.throttled(pause, sent)
        budget.succeeded += len(ok)
        budget.throttled += len(limited)
        tokens = [
            await limiter.acquire()
            for _ in range(max(1, min(int(want), MAX_LEASE)))
        ]
        budget.granted += len(tokens)
        return {
            "tokens": tokens,
            "stop": budget.stopped,
            "rate": limiter.rate,
            "ceiling": limiter.ceiling,
            "measured": limiter.measured_limit,
        }

    def _fence(self, key: str, epoch: int | None, worker: str) -> str | None:
        """Why *worker* may not act for shard *key* now, or ``None``."""
        scheduler = self._scheduler
        task = None if scheduler is None else scheduler.tasks.get(key)
        current = self._epochs.get(key)
        on = None if task is None else task.processing_on
        if task is None or task.state != "processing" or on is None:
            return f"shard {key!r} is not running"
        if on.address != worker or current is None:
            return f"shard {key!r} moved to another worker"
        if epoch is not None and epoch != current:
            return f"shard {key!r} was rescheduled (epoch {current})"
        return None
