"""Case KPIs of one log: counts, throughput, cycle time, abandonment, WIP, rework and value.

Sits between the measurement window (:mod:`procsim.measure.window`, which selects the cases
that count) and :mod:`procsim.measure.kpis`, which puts these process-wide rows first in the
KPI table.
"""

from __future__ import annotations

import math

import numpy as np

from procsim.measure.log_columns import mean_or_nan, quantile_or_nan, suspended
from procsim.measure.window import CasesInWindow, MeasurementWindow
from procsim.model.process import Model

Rows = list[tuple[str, str, float]]


def case_rows(scope: CasesInWindow, window: MeasurementWindow, model: Model) -> Rows:
    """The process-wide case KPIs, in catalogue order (``entity`` is "")."""
    abandoned, balked = _lost(scope)
    rows = _counts_and_cycle_times(scope, window, abandoned + balked)
    if any(s.patience is not None or s.queue_capacity is not None for s in model.stages):
        rows += _abandonment(scope, abandoned, balked)
    rows.append(_wip(scope, window))
    rows.append(_first_pass_yield(scope, model))
    if value_adding_stages(model):
        rows.append(_cycle_efficiency(scope, model))
    return rows


def value_adding_stages(model: Model) -> list[str]:
    """The stages marked ``value: value_adding``; without any, cycle efficiency does not apply
    (it would read 0, as if nothing added value, when nobody said what does)."""
    return [s.name for s in model.stages if s.value == "value_adding"]


def _counts_and_cycle_times(scope: CasesInWindow, window: MeasurementWindow, lost: int) -> Rows:
    arrived, completed, days, cycle = scope.arrived, scope.completed, window.days, scope.cycle
    return [
        ("arrived", "", arrived),
        ("completed", "", completed),
        ("open", "", arrived - completed - lost),
        ("throughput_per_day", "", scope.completions / days if days else float("nan")),
        ("cycle_time_mean", "", mean_or_nan(cycle)),
        ("cycle_time_p50", "", quantile_or_nan(cycle, 0.5)),
        ("cycle_time_p90", "", quantile_or_nan(cycle, 0.9)),
        ("cycle_time_p95", "", quantile_or_nan(cycle, 0.95)),
    ]


def _lost(scope: CasesInWindow) -> tuple[int, int]:
    """In-scope cases that abandoned, and that balked."""
    abandoned = int((scope.in_scope & (scope.outcome == "abandoned")).sum())
    balked = int((scope.in_scope & (scope.outcome == "balked")).sum())
    return abandoned, balked


def _abandonment(scope: CasesInWindow, abandoned: int, balked: int) -> Rows:
    """Only for a process where cases can give up (patience) or be turned away (capacity)."""
    arrived = scope.arrived
    return [
        ("abandoned", "", abandoned),
        ("balked", "", balked),
        ("abandonment_rate", "", (abandoned + balked) / arrived if arrived else math.nan),
    ]


def _wip(scope: CasesInWindow, window: MeasurementWindow) -> tuple[str, str, float]:
    """Time-average WIP: each case contributes its time in the system inside the window."""
    w0, w1, span = window.start, window.end, window.span
    ends = np.where(np.isnan(scope.left), w1, scope.left)
    overlap = np.clip(np.minimum(ends, w1) - np.maximum(scope.arrival, w0), 0, None)
    return ("wip_mean", "", float(overlap.sum() / span) if span else float("nan"))


def _first_pass_yield(scope: CasesInWindow, model: Model) -> tuple[str, str, float]:
    """Completed cases that did no activity twice."""
    v_done, completed = scope.done_visits, scope.completed
    n_act = max(len(model.stage_names), 1)
    pair = v_done["case_id"].to_numpy(dtype=np.int64) * n_act + v_done[
        "activity"
    ].cat.codes.to_numpy().astype(np.int64)
    pairs, counts = np.unique(pair, return_counts=True)
    reworked = np.unique(pairs[counts > 1] // n_act)
    return ("first_pass_yield", "", 1 - len(reworked) / completed if completed else float("nan"))


def _cycle_efficiency(scope: CasesInWindow, model: Model) -> tuple[str, str, float]:
    """Value-adding work time of the completed cases over their cycle time."""
    v_done, cycle = scope.done_visits, scope.cycle
    value_adding = value_adding_stages(model)
    is_va = v_done["activity"].isin(value_adding).to_numpy()
    va_work = (
        v_done["end_time"].to_numpy()[is_va]
        - v_done["start_time"].to_numpy()[is_va]
        - suspended(v_done)[is_va]
    )
    va_time = float(va_work.sum())
    return (
        "cycle_efficiency",
        "",
        va_time / float(cycle.sum()) if cycle.size and cycle.sum() > 0 else float("nan"),
    )
