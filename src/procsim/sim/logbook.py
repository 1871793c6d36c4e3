"""The logbook of one replication: what the event loop writes as it runs, and the
:class:`~procsim.sim.records.SimLog` made of it when the run ends.

Sits between the engine's event loop (:mod:`procsim.sim.engine`), which appends to plain lists
(one append per record, nothing computed), and :mod:`procsim.sim.records`, whose ``SimLog`` it
returns: the visit table with the visits still waiting, censored at the end of the run, and the
per-case arrays.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from procsim.model.process import Model, RunSettings
from procsim.sim.records import COMPLETED, GUARDS, OPEN, SimLog
from procsim.sim.roles import Entry, Roles

#: Visit records kept as Python tuples before they move into a numpy block.
STORE_EVERY = 1 << 17

#: One visit: case, virtual stage, server (-1: none), enabled, start, end.
VisitRow = tuple[int, int, int, float, float, float]


def _as_table(rows: list[VisitRow]) -> np.ndarray:
    """Visit records as an ``(n, 6)`` float array."""
    return np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.float64, count=6 * len(rows)
    ).reshape(-1, 6)


@dataclass(eq=False)
class Logbook:
    """What the event loop has recorded so far.

    Per case, only what arrivals must record; departures are kept in order (``exits``,
    ``gone``) and become per-case arrays at the end, so an arrival costs one append, not five.

    Attributes
    ----------
    staff
        ``(time, role id, head count on duty)`` at time 0 and at every change.
    visits
        Visit rows not yet moved into ``blocks``; a preemption rewrites its victim's row here.
    blocks, stored
        Finished visit rows moved into numpy blocks, and how many.
    arrival
        Arrival time per case id.
    case_type
        Type id per case id (only with several case types).
    exits, gone
        Departure times and departing case ids, in order of departure.
    not_completed
        ``(case, outcome)`` of abandoned and balked cases.
    suspended
        Visit row -> time it spent interrupted, for interruptions that ended.
    suspended_since
        Visit row -> when its current interruption began.
    pauses
        ``(visit row, from, to)`` of each interruption that ended.
    """

    staff: list[tuple[float, int, int]]
    visits: list[VisitRow] = field(default_factory=list)
    blocks: list[np.ndarray] = field(default_factory=list)
    stored: int = 0
    arrival: list[float] = field(default_factory=list)
    case_type: list[int] = field(default_factory=list)
    exits: list[float] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    not_completed: list[tuple[int, int]] = field(default_factory=list)
    suspended: dict[int, float] = field(default_factory=dict)
    suspended_since: dict[int, float] = field(default_factory=dict)
    pauses: list[tuple[int, float, float]] = field(default_factory=list)

    @classmethod
    def start(cls, roles: Roles) -> Logbook:
        """An empty logbook but for every role's head count on duty at time 0."""
        return cls(staff=[(0.0, role, count) for role, count in enumerate(roles.on_duty)])

    def store(self) -> None:
        """Move the visit rows into a numpy block (48 bytes a visit instead of a tuple of
        Python objects). Only while no preemption can rewrite a row."""
        visits = self.visits
        if visits:
            self.blocks.append(_as_table(visits))
            self.stored += len(visits)
            visits.clear()  # the same list: the loop's bound append stays bound to it

    def to_sim_log(
        self,
        model: Model,
        run: RunSettings,
        replication: int,
        roles: Roles,
        batches: list[list[Entry]],
        end_time: float,
        stop_reason: str,
    ) -> SimLog:
        """The replication's log, once the event loop has stopped.

        Parameters
        ----------
        model
            The validated model.
        run
            Its run settings (a run to a horizon leaves visits due at the end unfinished).
        replication
            Replication index.
        roles, batches
            The roles and the batch buffers at the end: the visits still waiting there are
            kept, without a start.
        end_time
            When the run stopped (a run that parked may end later, at its last visit's end).
        stop_reason
            Why it stopped, as in :attr:`SimLog.stop_reason`.

        Returns
        -------
        SimLog
        """
        self.visits += _unserved(roles, batches)
        table = self._visit_table()
        if stop_reason == "parked" and table.size:
            # The run ended with its last event, which may be a visit's end after the last exit.
            end_time = max(end_time, float(np.nanmax(table[:, 5])))
        truncated = stop_reason in GUARDS
        pause = self._time_suspended(len(table), end_time)
        if table.size:
            n = len(model.stages)
            many_types = len(model.case_types) > 1
            _censor(table, end_time, run.horizon is not None or truncated, n, many_types)
        n_cases = len(self.arrival)
        left, outcome = self._departures(n_cases)
        staff = np.asarray(self.staff, dtype=np.float64).reshape(-1, 3)
        return SimLog(
            visits=table,
            arrival=np.asarray(self.arrival, dtype=np.float64),
            completion=np.where(outcome == COMPLETED, left, math.nan),
            end_time=end_time,
            truncated=truncated,
            replication=replication,
            case_type=(
                np.asarray(self.case_type, dtype=np.int64)
                if len(model.case_types) > 1
                else np.zeros(n_cases, dtype=np.int64)
            ),
            outcome=outcome,
            left=left,
            suspended=pause,
            staff=staff[staff[:, 0] <= end_time],
            pauses=np.asarray(self.pauses, dtype=np.float64).reshape(-1, 3),
            stop_reason=stop_reason,
        )

    def _visit_table(self) -> np.ndarray:
        """Every visit row in one ``(n, 6)`` array."""
        if not self.blocks:
            return _as_table(self.visits)
        self.store()
        # One block at a time into the final table, freeing each: never two copies at once.
        table = np.empty((self.stored, 6), dtype=np.float64)
        at = 0
        blocks = self.blocks
        blocks.reverse()
        while blocks:
            block = blocks.pop()
            table[at : at + len(block)] = block
            at += len(block)
            del block
        return table

    def _time_suspended(self, n_visits: int, end_time: float) -> np.ndarray:
        """Per visit row, its time interrupted by preemption; interruptions still going on
        end at ``end_time`` (and are added to the pauses)."""
        pause = np.zeros(n_visits)
        for row, total in self.suspended.items():
            pause[row] = total
        for row, since in self.suspended_since.items():
            pause[row] += max(end_time - since, 0.0)
            self.pauses.append((row, since, end_time))
        return pause

    def _departures(self, n_cases: int) -> tuple[np.ndarray, np.ndarray]:
        """Per case id: when it left (NaN while open), and its outcome."""
        gone = np.asarray(self.gone, dtype=np.int64)
        left = np.full(n_cases, math.nan)
        left[gone] = self.exits
        outcome = np.full(n_cases, OPEN, dtype=np.int8)
        outcome[gone] = COMPLETED
        for case, how in self.not_completed:
            outcome[case] = how
        return left, outcome


