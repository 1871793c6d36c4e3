"""The week as discovery measures it: hours of the week from Monday 00:00, and hours between
two times.

Shared by the discovery modules that build weekly profiles from an event log's datetimes
(:mod:`procsim.mining.arrivals`, :mod:`procsim.mining.staffing`, :mod:`procsim.mining.batches`)
or measure times in hours (:mod:`procsim.mining.routing`, :mod:`procsim.mining.waiting`), and by
the YAML writer, which writes those profiles per day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEK_HOURS = 168
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours(delta: pd.Series) -> np.ndarray:
    """Time differences in hours.

    Parameters
    ----------
    delta
        A timedelta column.

    Returns
    -------
    numpy.ndarray
        Floats; NaN where ``delta`` is missing.
    """
    return np.asarray(delta.dt.total_seconds().to_numpy(dtype=float) / 3600.0)


def hour_of_week(t: pd.Series) -> np.ndarray:
    """The hour of the week (0 for Monday 00:00-01:00, up to 167) of each datetime.

    Parameters
    ----------
    t
        A datetime column.

    Returns
    -------
    numpy.ndarray
        Integers.
    """
    return np.asarray(t.dt.day_of_week * 24 + t.dt.hour, dtype=int)


def weekday_counts(first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    """How many of each weekday (Mon..Sun) the period covers (at least 1).

    Parameters
    ----------
    first, last
        The period.

    Returns
    -------
    numpy.ndarray
        Seven floats: what a count per hour of week is divided by for a mean per week.
    """
    days = pd.date_range(first.normalize(), last.normalize(), freq="D")
    counts = np.bincount(days.day_of_week, minlength=7).astype(float)
    return np.asarray(np.maximum(counts, 1.0))
