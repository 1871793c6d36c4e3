"""Stage KPIs of one log: waits, processing times, visits per case and share of cycle time.

Sits between the measurement window (:mod:`procsim.measure.window`, which selects the visits
of the cases that count) and :mod:`procsim.measure.kpis`, which collects these rows, one set
per stage.
"""

from __future__ import annotations

import numpy as np

from procsim.measure.log_columns import mean_or_nan, quantile_or_nan, suspended
from procsim.measure.window import CasesInWindow
from procsim.model.process import Model


def stage_rows(scope: CasesInWindow, model: Model) -> list[tuple[str, str, float]]:
    """``wait_mean, wait_p90, waited_share, processing_mean, visits_per_case, time_share`` of
    every stage, over the visits of the in-scope cases (``time_share``: of the completed ones)."""
    v_scope, v_done, arrived = scope.visits, scope.done_visits, scope.arrived
    total_cycle = float(scope.cycle.sum())
    rows: list[tuple[str, str, float]] = []
    # Stage by stage on the column arrays: only one stage's values exist at a time.
    start = v_scope["start_time"].to_numpy()
    end = v_scope["end_time"].to_numpy()
    enabled = v_scope["enabled_time"].to_numpy()
    paused = suspended(v_scope)
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
            ("wait_mean", stage.name, mean_or_nan(w)),
            ("wait_p90", stage.name, quantile_or_nan(w, 0.9)),
            ("waited_share", stage.name, float((w > 1e-12).mean()) if w.size else float("nan")),
            ("processing_mean", stage.name, mean_or_nan(p)),
            ("visits_per_case", stage.name, mask.sum() / arrived if arrived else float("nan")),
            (
                "time_share",
                stage.name,
                sojourn / total_cycle if total_cycle > 0 else float("nan"),
            ),
        ]
    return rows
