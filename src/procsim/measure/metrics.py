"""Metrics: an event log -> tidy KPI rows, one row per (metric, entity) for one replication.

Sits after the engine (and, for real logs, after reading them): it works on the event-log
schema, so a simulated log and a real one go through the same code. Times are in the process
time unit. The measurement window is ``[warmup, end_time]``: cases that arrived before the
warm-up are excluded from case KPIs, and time averages (WIP, utilization, cost) cover the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procsim.model.process import Anchor, Model, Sla
from procsim.model.units import UNIT_HOURS, per_day
from procsim.sim.records import COMPLETED, OUTCOMES, SimLog

#: Columns of the visit log; the first five are those of a real event log.
VISIT_COLUMNS = (
    "case_id",
    "activity",
    "start_time",
    "end_time",
    "resource",
    "role",
    "enabled_time",
    "suspended_time",
)
CASE_COLUMNS = (
    "case_id",
    "arrival_time",
    "completion_time",
    "case_type",
    "outcome",
    "left_time",
)
STAFF_COLUMNS = ("time", "role", "on_duty")
KPI_COLUMNS = ("replication", "metric", "entity", "value")


@dataclass(frozen=True)
class EventLog:
    """A process's event log in tidy form (one replication, or one real log).

    Attributes
    ----------
    visits
        One row per stage visit: ``case_id, activity, start_time, end_time, resource, role,
        enabled_time, suspended_time`` (times as floats in the process time unit; NaN where not
        yet happened; ``suspended_time`` is time interrupted by higher-priority work).
    cases
        One row per case: ``case_id, arrival_time, completion_time`` (NaN unless completed),
        and optionally ``case_type``, ``outcome`` (open, completed, abandoned, balked) and
        ``left_time`` (when the case left, however it left).
    start, end
        The measurement window.
    staff
        Head count on duty per role from each ``time`` on (``time, role, on_duty``); None means
        the model's constant head counts.
    pauses
        Interruptions by preemption (``row`` of ``visits``, ``start``, ``end``); None when
        unknown (then ``suspended_time`` is spread evenly over a visit).
    """

    visits: pd.DataFrame
    cases: pd.DataFrame
    start: float
    end: float
    staff: pd.DataFrame | None = None
    pauses: pd.DataFrame | None = None


def to_event_log(log: SimLog, model: Model, warmup: float) -> EventLog:
    """Name a simulated log: integer ids become stage, role and resource names."""
    v = log.visits
    # Small integer types: a replication of a million cases has millions of visits.
    stage_ids = v[:, 1].astype(np.int32)
    server = v[:, 2].astype(np.int32)
    role_of_stage = np.array(
        [s.role if s.role is not None else -1 for s in model.stages], dtype=np.int32
    )
    role_ids = role_of_stage[stage_ids] if len(v) else np.empty(0, dtype=np.int32)
    # Resource names ("reviewer-2") as a categorical: a code per visit, not a string.
    first = np.cumsum([1] + [r.servers for r in model.roles]).astype(np.int32)
    names = [""] + [f"{r.name}-{k + 1}" for r in model.roles for k in range(r.servers)]
    safe_role = np.where(role_ids >= 0, role_ids, 0)
    codes = (
        np.where((server >= 0) & (role_ids >= 0), first[safe_role] + server, 0)
        if len(v)
        else np.empty(0, dtype=np.int32)
    )
    if len(set(names)) == len(names):
        resource: Any = pd.Categorical.from_codes(codes, categories=pd.Index(names))
    else:  # role names such as "a" and "a-1" would give two "a-1": plain strings then
        resource = np.asarray(names, dtype=object)[codes]
    role_codes = np.where(role_ids >= 0, role_ids, len(model.roles))
    del codes, safe_role, role_ids, server
    # Column by column, each a copy of a view of the table: a dict of arrays would be
    # consolidated into one float block, briefly holding every float column twice.
    visits = pd.DataFrame({"case_id": v[:, 0].astype(np.int64)})
    visits["activity"] = pd.Categorical.from_codes(
        stage_ids, categories=pd.Index(list(model.stage_names))
    )
    del stage_ids
    visits["start_time"] = v[:, 4].copy()
    visits["end_time"] = v[:, 5].copy()
    visits["resource"] = resource
    visits["role"] = pd.Categorical.from_codes(
        role_codes, categories=pd.Index([*model.role_names, ""])
    )
    del resource, role_codes
    visits["enabled_time"] = v[:, 3].copy()
    visits["suspended_time"] = log.suspended if log.suspended is not None else np.zeros(len(v))
    n_cases = len(log.arrival)
    completed = ~np.isnan(log.completion)
    case_type = log.case_type if log.case_type is not None else np.zeros(n_cases, np.int64)
    outcome = log.outcome if log.outcome is not None else completed.astype(np.int64) * COMPLETED
    left = log.left if log.left is not None else log.completion
    staff_log = log.staff
    if staff_log is None:
        staff_log = np.array([(0.0, r.id, r.servers) for r in model.roles]).reshape(-1, 3)
    cases = pd.DataFrame(
        {
            "case_id": np.arange(len(log.arrival), dtype=np.int64),
            "arrival_time": log.arrival,
            "completion_time": log.completion,
            "case_type": pd.Categorical.from_codes(
                case_type, categories=pd.Index(list(model.type_names))
            ),
            "outcome": pd.Categorical.from_codes(
                outcome.astype(np.int64), categories=pd.Index(list(OUTCOMES))
            ),
            "left_time": left,
        }
    )
    staff = pd.DataFrame(
        {
            "time": staff_log[:, 0],
            "role": pd.Categorical.from_codes(
                staff_log[:, 1].astype(np.int64), categories=pd.Index(list(model.role_names))
            ),
            "on_duty": staff_log[:, 2],
        }
    )
    pauses = None
    if log.pauses is not None:
        pauses = pd.DataFrame(
            {
                "row": log.pauses[:, 0].astype(np.int64),
                "start": log.pauses[:, 1],
                "end": log.pauses[:, 2],
            }
        )
    return EventLog(visits, cases, warmup, log.end_time, staff, pauses)


def _outcomes(cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Outcome labels and leaving times; a real log without them has completed or open cases."""
    comp = cases["completion_time"].to_numpy(dtype=float)
    if "outcome" in cases:
        column = cases["outcome"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            # The shared category labels by code, not a new string per case.
            labels = np.asarray([str(c) for c in column.cat.categories], dtype=object)
            outcome = labels[column.cat.codes.to_numpy()]
        else:
            outcome = column.astype(str).to_numpy()
        left = cases["left_time"].to_numpy(dtype=float)
    else:
        outcome = np.where(np.isnan(comp), "open", OUTCOMES[COMPLETED])
        left = comp
    return outcome, left


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


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def compute_kpis(elog: EventLog, model: Model, replication: int = 0) -> pd.DataFrame:
    """All KPIs of the catalogue (:mod:`procsim.model.kpi_catalogue`) for one log.

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
    outcome, left = _outcomes(cases)
    in_scope = (arr >= w0) & (arr < w1)
    done = in_scope & ~np.isnan(comp)
    cycle = (comp - arr)[done]
    arrived, completed = int(in_scope.sum()), int(done.sum())
    abandoned = int((in_scope & (outcome == "abandoned")).sum())
    balked = int((in_scope & (outcome == "balked")).sum())
    completions_in_window = int(((comp >= w0) & (comp <= w1)).sum())

    rows += [
        ("arrived", "", arrived),
        ("completed", "", completed),
        ("open", "", arrived - completed - abandoned - balked),
        ("throughput_per_day", "", completions_in_window / days if days else float("nan")),
        ("cycle_time_mean", "", _mean(cycle)),
        ("cycle_time_p50", "", _quantile(cycle, 0.5)),
        ("cycle_time_p90", "", _quantile(cycle, 0.9)),
        ("cycle_time_p95", "", _quantile(cycle, 0.95)),
    ]
    if any(s.patience is not None or s.queue_capacity is not None for s in model.stages):
        rows += [
            ("abandoned", "", abandoned),
            ("balked", "", balked),
            ("abandonment_rate", "", (abandoned + balked) / arrived if arrived else math.nan),
        ]
    # Time-average WIP: each case contributes its time in the system inside the window.
    ends = np.where(np.isnan(left), w1, left)
    overlap = np.clip(np.minimum(ends, w1) - np.maximum(arr, w0), 0, None)
    rows.append(("wip_mean", "", float(overlap.sum() / span) if span else float("nan")))

    visits = elog.visits
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
    del done_visit

    # First-pass yield: completed cases that did no activity twice.
    n_act = max(len(model.stage_names), 1)
    pair = v_done["case_id"].to_numpy(dtype=np.int64) * n_act + v_done[
        "activity"
    ].cat.codes.to_numpy().astype(np.int64)
    pairs, counts = np.unique(pair, return_counts=True)
    reworked = np.unique(pairs[counts > 1] // n_act)
    del pair, pairs, counts
    rows.append(
        ("first_pass_yield", "", 1 - len(reworked) / completed if completed else float("nan"))
    )

    value_adding = [s.name for s in model.stages if s.value == "value_adding"]
    is_va = v_done["activity"].isin(value_adding).to_numpy()
    va_work = (
        v_done["end_time"].to_numpy()[is_va]
        - v_done["start_time"].to_numpy()[is_va]
        - _suspended(v_done)[is_va]
    )
    va_time = float(va_work.sum())
    del is_va, va_work
    rows.append(
        (
            "cycle_efficiency",
            "",
            va_time / float(cycle.sum()) if cycle.size and cycle.sum() > 0 else float("nan"),
        )
    )

    # Cost: paid staff time in the window (idle time is paid too, shifts as worked) plus
    # per-visit stage costs.
    staffed = staffed_time(elog, model)
    busy = _busy_by_role(visits, model, w0, w1, elog.pauses)
    to_hours = UNIT_HOURS[model.time_unit] / UNIT_HOURS["hours"]
    staff_cost = {r.name: staffed[r.name] * to_hours * r.cost_per_hour for r in model.roles}
    stage_cost = {s.name: s.cost for s in model.stages}
    started = visits["start_time"].to_numpy()
    in_window = (started >= w0) & (started <= w1)
    if isinstance(visits["activity"].dtype, pd.CategoricalDtype):
        counts = np.bincount(
            visits["activity"].cat.codes.to_numpy()[in_window], minlength=len(model.stages)
        )
        executions = {name: int(counts[i]) for i, name in enumerate(model.stage_names)}
    else:
        executions = {
            str(k): int(c) for k, c in visits["activity"][in_window].value_counts().items()
        }
    del in_window
    visit_cost = {s.name: float(executions.get(s.name, 0)) * s.cost for s in model.stages}
    total_cost = sum(staff_cost.values()) + sum(visit_cost.values())
    rows.append(("cost_per_day", "", total_cost / days if days else float("nan")))
    rows.append(("cost_per_week", "", 7 * total_cost / days if days else float("nan")))
    rows.append(
        (
            "cost_per_case",
            "",
            total_cost / completions_in_window if completions_in_window else float("nan"),
        )
    )
    for role in model.roles:
        rows.append(
            ("staff_cost_per_day", role.name, staff_cost[role.name] / days if days else math.nan)
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

    rows += _stage_rows(v_scope, v_done, model, arrived, float(cycle.sum()))
    rows += _role_rows(busy, model, staffed)
    rows += _sla_rows(cases[in_scope], v_scope, model, w1)
    if len(model.case_types) > 1 and "case_type" in cases:
        case_cost = _case_costs(v_done, model, staff_cost, busy, stage_cost)
        rows += _type_rows(cases, v_done, in_scope, done, outcome, case_cost)
    out = pd.DataFrame(rows, columns=["metric", "entity", "value"])
    out.insert(0, "replication", replication)
    out["value"] = out["value"].astype(float)
    return out


def _stage_rows(
    v_scope: pd.DataFrame, v_done: pd.DataFrame, model: Model, arrived: int, total_cycle: float
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    # Stage by stage on the column arrays: only one stage's values exist at a time.
    start = v_scope["start_time"].to_numpy()
    end = v_scope["end_time"].to_numpy()
    enabled = v_scope["enabled_time"].to_numpy()
    paused = _suspended(v_scope)
    act = v_scope["activity"].cat.codes.to_numpy()
    done_end = v_done["end_time"].to_numpy()
    done_enabled = v_done["enabled_time"].to_numpy()
    act_done = v_done["activity"].cat.codes.to_numpy()
    for stage in model.stages:
        mask = act == stage.id
        st = start[mask]
        w = st - enabled[mask]
        w = w[~np.isnan(w)]
        p = end[mask] - st - paused[mask]
        p = p[~np.isnan(p)]
        done = act_done == stage.id
        sojourn = float((done_end[done] - done_enabled[done]).sum())
        rows += [
            ("wait_mean", stage.name, _mean(w)),
            ("wait_p90", stage.name, _quantile(w, 0.9)),
            ("waited_share", stage.name, float((w > 1e-12).mean()) if w.size else float("nan")),
            ("processing_mean", stage.name, _mean(p)),
            ("visits_per_case", stage.name, mask.sum() / arrived if arrived else float("nan")),
            (
                "time_share",
                stage.name,
                sojourn / total_cycle if total_cycle > 0 else float("nan"),
            ),
        ]
    return rows


def _suspended(visits: pd.DataFrame) -> np.ndarray:
    """Time each visit was interrupted (zeros for a log without preemption)."""
    if "suspended_time" in visits:
        return visits["suspended_time"].to_numpy(dtype=float)
    return np.zeros(len(visits))


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
        paused = share * _suspended(visits)
    inside -= paused
    busy = np.nan_to_num(inside, copy=False)
    role_codes = visits["role"].cat.codes.to_numpy()
    return {role.name: float(busy[role_codes == role.id].sum()) for role in model.roles}


def _role_rows(
    busy: dict[str, float], model: Model, staffed: dict[str, float]
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    for role in model.roles:
        available = staffed[role.name]
        rows.append(
            ("utilization", role.name, busy[role.name] / available if available > 0 else math.nan)
        )
    return rows


def _case_costs(
    v_done: pd.DataFrame,
    model: Model,
    staff_cost: dict[str, float],
    busy: dict[str, float],
    stage_cost: dict[str, float],
) -> pd.Series:
    """Cost of each completed case: its work at each role's loaded rate plus its stage costs.

    The loaded rate of a role is its paid cost in the window over its work time in the window,
    so idle (paid) time is spread over the work done: activity-based costing, which makes the
    case costs add up to the staff cost of the work they received.
    """
    rate = {
        r.name: staff_cost[r.name] / busy[r.name] if busy[r.name] > 0 else 0.0 for r in model.roles
    }
    by_code = np.array([rate[r.name] for r in model.roles] + [0.0])
    codes = v_done["role"].cat.codes.to_numpy()  # -1 (no role) picks the trailing 0.0
    work = (v_done["end_time"] - v_done["start_time"]).to_numpy() - _suspended(v_done)
    cost = np.nan_to_num(work) * by_code[codes]
    cost = cost + v_done["activity"].map(stage_cost).astype(float).to_numpy()
    return pd.Series(cost, index=v_done.index).groupby(v_done["case_id"].to_numpy()).sum()


def _type_rows(
    cases: pd.DataFrame,
    v_done: pd.DataFrame,
    in_scope: np.ndarray,
    done: np.ndarray,
    outcome: np.ndarray,
    case_cost: pd.Series,
) -> list[tuple[str, str, float]]:
    """Per case type: arrivals, completions, abandonment, cycle time, time spent waiting and
    cost per completed case (activity-based, see :func:`_case_costs`)."""
    rows: list[tuple[str, str, float]] = []
    types = cases["case_type"]
    cycle = (cases["completion_time"] - cases["arrival_time"]).to_numpy()
    waited = (v_done["start_time"] - v_done["enabled_time"]).groupby(v_done["case_id"]).sum()
    wait_per_case = cases["case_id"].map(waited).to_numpy(dtype=float)
    cost_per_case = cases["case_id"].map(case_cost).to_numpy(dtype=float)
    lost = (outcome == "abandoned") | (outcome == "balked")
    for name in types.cat.categories:
        is_type = (types == name).to_numpy()
        scope = in_scope & is_type
        finished = done & is_type
        arrived = int(scope.sum())
        rows += [
            ("type_arrived", str(name), arrived),
            ("type_completed", str(name), int(finished.sum())),
            (
                "type_abandonment_rate",
                str(name),
                float((scope & lost).sum() / arrived) if arrived else math.nan,
            ),
            ("type_cycle_time_mean", str(name), _mean(cycle[finished])),
            ("type_cycle_time_p90", str(name), _quantile(cycle[finished], 0.9)),
            ("type_wait_mean", str(name), _mean(wait_per_case[finished])),
            ("type_cost_per_case", str(name), _mean(np.nan_to_num(cost_per_case[finished]))),
        ]
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
        scope = cases
        if sla.case_types is not None and "case_type" in cases:
            names = [model.type_names[i] for i in sla.case_types]
            scope = cases[cases["case_type"].isin(names).to_numpy()]
        t0 = _anchor_times(sla.start, scope, visits)
        t1 = _anchor_times(sla.end, scope, visits)
        known = ~np.isnan(t0) & ~np.isnan(t1)
        elapsed = _elapsed(sla, model, t0, np.where(known, t1, end_time))
        met = known & (elapsed <= sla.within + 1e-12)
        # Still waiting for the end moment but already late: a miss, not "unknown". Cases
        # that left without reaching the end moment do not count (SLA not applicable), except
        # those that gave up waiting, which missed it.
        outcome, _ = _outcomes(scope)
        open_case = outcome == "open"
        gave_up = (outcome == "abandoned") | (outcome == "balked")
        late_open = ~known & ~np.isnan(t0) & open_case & (elapsed > sla.within)
        missed = ~known & ~np.isnan(t0) & gave_up
        counted = int(known.sum() + late_open.sum() + missed.sum())
        rows.append(
            ("sla_attainment", sla.name, float(met.sum() / counted) if counted else float("nan"))
        )
    return rows


def _elapsed(sla: Sla, model: Model, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """Time from ``t0`` to ``t1`` on the SLA's clock (calendar or business hours)."""
    if sla.clock == "business" and model.business_hours is not None:
        hours = model.business_hours
        safe0, safe1 = np.nan_to_num(t0), np.nan_to_num(t1)
        out = hours.integral(safe1) - hours.integral(safe0)
        return np.asarray(np.where(np.isnan(t0) | np.isnan(t1), np.nan, out))
    return np.asarray(t1 - t0)
