"""Statistics over replications: confidence intervals and paired differences.

Sits after metrics: it takes the tidy per-replication KPI table (``scenario, replication, metric,
entity, value``) and returns the ``summary`` (mean, sd, n, 95% CI per KPI and scenario) and the
``comparison`` (redesign minus current process, paired by replication: both ran on common random
numbers, so the paired CI is much tighter than one from independent runs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from procsim.model import Target

KEYS = ["metric", "entity"]


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, int, float]:
    """Mean, standard deviation, n and CI half-width (Student t) of the finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), 0, float("nan")
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan"), 1, float("nan")
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return mean, sd, n, half


def summarize(kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of every KPI, per scenario.

    Parameters
    ----------
    kpis
        Tidy table with ``scenario, replication, metric, entity, value``.
    level
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``scenario, metric, entity, mean, sd, n, half_width, ci_low, ci_high``, in the input's
        row order of first appearance.
    """
    rows = []
    for (scenario, metric, entity), group in kpis.groupby(
        ["scenario", *KEYS], sort=False, observed=True
    ):
        mean, sd, n, half = t_interval(group["value"].to_numpy(), level)
        rows.append((scenario, metric, entity, mean, sd, n, half, mean - half, mean + half))
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "metric",
            "entity",
            "mean",
            "sd",
            "n",
            "half_width",
            "ci_low",
            "ci_high",
        ],
    )


def compare(kpis: pd.DataFrame, baseline: str, scenario: str, level: float = 0.95) -> pd.DataFrame:
    """Paired differences ``scenario - baseline`` of every KPI, replication by replication.

    Returns
    -------
    pandas.DataFrame
        ``scenario, metric, entity, before, after, diff, diff_low, diff_high, n, change_pct,
        significant``; ``significant`` is False when the CI of the difference includes 0.
    """
    base = kpis[kpis["scenario"] == baseline]
    alt = kpis[kpis["scenario"] == scenario]
    merged = base.merge(alt, on=["replication", *KEYS], suffixes=("_b", "_a"))
    rows = []
    for (metric, entity), g in merged.groupby(KEYS, sort=False, observed=True):
        before = float(np.nanmean(g["value_b"])) if g["value_b"].notna().any() else np.nan
        after = float(np.nanmean(g["value_a"])) if g["value_a"].notna().any() else np.nan
        mean, _sd, n, half = t_interval((g["value_a"] - g["value_b"]).to_numpy(), level)
        change = mean / before * 100 if before and np.isfinite(before) else np.nan
        significant = bool(n >= 2 and np.isfinite(half) and abs(mean) > half)
        rows.append(
            (
                scenario,
                metric,
                entity,
                before,
                after,
                mean,
                mean - half,
                mean + half,
                n,
                change,
                significant,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "metric",
            "entity",
            "before",
            "after",
            "diff",
            "diff_low",
            "diff_high",
            "n",
            "change_pct",
            "significant",
        ],
    )


def target_status(low: float, high: float, target: Target) -> str:
    """``met`` when the whole CI meets the target, ``missed`` when none of it does, else
    ``uncertain`` (more replications may decide)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "uncertain"
    if target.met(low) and target.met(high):
        return "met"
    if not target.met(low) and not target.met(high):
        return "missed"
    return "uncertain"
