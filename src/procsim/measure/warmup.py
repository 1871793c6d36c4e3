"""The warm-up: where the start-up transient of a run ends, by MSER-5 on work in progress,
and at least the time the system takes to forget its starting state.

Sits after the event logs of the first replications (their ``cases`` tables, stacked by
:mod:`procsim.study.collect`) and before the study measures every replication again from the
estimated warm-up. The work-in-progress series it reads is also what the review draws.

MSER-5 (White 1997; Hoad, Robinson & Davies 2010) is implemented as published: batch means of
5 observations of the averaged series, the truncation that minimises the squared standard
error of what remains, searched over the first half only. It minimises the mean squared
error of the point estimate, not the bias a confidence interval needs to be free of: in a
heavily loaded queue the transient is small beside the noise, and MSER-5 cut only the first
batch (1% of the run) at rho = 0.9, well short of the relaxation time (about 380 service
times). The warm-up is therefore never shorter than twice the integrated autocorrelation time
of work in progress, measured on the replications after the MSER-5 point: a reversible
process forgets its starting state on the time scale on which it forgets any state.
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


def autocorrelation_time(paths: np.ndarray, step: float) -> float:
    """Integrated autocorrelation time of equally spaced series (rows: replications).

    ``step * (1/2 + sum_k rho_k)``, the continuous-time ``integral of rho(t) dt`` by the
    trapezoid rule, with the autocorrelations ``rho_k`` pooled over the rows (each centred on
    its own mean) and summed over Sokal's automatic window: the smallest ``M`` with
    ``M >= 5 tau(M)`` (Sokal 1997, *Monte Carlo methods in statistical mechanics*). 0 for
    series too short or constant.
    """
    x = np.atleast_2d(np.asarray(paths, dtype=float))
    m = x.shape[1]
    if m < 8:
        return 0.0
    x = x - x.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(x, n=2 * m, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=2 * m, axis=1)[:, :m].sum(axis=0)
    if acov[0] <= 0:
        return 0.0
    tau = 0.5 + np.cumsum(acov[1:] / acov[0])  # tau[M - 1]: the window of M lags
    window = np.nonzero(np.arange(1, m) >= 5 * tau)[0]
    at = int(window[0]) if window.size else m - 2
    return float(max(tau[at], 0.5) * step)


def warmup_of_paths(paths: np.ndarray, step: float) -> float:
    """Warm-up of a set of replications of one output series sampled every ``step``: the
    MSER-5 point of their mean, and at least twice their integrated autocorrelation time after
    it (:func:`autocorrelation_time`), capped at half the series."""
    x = np.atleast_2d(np.asarray(paths, dtype=float))
    d = mser(x.mean(axis=0))
    relax = 2 * autocorrelation_time(x[:, d:], step)
    return float(max(d * step, min(relax, x.shape[1] * step / 2)))


def auto_warmup(cases: pd.DataFrame, horizon: float, points: int = 500) -> float:
    """Warm-up estimated on the WIP of the replications, per scenario
    (:func:`warmup_of_paths`); the largest over scenarios, so that every scenario is measured
    over the same window."""
    grid = np.linspace(0.0, horizon, points, endpoint=False)
    step = horizon / points
    warmup = 0.0
    for _, by_scenario in cases.groupby("scenario", sort=False, observed=True):
        paths = np.array(
            [wip_series(g, grid) for _, g in by_scenario.groupby("replication", sort=True)]
        )
        warmup = max(warmup, warmup_of_paths(paths, step))
    # On the grid, as the MSER-5 point is.
    return float(grid[min(int(np.ceil(warmup / step - 1e-9)), points - 1)])
