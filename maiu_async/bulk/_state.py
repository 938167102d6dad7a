"""
The explicit state of a running bulk job.

Each part of the pipeline that can be busy, waiting or done says so in
an enum; `Flow` gathers them with the count of keys in flight.  The
decisions made from them live in ``_pipeline.Pipeline.settled``.

Strictly private.
"""

from __future__ import annotations

import enum

import attrs


__all__ = ["FeederState", "Flow", "Intake", "Phase", "ReconcilerState"]


class Phase(enum.Enum):
    """
    Where a job is in its life.
    """

    UNSTARTED = "unstarted"
    RUNNING = "running"
    #: No new key is taken; requests in flight settle.
    STOPPING = "stopping"
    FINISHED = "finished"


class FeederState(enum.Enum):
    """
    What the feeder is doing.
    """

    READING = "reading"
    #: Blocked on the input or on admission: parked keys may be
    #: reconciled now, as nothing else would start a pass.
    WAITING = "waiting"
    DONE = "done"


class ReconcilerState(enum.Enum):
    """
    What the reconciler is doing.
    """

    IDLE = "idle"
    PASSING = "passing"


class Intake(enum.Enum):
    """
    Whether the work stream takes keys; closing it ends the workers.
    """

    OPEN = "open"
    CLOSED = "closed"


@attrs.define
class Flow:
    """
    What is in flight, and who may still add to it.

    Attributes:
        active: Keys sent to the work stream and not yet settled or
            parked (a worker holds or will take each).
        feeder: The feeder's state.
        reconciler: The reconciler's state.
        intake: The work stream's state.
    """

    active: int = 0
    feeder: FeederState = FeederState.READING
    reconciler: ReconcilerState = ReconcilerState.IDLE
    intake: Intake = Intake.OPEN
