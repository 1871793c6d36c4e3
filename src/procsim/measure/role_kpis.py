"""Role KPIs of one log: staff on duty and at work, utilization, and what it all costs.

Sits between the event log and its measurement window (:mod:`procsim.measure.window`) and
:mod:`procsim.measure.kpis`, which collects these rows; the paid and worked time per role also
feeds the cost per case type (:mod:`procsim.measure.case_type_kpis`). Cost is paid staff time in
the window (idle time is paid too, shifts as worked) plus per-visit stage costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procsim.measure.event_log import EventLog
from procsim.measure.log_columns import suspended
from procsim.measure.window import MeasurementWindow
from procsim.model.process import Model
from procsim.model.units import UNIT_HOURS

Rows = list[tuple[str, str, float]]


@dataclass(frozen=True)
class RoleTime:
    """Per role, inside the measurement window: person-time on duty (``staffed``), work time
    (``busy``, interruptions excluded) and the paid cost of the time on duty (``staff_cost``)."""

    staffed: dict[str, float]
    busy: dict[str, float]
    staff_cost: dict[str, float]


def role_time(elog: EventLog, model: Model, window: MeasurementWindow) -> RoleTime:
    """Time on duty, at work and its cost, per role."""
    staffed = staffed_time(elog, model)
    busy = _busy_by_role(elog.visits, model, window.start, window.end, elog.pauses)
    to_hours = UNIT_HOURS[model.time_unit] / UNIT_HOURS["hours"]
    staff_cost = {r.name: staffed[r.name] * to_hours * r.cost_per_hour for r in model.roles}
    return RoleTime(staffed, busy, staff_cost)


def staffed_time(elog: EventLog, model: Model) -> dict[str, float]:
    """Person-time on duty per role inside the measurement window (idle time included)."""
    w0, w1 = elog.start, elog.end
    span = max(w1 - w0, 0.0)
    out = {r.name: r.servers * span for r in model.roles}
    if elog.staff is None or elog.staff.empty:
        return out
    for role, sub in elog.staff.groupby("role", observed=True):
        times = sub["time"].to_numpy(dtype=float)
        level = sub["on_duty"].to_numpy(dtype=float)
        order = np.argsort(times, kind="stable")
        times, level = times[order], level[order]
        ends = np.r_[times[1:], np.inf]
        overlap = np.clip(np.minimum(ends, w1) - np.maximum(times, w0), 0, None)
        out[str(role)] = float((overlap * level).sum())
    return out


def _busy_by_role(
    visits: pd.DataFrame, model: Model, w0: float, w1: float, pauses: pd.DataFrame | None
) -> dict[str, float]:
    """Work time per role inside the window (interruptions excluded)."""
    start = visits["start_time"].to_numpy()
    # In place where possible: these are arrays of one float per visit.
    inside = np.minimum(visits["end_time"].to_numpy(), w1)
    inside[np.isnan(inside) & ~np.isnan(start)] = w1  # still in service at the end
    inside -= np.maximum(start, w0)
    np.clip(inside, 0, None, out=inside)
    # Interrupted time is not work: the interruptions inside the window are subtracted exactly
    # where they are known, else spread evenly over the visit.
    if pauses is not None:
        paused = np.zeros(len(visits))
        cut = np.clip(np.minimum(pauses["end"], w1) - np.maximum(pauses["start"], w0), 0, None)
        np.add.at(paused, pauses["row"].to_numpy(), cut.to_numpy())
    else:
        end = visits["end_time"].to_numpy()
        end = np.where(np.isnan(end) & ~np.isnan(start), w1, end)
        length = end - start
        share = np.divide(inside, length, out=np.zeros_like(inside), where=length > 0)
        paused = share * suspended(visits)
    inside -= paused
    busy = np.nan_to_num(inside, copy=False)
    role_codes = visits["role"].cat.codes.to_numpy()
    return {role.name: float(busy[role_codes == role.id].sum()) for role in model.roles}


def cost_rows(
    visits: pd.DataFrame,
    model: Model,
    window: MeasurementWindow,
    roles: RoleTime,
    completions: int,
) -> Rows:
    """``cost_per_day``, ``cost_per_week``, ``cost_per_case`` (over the completions in the
    window), then ``staff_cost_per_day`` per role and ``stage_cost_per_day`` per costed stage."""
    days = window.days
    visit_cost = _visit_costs(visits, model, window)
    total_cost = sum(roles.staff_cost.values()) + sum(visit_cost.values())
    rows: Rows = [
        ("cost_per_day", "", total_cost / days if days else float("nan")),
        ("cost_per_week", "", 7 * total_cost / days if days else float("nan")),
        ("cost_per_case", "", total_cost / completions if completions else float("nan")),
    ]
    for role in model.roles:
        rows.append(
            (
                "staff_cost_per_day",
                role.name,
                roles.staff_cost[role.name] / days if days else math.nan,
            )
        )
    for stage in model.stages:
        if stage.cost:
            rows.append(
                (
                    "stage_cost_per_day",
                    stage.name,
                    visit_cost[stage.name] / days if days else math.nan,
                )
            )
    return rows


def _visit_costs(visits: pd.DataFrame, model: Model, window: MeasurementWindow) -> dict[str, float]:
    """Per stage: its cost per visit times the visits that started inside the window."""
    started = visits["start_time"].to_numpy()
    in_window = (started >= window.start) & (started <= window.end)
    if isinstance(visits["activity"].dtype, pd.CategoricalDtype):
        counts = np.bincount(
            visits["activity"].cat.codes.to_numpy()[in_window], minlength=len(model.stages)
        )
        executions = {name: int(counts[i]) for i, name in enumerate(model.stage_names)}
    else:
        executions = {
            str(k): int(c) for k, c in visits["activity"][in_window].value_counts().items()
        }
    return {s.name: float(executions.get(s.name, 0)) * s.cost for s in model.stages}


def utilization_rows(roles: RoleTime, model: Model) -> Rows:
    """``utilization`` per role: work time over time on duty."""
    rows: Rows = []
    for role in model.roles:
        available = roles.staffed[role.name]
        rows.append(
            (
                "utilization",
                role.name,
                roles.busy[role.name] / available if available > 0 else math.nan,
            )
        )
    return rows
