"""Event-log columns read as arrays, the same way by every KPI family.

Sits between the event log (:mod:`procsim.measure.event_log`, or a real log read into its
schema) and the KPI families (:mod:`procsim.measure.case_kpis` and its siblings): how a case's
outcome and leaving time are read when a real log has none, how interrupted time is read when
a log has no preemption, and means and quantiles that are NaN for no values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.sim.records import COMPLETED, OUTCOMES


def outcomes(cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
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


def suspended(visits: pd.DataFrame) -> np.ndarray:
    """Time each visit was interrupted (zeros for a log without preemption)."""
    if "suspended_time" in visits:
        return visits["suspended_time"].to_numpy(dtype=float)
    return np.zeros(len(visits))


def quantile_or_nan(x: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x``; NaN when ``x`` is empty."""
    return float(np.quantile(x, q)) if x.size else float("nan")


def mean_or_nan(x: np.ndarray) -> float:
    """The mean of ``x``; NaN when ``x`` is empty."""
    return float(x.mean()) if x.size else float("nan")
