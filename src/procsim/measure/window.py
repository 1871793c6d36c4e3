"""The measurement window of one log and the cases (and their visits) that count in it.

Sits between the event log (:mod:`procsim.measure.event_log`) and the KPI families
(:mod:`procsim.measure.case_kpis` and its siblings), which :mod:`procsim.measure.kpis` calls
with what is selected here. The window is ``[warmup, end_time]``: cases that arrived before the
warm-up are excluded from case KPIs, and time averages (WIP, utilization, cost) cover the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procsim.measure.event_log import EventLog
from procsim.measure.log_columns import outcomes
from procsim.model.process import Model
from procsim.model.units import per_day


@dataclass(frozen=True)
class MeasurementWindow:
    """``[start, end]`` of one log, its length in the process time unit and in days.

    ``days`` is NaN for an empty window, so that every rate over it is NaN too.
    """

    start: float
    end: float
    span: float
    days: float


def window_of(elog: EventLog, model: Model) -> MeasurementWindow:
    """The measurement window of a log."""
    span = max(elog.end - elog.start, 0.0)
    days = span / per_day(model.time_unit) if span > 0 else float("nan")
    return MeasurementWindow(elog.start, elog.end, span, days)


@dataclass(frozen=True)
class CasesInWindow:
    """The cases that arrived inside the window (``in_scope``), those of them completed
    (``done``), and their visits. Arrays are over all cases of the log, in its order.

    Attributes
    ----------
    case_ids
        The case ids, in the log's order.
    arrival, completion, outcome, left
        Per case: arrival and completion time, outcome label, when it left (NaN while open).
    in_scope, done
        Per case: arrived inside the window; and completed, too.
    cycle
        Cycle times of the ``done`` cases.
    arrived, completed
        How many cases are ``in_scope`` and ``done``.
    completions
        Completions inside the window, whenever the case arrived (throughput and cost per case).
    visits, done_visits
        The visits of the ``in_scope`` cases, and of the ``done`` ones.
    """

    case_ids: np.ndarray
    arrival: np.ndarray
    completion: np.ndarray
    outcome: np.ndarray
    left: np.ndarray
    in_scope: np.ndarray
    done: np.ndarray
    cycle: np.ndarray
    arrived: int
    completed: int
    completions: int
    visits: pd.DataFrame
    done_visits: pd.DataFrame


def cases_in_window(elog: EventLog, window: MeasurementWindow) -> CasesInWindow:
    """Select the cases (and visits) that count in the window."""
    w0, w1 = window.start, window.end
    cases = elog.cases
    arr = cases["arrival_time"].to_numpy()
    comp = cases["completion_time"].to_numpy()
    outcome, left = outcomes(cases)
    in_scope = (arr >= w0) & (arr < w1)
    done = in_scope & ~np.isnan(comp)
    v_scope, v_done = _visits_of(elog.visits, cases, in_scope, done)
    return CasesInWindow(
        case_ids=cases["case_id"].to_numpy(),
        arrival=arr,
        completion=comp,
        outcome=outcome,
        left=left,
        in_scope=in_scope,
        done=done,
        cycle=(comp - arr)[done],
        arrived=int(in_scope.sum()),
        completed=int(done.sum()),
        completions=int(((comp >= w0) & (comp <= w1)).sum()),
        visits=v_scope,
        done_visits=v_done,
    )


def _visits_of(
    visits: pd.DataFrame, cases: pd.DataFrame, in_scope: np.ndarray, done: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The visits of the in-scope cases and of the completed ones among them."""
    case_ids = visits["case_id"].to_numpy()
    scope_ids = cases["case_id"].to_numpy()[in_scope]
    done_ids = cases["case_id"].to_numpy()[done]
    # Filtered copies only where the filter drops something: a replication of a million cases
    # has millions of visits.
    in_scope_visit = _member(case_ids, scope_ids)
    v_scope = visits if in_scope_visit.all() else visits[in_scope_visit]
    del in_scope_visit
    done_visit = _member(v_scope["case_id"].to_numpy(), done_ids)
    v_done = v_scope if done_visit.all() else v_scope[done_visit]
    return v_scope, v_done


def _member(ids: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """``np.isin(ids, selected)``; for small non-negative integer ids (a simulated log's case
    numbers) by a lookup table, which needs no sorting of millions of visits."""
    if (
        ids.dtype.kind in "iu"
        and selected.dtype.kind in "iu"
        and ids.size
        and ids.min() >= 0
        and ids.max() < 4 * ids.size + 1024
    ):
        table = np.zeros(int(ids.max()) + 1, dtype=bool)
        selected = selected[(selected >= 0) & (selected <= ids.max())]
        table[selected] = True
        found: np.ndarray = table[ids]
        return found
    return np.isin(ids, selected)
