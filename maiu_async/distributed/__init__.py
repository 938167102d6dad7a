"""
Sharded imports on a Dask cluster, with one rate budget for every worker.

Needs the ``dask`` extra (``pip install 'maiu-async[dask]'``)::

    report = await import_sharded(
        keys, directory="job-dir", endpoint=url, workspace="ws",
        project_id=7, bucket_name="b", credentials=creds, workers=4,
    )

One process registers a few thousand keys per second, more than the
service usually allows: use this only for a raised quota beyond one
process, multi-day jobs that must survive losing a machine, or buckets
whose listing dominates.  See ``docs/distributed.md``.

- `import_sharded`: the driver (cuts the shards, runs them, resumes).
- `BudgetPlugin`: the scheduler plugin serving the job's rate budget.
- `LeaseRevoked`: a shard's lease was refused after the shard moved.
"""

from __future__ import annotations

from ..exceptions import LeaseRevoked
from ._budget import BudgetPlugin
from ._driver import DEFAULT_SHARD_SIZE, ShardedReport, import_sharded
from ._jobdir import ShardRecord


__all__ = [
    "DEFAULT_SHARD_SIZE",
    "BudgetPlugin",
    "LeaseRevoked",
    "ShardRecord",
    "ShardedReport",
    "import_sharded",
]
