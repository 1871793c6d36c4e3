"""Discovering the arrivals: new cases per hour by hour of week, and their trend.

Part of discovery (:func:`procsim.mining.discover.discover`): a case arrives with the start
of its first event. The profile goes into the ``arrivals.rate`` section the YAML writer writes;
the trend only into a comment, since the model's rates do not change over the weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.mining.week import WEEK_HOURS, hour_of_week, weekday_counts


def arrival_rates(
    ev: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp
) -> tuple[np.ndarray, float | None]:
    """Mean arrivals per hour by hour of week, and the relative weekly trend.

    Parameters
    ----------
    ev
        The log.
    first, last
        Its period: the number of each weekday in it divides the counts.

    Returns
    -------
    tuple
        168 mean arrivals per hour (Monday 00:00 first), and the relative change of weekly
        arrivals per week (None with fewer than three whole weeks).
    """
    arrival = ev.groupby("case_id", sort=False)["start_time"].min()
    per_day = weekday_counts(first, last)
    counts = np.bincount(hour_of_week(arrival), minlength=WEEK_HOURS).astype(float)
    return counts / np.repeat(per_day, 24), _trend(arrival)


def _trend(arrival: pd.Series) -> float | None:
    """Relative weekly change of arrivals (least-squares slope over the mean)."""
    weeks = (arrival - arrival.min()).dt.days // 7
    per_week = np.bincount(weeks.to_numpy(dtype=int)).astype(float)
    full = per_week[:-1] if len(per_week) > 1 else per_week  # the last week is partial
    if len(full) < 3 or full.mean() <= 0:
        return None
    slope = np.polyfit(np.arange(len(full)), full, 1)[0]
    return float(slope / full.mean())
