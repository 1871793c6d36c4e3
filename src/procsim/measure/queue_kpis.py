"""Queue KPIs of one log: how many wait, per stage and per role, and who is turned away or gives up.

Sits beside :mod:`procsim.measure.stage_kpis` between the measurement window
(:mod:`procsim.measure.window`) and :mod:`procsim.measure.kpis`, which collects these rows.

``queue_mean`` is the time-average number of visits waiting (enabled, not yet started) inside
the window, counted over every visit whatever its case's arrival, as queueing theory's ``Lq``
is; by Little's law it equals the arrival rate of visits times their mean wait. A visit still
waiting at the end counts until the end; one that was abandoned until its customer left; a
balked one never waits. Time a started visit spends interrupted by preemption is not counted
(it is waiting for the same server to come back, not in the queue of the stage).

``blocked_share`` (stages with a ``queue_capacity``) and ``abandoned_share`` (stages with a
``patience``) split the process-wide ``abandonment_rate`` by stage and by cause: visits turned
away because the queue was full, and visits whose customer gave up waiting, over the visits of
the in-scope cases that reached the stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.measure.event_log import EventLog
from procsim.measure.log_columns import outcomes
from procsim.measure.window import CasesInWindow, MeasurementWindow
from procsim.model.process import Model

Rows = list[tuple[str, str, float]]


def queue_rows(
    elog: EventLog, scope: CasesInWindow, window: MeasurementWindow, model: Model
) -> Rows:
    """``queue_mean`` per stage, ``role_queue_mean`` per role, then ``blocked_share`` and
    ``abandoned_share`` of the stages where cases can be turned away or give up."""
    waiting = _waiting_time_by_stage(elog, window, len(model.stages))
    span = window.span
    rows: Rows = [
        ("queue_mean", s.name, waiting[s.id] / span if span > 0 else float("nan"))
        for s in model.stages
    ]
    for role in model.roles:
        total = sum(waiting[s.id] for s in model.stages if s.role == role.id)
        rows.append(("role_queue_mean", role.name, total / span if span > 0 else float("nan")))
    rows += _lost_shares(scope, model)
    return rows


def _waiting_time_by_stage(elog: EventLog, window: MeasurementWindow, n_stages: int) -> np.ndarray:
    """Per stage id: visit-time spent waiting inside the window."""
    visits = elog.visits
    if visits.empty:
        return np.zeros(n_stages)
    enabled = visits["enabled_time"].to_numpy(dtype=float)
    until = visits["start_time"].to_numpy(dtype=float).copy()
    unstarted = np.flatnonzero(np.isnan(until) & ~np.isnan(enabled))
    if unstarted.size:
        until[unstarted] = _left_or_end(elog.cases, visits["case_id"].to_numpy()[unstarted], window)
    w0, w1 = window.start, window.end
    inside = np.minimum(until, w1) - np.maximum(enabled, w0)
    inside = np.where(np.isnan(inside), 0.0, np.clip(inside, 0.0, None))
    codes = visits["activity"].cat.codes.to_numpy()
    known = codes >= 0
    return np.bincount(codes[known], weights=inside[known], minlength=n_stages)[:n_stages]


def _left_or_end(
    cases: pd.DataFrame, case_ids: np.ndarray, window: MeasurementWindow
) -> np.ndarray:
    """When the waiting of unstarted visits ended: their case left (abandoned or balked), else
    the end of the window (still waiting)."""
    _, left = outcomes(cases)
    where = pd.Index(cases["case_id"]).get_indexer(case_ids)
    ended = np.where(where >= 0, left[np.clip(where, 0, None)], np.nan)
    return np.where(np.isnan(ended), window.end, ended)


def _lost_shares(scope: CasesInWindow, model: Model) -> Rows:
    """Per stage that can lose cases: the share of its visits turned away, and given up."""
    blocking = [s for s in model.stages if s.queue_capacity is not None]
    patient = [s for s in model.stages if s.patience is not None]
    if not blocking and not patient:
        return []
    visits = scope.visits
    codes = visits["activity"].cat.codes.to_numpy()
    lost = _lost_visit_outcome(scope)
    rows: Rows = []
    for metric, stages, how in (
        ("blocked_share", blocking, "balked"),
        ("abandoned_share", patient, "abandoned"),
    ):
        for stage in stages:
            at = codes == stage.id
            n = int(at.sum())
            rows.append((metric, stage.name, float((lost[at] == how).sum()) / n if n else np.nan))
    return rows


def _lost_visit_outcome(scope: CasesInWindow) -> np.ndarray:
    """Per in-scope visit: ``balked`` or ``abandoned`` for the unstarted visit at which its case
    left that way, else ""."""
    visits = scope.visits
    out = np.full(len(visits), "", dtype=object)
    start = visits["start_time"].to_numpy(dtype=float)
    unstarted = np.flatnonzero(np.isnan(start))
    if not unstarted.size:
        return out
    gone = (scope.outcome == "balked") | (scope.outcome == "abandoned")
    if not gone.any():
        return out
    ids = visits["case_id"].to_numpy()[unstarted]
    # scope.outcome is over all cases of the log, in its order; the case ids of that order
    # come from the visits' cases only through this lookup.
    lookup = _case_outcomes(scope, gone)
    how = np.array([lookup.get(c, "") for c in ids.tolist()], dtype=object)
    out[unstarted] = how
    return out


def _case_outcomes(scope: CasesInWindow, gone: np.ndarray) -> dict[object, str]:
    """Case id -> outcome for the cases that balked or abandoned."""
    ids = scope.case_ids[gone]
    return dict(zip(ids.tolist(), scope.outcome[gone].tolist(), strict=True))
