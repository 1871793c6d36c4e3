"""Metrics: an event log -> tidy KPI rows, one row per (metric, entity) for one replication.

Sits after the engine (and, for real logs, after reading them): it works on the event-log
schema, so a simulated log and a real one go through the same code. Times are in the process
time unit. The measurement window is ``[warmup, end_time]``: cases that arrived before the
warm-up are excluded from case KPIs, and time averages (WIP, utilization, cost) cover the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procsim.engine import SimLog
from procsim.model import Anchor, Model
from procsim.units import UNIT_HOURS, per_day

#: Columns of the visit log; the first five are those of a real event log.
VISIT_COLUMNS = (
    "case_id",
    "activity",
    "start_time",
    "end_time",
    "resource",
    "role",
    "enabled_time",
)
CASE_COLUMNS = ("case_id", "arrival_time", "completion_time")
KPI_COLUMNS = ("replication", "metric", "entity", "value")


@dataclass(frozen=True)
class EventLog:
    """A process's event log in tidy form (one replication, or one real log).

    Attributes
    ----------
    visits
        One row per stage visit: ``case_id, activity, start_time, end_time, resource, role,
        enabled_time`` (times as floats in the process time unit; NaN where not yet happened).
    cases
        One row per case: ``case_id, arrival_time, completion_time`` (NaN while open).
    start, end
        The measurement window.
    """

    visits: pd.DataFrame
    cases: pd.DataFrame
    start: float
    end: float


def to_event_log(log: SimLog, model: Model, warmup: float) -> EventLog:
    """Name a simulated log: integer ids become stage, role and resource names."""
    v = log.visits
    stage_ids = v[:, 1].astype(np.int64)
    server = v[:, 2].astype(np.int64)
    role_of_stage = np.array(
        [s.role if s.role is not None else -1 for s in model.stages], dtype=np.int64
    )
    role_ids = role_of_stage[stage_ids] if len(v) else np.empty(0, dtype=np.int64)
    role_names = np.array([*model.role_names, ""], dtype=object)
    role_col = role_names[role_ids]
    resource = np.where(server >= 0, role_col.astype(str) + "-" + (server + 1).astype(str), "")
    visits = pd.DataFrame(
        {
            "case_id": v[:, 0].astype(np.int64),
            "activity": pd.Categorical.from_codes(
                stage_ids, categories=pd.Index(list(model.stage_names))
            ),
            "start_time": v[:, 4],
            "end_time": v[:, 5],
            "resource": resource.astype(object),
            "role": pd.Categorical(role_col, categories=[*model.role_names, ""]),
            "enabled_time": v[:, 3],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": np.arange(len(log.arrival), dtype=np.int64),
            "arrival_time": log.arrival,
            "completion_time": log.completion,
        }
    )
    return EventLog(visits, cases, warmup, log.end_time)


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def compute_kpis(elog: EventLog, model: Model, replication: int = 0) -> pd.DataFrame:
    """All KPIs of the catalogue (:mod:`procsim.kpis`) for one log.

    Parameters
    ----------
    elog
        The event log and its measurement window.
    model
        Supplies stage value classes and costs, role head counts and costs, SLAs and the unit.
    replication
        Written into the ``replication`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``replication, metric, entity, value``; ``entity`` is "" for process-wide KPIs.
    """
    rows: list[tuple[str, str, float]] = []
    w0, w1 = elog.start, elog.end
    span = max(w1 - w0, 0.0)
    days = span / per_day(model.time_unit) if span > 0 else float("nan")

    cases = elog.cases
    arr = cases["arrival_time"].to_numpy()
    comp = cases["completion_time"].to_numpy()
    in_scope = (arr >= w0) & (arr < w1)
    done = in_scope & ~np.isnan(comp)
    cycle = (comp - arr)[done]
    arrived, completed = int(in_scope.sum()), int(done.sum())
    completions_in_window = int(((comp >= w0) & (comp <= w1)).sum())

    rows += [
        ("arrived", "", arrived),
        ("completed", "", completed),
        ("open", "", arrived - completed),
        ("throughput_per_day", "", completions_in_window / days if days else float("nan")),
        ("cycle_time_mean", "", _mean(cycle)),
        ("cycle_time_p50", "", _quantile(cycle, 0.5)),
        ("cycle_time_p90", "", _quantile(cycle, 0.9)),
        ("cycle_time_p95", "", _quantile(cycle, 0.95)),
    ]
    # Time-average WIP: each case contributes its time in the system inside the window.
    ends = np.where(np.isnan(comp), w1, comp)
    overlap = np.clip(np.minimum(ends, w1) - np.maximum(arr, w0), 0, None)
    rows.append(("wip_mean", "", float(overlap.sum() / span) if span else float("nan")))

    visits = elog.visits
    case_ids = visits["case_id"].to_numpy()
    scope_ids = cases["case_id"].to_numpy()[in_scope]
    done_ids = cases["case_id"].to_numpy()[done]
    v_scope = visits[np.isin(case_ids, scope_ids)]
    v_done = v_scope[np.isin(v_scope["case_id"].to_numpy(), done_ids)]

    # First-pass yield: completed cases that did no activity twice.
    repeats = v_done.groupby(["case_id", "activity"], observed=True).size()
    reworked = repeats[repeats > 1].index.get_level_values(0).unique()
    rows.append(
        ("first_pass_yield", "", 1 - len(reworked) / completed if completed else float("nan"))
    )

    value_adding = [s.name for s in model.stages if s.value == "value_adding"]
    va = v_done[v_done["activity"].isin(value_adding)]
    va_time = float((va["end_time"] - va["start_time"]).sum())
    rows.append(
        (
            "cycle_efficiency",
            "",
            va_time / float(cycle.sum()) if cycle.size and cycle.sum() > 0 else float("nan"),
        )
    )

    # Cost: paid staff time in the window (idle time is paid too) plus per-visit stage costs.
    hours = span * UNIT_HOURS[model.time_unit] / UNIT_HOURS["hours"]
    staff_cost = sum(r.servers * r.cost_per_hour for r in model.roles) * hours
    stage_cost = {s.name: s.cost for s in model.stages}
    started = visits["start_time"].to_numpy()
    started_in_window = visits[(started >= w0) & (started <= w1)]
    visit_cost = float(started_in_window["activity"].map(stage_cost).astype(float).sum())
    total_cost = staff_cost + visit_cost
    rows.append(("cost_per_day", "", total_cost / days if days else float("nan")))
    rows.append(
        (
            "cost_per_case",
            "",
            total_cost / completions_in_window if completions_in_window else float("nan"),
        )
    )

    rows += _stage_rows(v_scope, v_done, model, arrived, float(cycle.sum()))
    rows += _role_rows(visits, model, w0, w1)
    rows += _sla_rows(cases[in_scope], v_scope, model, w1)
    out = pd.DataFrame(rows, columns=["metric", "entity", "value"])
    out.insert(0, "replication", replication)
    out["value"] = out["value"].astype(float)
    return out


def _stage_rows(
    v_scope: pd.DataFrame, v_done: pd.DataFrame, model: Model, arrived: int, total_cycle: float
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    wait = (v_scope["start_time"] - v_scope["enabled_time"]).to_numpy()
    proc = (v_scope["end_time"] - v_scope["start_time"]).to_numpy()
    act = v_scope["activity"].cat.codes.to_numpy()
    sojourn = (v_done["end_time"] - v_done["enabled_time"]).to_numpy()
    act_done = v_done["activity"].cat.codes.to_numpy()
    for stage in model.stages:
        mask = act == stage.id
        w = wait[mask]
        w = w[~np.isnan(w)]
        p = proc[mask]
        p = p[~np.isnan(p)]
        rows += [
            ("wait_mean", stage.name, _mean(w)),
            ("wait_p90", stage.name, _quantile(w, 0.9)),
            ("waited_share", stage.name, float((w > 1e-12).mean()) if w.size else float("nan")),
            ("processing_mean", stage.name, _mean(p)),
            ("visits_per_case", stage.name, mask.sum() / arrived if arrived else float("nan")),
            (
                "time_share",
                stage.name,
                float(sojourn[act_done == stage.id].sum() / total_cycle)
                if total_cycle > 0
                else float("nan"),
            ),
        ]
    return rows


def _role_rows(
    visits: pd.DataFrame, model: Model, w0: float, w1: float
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    span = w1 - w0
    start = visits["start_time"].to_numpy()
    end = visits["end_time"].to_numpy()
    end = np.where(np.isnan(end) & ~np.isnan(start), w1, end)
    busy = np.clip(np.minimum(end, w1) - np.maximum(start, w0), 0, None)
    busy = np.nan_to_num(busy)
    role_codes = visits["role"].cat.codes.to_numpy()
    for role in model.roles:
        total = float(busy[role_codes == role.id].sum())
        rows.append(
            ("utilization", role.name, total / (role.servers * span) if span > 0 else float("nan"))
        )
    return rows


def _anchor_times(anchor: Anchor, cases: pd.DataFrame, visits: pd.DataFrame) -> np.ndarray:
    if anchor.kind == "arrival":
        return cases["arrival_time"].to_numpy()
    if anchor.kind == "completion":
        return cases["completion_time"].to_numpy()
    column = "start_time" if anchor.kind == "start" else "end_time"
    sub = visits[visits["activity"].cat.codes.to_numpy() == anchor.stage]
    # The first visit of the stage counts (a first response is the first one).
    first = (
        sub.groupby("case_id")[column].min()
        if anchor.kind == "start"
        else sub.groupby("case_id")[column].first()
    )
    return cases["case_id"].map(first).to_numpy(dtype=float)


def _sla_rows(
    cases: pd.DataFrame, visits: pd.DataFrame, model: Model, end_time: float
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    for sla in model.slas:
        t0 = _anchor_times(sla.start, cases, visits)
        t1 = _anchor_times(sla.end, cases, visits)
        known = ~np.isnan(t0) & ~np.isnan(t1)
        met = known & (t1 - t0 <= sla.within + 1e-12)
        # Still waiting for the end moment but already late: a miss, not "unknown". Cases
        # already complete that never reach the end moment do not count (SLA not applicable).
        open_case = np.isnan(cases["completion_time"].to_numpy())
        late_open = ~known & ~np.isnan(t0) & open_case & (end_time - t0 > sla.within)
        counted = int(known.sum() + late_open.sum())
        rows.append(
            ("sla_attainment", sla.name, float(met.sum() / counted) if counted else float("nan"))
        )
    return rows
