"""SLA KPIs of one log: the share of cases that went from an SLA's start moment to its end
moment within its time, on its clock (calendar or business hours).

Sits between the measurement window (:mod:`procsim.measure.window`, which selects the cases
that count) and :mod:`procsim.measure.kpis`, which collects one ``sla_attainment`` row per SLA.
The targets on these attainments are judged over replications, in the statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.measure.log_columns import outcomes
from procsim.model.process import Anchor, Model, Sla


def sla_rows(
    cases: pd.DataFrame, visits: pd.DataFrame, model: Model, end_time: float
) -> list[tuple[str, str, float]]:
    """``sla_attainment`` per SLA, over ``cases`` (those that count) and their ``visits``."""
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
        outcome, _ = outcomes(scope)
        open_case = outcome == "open"
        gave_up = (outcome == "abandoned") | (outcome == "balked")
        late_open = ~known & ~np.isnan(t0) & open_case & (elapsed > sla.within)
        missed = ~known & ~np.isnan(t0) & gave_up
        counted = int(known.sum() + late_open.sum() + missed.sum())
        rows.append(
            ("sla_attainment", sla.name, float(met.sum() / counted) if counted else float("nan"))
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


def _elapsed(sla: Sla, model: Model, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """Time from ``t0`` to ``t1`` on the SLA's clock (calendar or business hours)."""
    if sla.clock == "business" and model.business_hours is not None:
        hours = model.business_hours
        safe0, safe1 = np.nan_to_num(t0), np.nan_to_num(t1)
        out = hours.integral(safe1) - hours.integral(safe0)
        return np.asarray(np.where(np.isnan(t0) | np.isnan(t1), np.nan, out))
    return np.asarray(t1 - t0)
