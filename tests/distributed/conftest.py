"""
Fixtures for sharded imports: emulators, a shared cluster, cheap workers.

- ``launch``: an emulator with a workspace and a project.
- ``cluster``: the scheduler address of one `LocalCluster` of four worker
  processes, shared by a module's tests that neither kill nor restart a worker
  (they pass it as ``scheduler=``); a test that kills one starts its own,
  and one test keeps ``workers=`` (a cluster started by
  `import_sharded` itself).
- ``forkserver``: used by every module that starts clusters, so that
  their worker processes are forked from one server that has imported
  dask and the SDK once.

Helpers are in ``dask_support``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os

from typing import TYPE_CHECKING, Any

import pytest

from dask_support import BUCKET, WORKSPACE
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async._credentials import ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY
from maiu_async.emulator import Emulator


if TYPE_CHECKING:
    from collections.abc import Iterator


distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

#: What the forked workers import before they are forked.
_PRELOAD = ["maiu_async.distributed"]
#: Variables the workers must get from their cluster, never from the
#: process that happened to start the fork server.
_SCRUBBED = ("NCLOUD_", "MAIU_", "AWS_")


@pytest.fixture(name="forkserver", scope="session")
def _forkserver(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """
    Fork worker processes from one server instead of spawning each.

    A spawned worker imports dask, distributed and the SDK afresh: about
    two CPU seconds a worker, most of what these tests cost.  Forked
    workers are still processes of their own (tasks and results are
    pickled, SIGKILL kills one, its nanny starts another), which is what
    these tests are about.  The server starts with no credentials, no
    endpoint and an empty HOME, so a worker has only what its cluster
    gives it (``env=``): a shard that finds credentials proves they
    travelled as the product passes them.
    """
    with dask.config.set(
        {"distributed.worker.multiprocessing-method": "forkserver"}
    ):
        context = distributed.utils.get_mp_context()
        context.set_forkserver_preload(_PRELOAD)
        home = tmp_path_factory.mktemp("forkserver-home")
        with pytest.MonkeyPatch.context() as patch:
            for name in list(os.environ):
                if name.startswith(_SCRUBBED):
                    patch.delenv(name)
            patch.setenv("HOME", str(home))
            multiprocessing.forkserver.ensure_running()
        try:
            yield
        finally:
            # No public way to stop it; stopping reaps it (and with it
            # the CPU of every worker it forked, which a run must count).
            multiprocessing.forkserver._forkserver._stop()


@pytest.fixture(name="cluster", scope="module")
def _cluster(forkserver: None) -> Iterator[str]:
    """
    The scheduler address of a local cluster of four worker processes.

    Its workers get the suite's credentials, as `import_sharded` gives
    them to the workers of a cluster it starts.  Closed after the module:
    idle, its workers and scheduler still spend CPU on heartbeats.
    """
    env = {ENV_ACCESS_KEY_ID: ACCESS_KEY, ENV_SECRET_ACCESS_KEY: SECRET_KEY}
    with distributed.LocalCluster(
        n_workers=4,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        env=env,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(name="launch")
async def _launch():
    """Start emulators with knobs; each gets a workspace and project."""
    async with contextlib.AsyncExitStack() as stack:

        async def launch(**knobs: Any) -> tuple[Emulator, int]:
            emu = Emulator(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
            )
            emu.state.add_workspace(WORKSPACE, BUCKET)
            project = emu.state.add_project(WORKSPACE, "dist-project")
            await stack.enter_async_context(emu)
            return emu, project.project_id

        yield launch
