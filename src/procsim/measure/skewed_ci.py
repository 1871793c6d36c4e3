"""Confidence intervals of a mean over replications that stay honest when the replications are
skewed: the Student t interval, widened to the bootstrap-t bounds when the sample is skewed.

Sits inside the statistics over replications (:mod:`procsim.measure.stats` calls it for every
KPI of the summary). A short run from empty (a four-week pilot) gives per-replication values
with a long right tail: with 10 replications of a 20-hour M/M/1 pilot at rho = 0.9 the t
interval covered the exact transient work in progress in 90.7% of 1,000 studies, nearly all
misses below the truth. The studentized (bootstrap-t) interval is second-order accurate for
a skewed mean (Efron & Tibshirani 1993, ch. 12; Hall 1992) and is asymmetric where the data
are; taking the union with the t interval never makes an interval narrower than before. On
those pilots it covers 93.7-94.8% (``benchmarks/ci_coverage.py``); on normal replications
it is used only when the sample skewness is at least its standard error, and coverage stays
about 95%.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import stats as sps

#: Bootstrap resamples for the bootstrap-t interval; the seed is fixed, so the same
#: replications always give the same interval.
RESAMPLES = 1999
#: Fewer replications than this: the sample skewness says too little, the t interval is kept.
MIN_REPLICATIONS = 6

Method = Literal["t", "bootstrap-t"]


def skewness_z(x: np.ndarray) -> float:
    """Adjusted sample skewness ``G1`` over its standard error under normality
    ``sqrt(6 n (n - 1) / ((n - 2)(n + 1)(n + 3)))``; NaN for constant or tiny samples."""
    n = x.size
    if n < 3 or not np.ptp(x) > 0:
        return math.nan
    g1 = float(sps.skew(x, bias=False))
    se = math.sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
    return g1 / se


def bootstrap_t(
    x: np.ndarray, level: float = 0.95, resamples: int = RESAMPLES
) -> tuple[float, float]:
    """Bootstrap-t (studentized) interval of the mean: ``mean - q_hi se, mean - q_lo se`` with
    ``q`` the quantiles of ``(mean* - mean) / se*`` over resamples (resamples with ``se* = 0``
    are left out)."""
    n = x.size
    mean, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(n))
    rng = np.random.default_rng(0)
    resampled = x[rng.integers(0, n, size=(resamples, n))]
    se_star = resampled.std(axis=1, ddof=1) / math.sqrt(n)
    keep = se_star > 0
    if not keep.any() or se <= 0:
        return mean, mean
    t_star = (resampled.mean(axis=1)[keep] - mean) / se_star[keep]
    q_low, q_high = np.quantile(t_star, [(1 - level) / 2, (1 + level) / 2])
    return mean - float(q_high) * se, mean - float(q_low) * se


def mean_interval(
    values: np.ndarray, level: float = 0.95
) -> tuple[float, float, int, float, float, Method]:
    """Mean, sd, n, CI bounds and the interval used, over the finite values.

    The t interval; when there are at least :data:`MIN_REPLICATIONS` values and their sample
    skewness is at least one standard error from 0, its union with the bootstrap-t interval
    (``bootstrap-t``), which reaches further on the skewed side.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, 0, math.nan, math.nan, "t"
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, 1, math.nan, math.nan, "t"
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))
    low, high = mean - half, mean + half
    if n >= MIN_REPLICATIONS and abs(skewness_z(x)) >= 1.0:
        b_low, b_high = bootstrap_t(x, level)
        return mean, sd, n, min(low, b_low), max(high, b_high), "bootstrap-t"
    return mean, sd, n, low, high, "t"
