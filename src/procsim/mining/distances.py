"""Distances between two event logs: how far a simulated log is from a real one.

Sits at the end of the validation data flow (real log + simulated logs -> these measures ->
the validation report). The measures are the field's standard ones, as defined by
Chapela-Campa, Benchekroun, Baron, Dumas, Grigori and Schuster, "A framework for measuring
the distance between business process simulation models and event logs" (2023), and computed
by the ``log-distance-measures`` package; procsim computes them itself (vectorized, on the
event-log schema of :mod:`procsim.mining.eventlog`) because that package pins an older pandas:

- n-gram distance (control flow): histograms of the n-grams of activities of each case,
  padded at both ends; the sum of absolute differences over the sum of both (0 = same, 1 =
  nothing in common);
- absolute event distribution: start and end times binned to hours since the hour of the
  earlier first start of the two logs; 1-D Wasserstein (earth mover's) distance, in hours;
- circadian event distribution: per weekday, the Wasserstein distance between the hours of
  day of the events; averaged over the weekdays, 23 when only one log has events that day;
- relative event distribution: start and end times binned to hours since their case's first
  start; Wasserstein distance, in hours;
- cycle time: case durations binned to hours (offset by the shortest one); Wasserstein
  distance, in hours.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

#: Measures in report order: name -> (label, unit).
MEASURES: dict[str, tuple[str, str]] = {
    "ngram_3": ("3-gram distance", "0..1"),
    "absolute_emd": ("absolute event distribution EMD", "h"),
    "circadian_emd": ("circadian event distribution EMD", "h"),
    "relative_emd": ("relative event distribution EMD", "h"),
    "cycle_time_emd": ("cycle-time EMD", "h"),
}

_HOUR = np.timedelta64(3600, "s")


def _order(log: pd.DataFrame) -> pd.DataFrame:
    return log.sort_values(["case_id", "start_time", "end_time"], kind="stable")


def ngram_distance(real: pd.DataFrame, sim: pd.DataFrame, n: int = 3) -> float:
    """Distance between the n-gram histograms of two logs (0 = equal, 1 = disjoint)."""
    a, b = _ngrams(real, n), _ngrams(sim, n)
    keys = a.index.union(b.index)
    x = a.reindex(keys, fill_value=0).to_numpy(dtype=float)
    y = b.reindex(keys, fill_value=0).to_numpy(dtype=float)
    total = x.sum() + y.sum()
    return float(np.abs(x - y).sum() / total) if total else 0.0


def _ngrams(log: pd.DataFrame, n: int) -> pd.Series:
    """Counts of n-grams (tuples of activity names; None pads the start and end of a case)."""
    ordered = _order(log)
    counts: dict[tuple[object, ...], int] = {}
    pad: list[object] = [None] * (n - 1)
    for acts in ordered.groupby("case_id", sort=False)["activity"].agg(list):
        seq = pad + list(acts) + pad
        for i in range(len(seq) - n + 1):
            key = tuple(seq[i : i + n])
            counts[key] = counts.get(key, 0) + 1
    return pd.Series(counts, dtype=float)


def _both(log: pd.DataFrame) -> np.ndarray:
    return np.concatenate(
        [log["start_time"].to_numpy("datetime64[ns]"), log["end_time"].to_numpy("datetime64[ns]")]
    )


def absolute_emd(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Wasserstein distance of start and end times binned to whole hours, in hours."""
    r, s = _both(real), _both(sim)
    first = min(real["start_time"].min(), sim["start_time"].min())
    origin = np.datetime64(first, "h")
    return _emd(np.floor((r - origin) / _HOUR), np.floor((s - origin) / _HOUR))


def circadian_emd(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Mean over weekdays of the Wasserstein distance between hours of day, in hours."""
    r, s = pd.Series(_both(real)), pd.Series(_both(sim))
    out: list[float] = []
    for day in range(7):
        hr = r[r.dt.day_of_week == day].dt.hour.to_numpy(dtype=float)
        hs = s[s.dt.day_of_week == day].dt.hour.to_numpy(dtype=float)
        if hr.size and hs.size:
            out.append(_emd(hr, hs))
        elif hr.size or hs.size:
            out.append(23.0)  # the largest distance two hours of day can have
        else:
            out.append(0.0)
    return float(np.mean(out))


def _relative(log: pd.DataFrame) -> np.ndarray:
    first = log.groupby("case_id")["start_time"].transform("min")
    rel = np.concatenate(
        [
            (log["start_time"] - first).to_numpy("timedelta64[ns]"),
            (log["end_time"] - first).to_numpy("timedelta64[ns]"),
        ]
    )
    return np.asarray(np.floor(rel / _HOUR))


def relative_emd(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Wasserstein distance of event times relative to their case's start, in hours."""
    return _emd(_relative(real), _relative(sim))


def cycle_times(log: pd.DataFrame) -> np.ndarray:
    """Hours from each case's first start to its last end."""
    g = log.groupby("case_id")
    span = (g["end_time"].max() - g["start_time"].min()).to_numpy("timedelta64[ns]")
    return np.asarray(span / _HOUR, dtype=float)


def cycle_time_emd(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Wasserstein distance of cycle times binned to hours, in hours."""
    r, s = cycle_times(real), cycle_times(sim)
    low = min(r.min(), s.min())
    return _emd(np.floor(r - low), np.floor(s - low))


def _emd(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0 or b.size == 0:
        return float("nan")
    return float(wasserstein_distance(a, b))


_FUNCTIONS: dict[str, Callable[[pd.DataFrame, pd.DataFrame], float]] = {
    "ngram_3": ngram_distance,
    "absolute_emd": absolute_emd,
    "circadian_emd": circadian_emd,
    "relative_emd": relative_emd,
    "cycle_time_emd": cycle_time_emd,
}


def log_distances(real: pd.DataFrame, sim: pd.DataFrame) -> dict[str, float]:
    """Every measure of :data:`MEASURES` between a real and a simulated log.

    Parameters
    ----------
    real, sim
        Logs in the schema of :mod:`procsim.mining.eventlog` (``case_id, activity, start_time,
        end_time``; naive datetimes in the same local time).

    Returns
    -------
    dict
        Measure name -> value (NaN when a log is empty).
    """
    if real.empty or sim.empty:
        return dict.fromkeys(MEASURES, float("nan"))
    return {name: fn(real, sim) for name, fn in _FUNCTIONS.items()}