def _unserved(roles: Roles, batches: list[list[Entry]]) -> list[VisitRow]:
    """Rows of the visits still waiting: in role queues, gates (not preempted ones: they have a
    row) and batch buffers."""
    nan = math.nan
    rows = [(c, s, -1, e, nan, nan) for q in roles.queues for (c, s, e) in q]
    for gate in roles.gates:
        if gate is not None:
            for level in gate.levels:
                rows += [(e[0], e[1], -1, e[2], nan, nan) for e in level if e[3] and e[6] < 0]
    for buffer in batches:
        rows += [(c, s, -1, e, nan, nan) for (c, s, e) in buffer]
    return rows


def _censor(
    table: np.ndarray, end_time: float, stops_before_end: bool, n_stages: int, many_types: bool
) -> None:
    """Cut the visit table at ``end_time``, in place: a start after it is unknown, so is an end
    after it (or at it, where the run stopped before the events due then); virtual stages
    become stage ids."""
    nan = math.nan
    if many_types:
        table[:, 1] %= n_stages
    started_late = table[:, 4] > end_time
    table[started_late, 4] = nan
    # A horizon stops before events due exactly at it: such visits have not finished. A fixed
    # workload ends with the last completion, which did finish.
    unfinished = table[:, 5] > end_time
    if stops_before_end:
        unfinished |= table[:, 5] == end_time
    table[unfinished, 5] = nan
    # A visit that has not started has no server yet.
    table[started_late, 2] = -1
