"""Case-type KPIs of one log: arrivals, completions, abandonment, cycle time, waiting and
cost per completed case, for each case type of a model that has several.

Sits between the measurement window (:mod:`procsim.measure.window`) and the role time and cost
(:mod:`procsim.measure.role_kpis`) on one side and :mod:`procsim.measure.kpis`, which collects
these rows last, on the other.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from procsim.measure.log_columns import mean_or_nan, quantile_or_nan, suspended
from procsim.measure.role_kpis import RoleTime
from procsim.measure.window import CasesInWindow
from procsim.model.process import Model


def case_type_rows(
    cases: pd.DataFrame, scope: CasesInWindow, model: Model, roles: RoleTime
) -> list[tuple[str, str, float]]:
    """Per case type: ``type_arrived, type_completed, type_abandonment_rate,
    type_cycle_time_mean, type_cycle_time_p90, type_wait_mean, type_cost_per_case``."""
    stage_cost = {s.name: s.cost for s in model.stages}
    case_cost = _case_costs(scope.done_visits, model, roles.staff_cost, roles.busy, stage_cost)
    return _type_rows(
        cases, scope.done_visits, scope.in_scope, scope.done, scope.outcome, case_cost
    )


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
    work = (v_done["end_time"] - v_done["start_time"]).to_numpy() - suspended(v_done)
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
            ("type_cycle_time_mean", str(name), mean_or_nan(cycle[finished])),
            ("type_cycle_time_p90", str(name), quantile_or_nan(cycle[finished], 0.9)),
            ("type_wait_mean", str(name), mean_or_nan(wait_per_case[finished])),
            ("type_cost_per_case", str(name), mean_or_nan(np.nan_to_num(cost_per_case[finished]))),
        ]
    return rows
