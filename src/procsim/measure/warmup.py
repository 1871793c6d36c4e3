"""The warm-up: where the start-up transient of a run ends, by MSER-5 on work in progress.

Sits after the event logs of the first replications (their ``cases`` tables, stacked by
:mod:`procsim.study.collect`) and before the study measures every replication again from the
estimated warm-up. The work-in-progress series it reads is also what the review draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def mser(series: np.ndarray, batch: int = 5) -> int:
    """MSER-``batch`` truncation point of an output series (index into ``series``).

    Batch means of ``batch`` observations are formed; the truncation ``d`` minimises the
    squared standard error of the mean of what remains, ``sum((x - mean)^2) / (n - d)^2``,
    searched over the first half of the series (White, 1997; MSER-5 with ``batch=5``).
    """
    x = np.asarray(series, dtype=float)
    n = x.size // batch
    if n < 4:
        return 0
    means = x[: n * batch].reshape(n, batch).mean(axis=1)
    # Sums over the tail means[d:], for every d, from cumulative sums taken from the end.
    tail_sum = np.cumsum(means[::-1])[::-1]
    tail_sq = np.cumsum((means**2)[::-1])[::-1]
    remaining = np.arange(n, 0, -1, dtype=float)
    sse = tail_sq - tail_sum**2 / remaining
    stat = sse / remaining**2
    d = int(np.argmin(stat[: n // 2 + 1]))
    return d * batch


def left_column(cases: pd.DataFrame) -> str:
    """The column of ``cases`` that says when a case left the system: ``left_time`` (however
    it left), or ``completion_time`` in a log without outcomes."""
    return "left_time" if "left_time" in cases else "completion_time"


def wip_series(cases: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    """Work in progress at each time of ``grid``: cases with ``arrival <= t < left``.

    A case leaves the system when it completes, abandons or balks; only an open case counts
    until the end. Counting abandoned and balked cases until their (never coming) completion
    would make the series climb for ever in a process where customers give up.

    Parameters
    ----------
    cases
        ``arrival_time`` and ``left_time`` (NaN while open) of one scenario and replication.
        Without ``left_time`` (a log whose cases only complete or stay open),
        ``completion_time`` is used.
    grid
        Times at which to count.

    Returns
    -------
    numpy.ndarray
        The number of cases in the system at each grid time.
    """
    arrival = np.sort(cases["arrival_time"].to_numpy(dtype=float))
    left = cases[left_column(cases)].to_numpy(dtype=float)
    left = np.sort(left[~np.isnan(left)])
    arrived = np.searchsorted(arrival, grid, side="right")
    gone = np.searchsorted(left, grid, side="right")
    return (arrived - gone).astype(float)


def auto_warmup(cases: pd.DataFrame, horizon: float, points: int = 500) -> float:
    """Warm-up estimated by MSER-5 on the mean WIP over replications, per scenario; the
    largest over scenarios, so that every scenario is measured over the same window."""
    grid = np.linspace(0.0, horizon, points, endpoint=False)
    warmup = 0.0
    for _, by_scenario in cases.groupby("scenario", sort=False, observed=True):
        series = np.mean(
            [wip_series(g, grid) for _, g in by_scenario.groupby("replication", sort=True)],
            axis=0,
        )
        warmup = max(warmup, float(grid[mser(series)]))
    return warmup
