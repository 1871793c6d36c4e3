"""What one replication of the engine produces: plain arrays, no SimPy.

Sits between :mod:`procsim.sim.engine` (which fills a :class:`SimLog`) and
:mod:`procsim.measure.event_log` (which turns it into event-log tables). Kept apart from the
engine so that measuring a log never imports the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Stop reasons of the guards: the replication was cut short (``SimLog.truncated``).
GUARDS = ("max_events", "max_seconds")

VISIT_FIELDS = ("case", "stage", "server", "enabled", "start", "end")

#: Case outcomes in :attr:`SimLog.outcome`.
OPEN, COMPLETED, ABANDONED, BALKED = 0, 1, 2, 3
OUTCOMES = ("open", "completed", "abandoned", "balked")


@dataclass(frozen=True)
class SimLog:
    """What one replication produced: plain arrays, in sim time (process time unit).

    Attributes
    ----------
    visits
        Array ``(n, 6)`` of float: case, stage id, server index within its role (-1 for a pure
        delay), enabled, start and end time. ``start``/``end`` are NaN where the visit had not
        started/finished by ``end_time``.
    arrival, completion
        Per case id: arrival time and completion time (NaN unless completed).
    end_time
        When the replication stopped.
    truncated
        True when a guard (``max_events`` or ``max_seconds``) stopped it early.
    replication
        Replication index.
    case_type
        Per case id: the case type id. This and the fields below may be None in a log built
        by hand (one type, cases completed or open, no preemption, constant staff).
    outcome
        Per case id: :data:`OPEN`, :data:`COMPLETED`, :data:`ABANDONED` or :data:`BALKED`.
    left
        Per case id: when the case left (completed, abandoned or balked); NaN while open.
    suspended
        Per visit: time the visit spent interrupted by higher-priority work (preemption).
    staff
        Array ``(k, 3)``: time, role id, head count on duty from then on (one row per role at
        time 0, then one per change from shifts).
    pauses
        Array ``(k, 3)``: visit row, start and end of each interruption by preemption.
    stop_reason
        ``"max_events"`` or ``"max_seconds"`` when a guard stopped the replication (then
        ``truncated``); ``"parked"`` when a run by cases ended with cases that nothing could
        move on any more (not truncated: nothing more could happen); else "".
    """

    visits: np.ndarray
    arrival: np.ndarray
    completion: np.ndarray
    end_time: float
    truncated: bool
    replication: int
    case_type: np.ndarray | None = None
    outcome: np.ndarray | None = None
    left: np.ndarray | None = None
    suspended: np.ndarray | None = None
    staff: np.ndarray | None = None
    pauses: np.ndarray | None = None
    stop_reason: str = ""
