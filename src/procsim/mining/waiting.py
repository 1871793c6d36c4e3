"""Measuring the waiting before each activity, and the part of it that is not queueing for staff.

Part of discovery (:func:`procsim.mining.discover.discover`): an activity is enabled when its
case's previous activity ends, and waits from then to its start. Queueing for staff the model
produces itself, from the staffing; what is left is waiting for something else (the customer,
a document, a call-back date), which :mod:`procsim.mining.activities` fits as a delay stage
before the activity, so the model does not blame staff for time nobody worked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.mining.week import hours


def enabled_times(ev: pd.DataFrame) -> pd.Series:
    """When each event could start: the end of its case's previous activity (its own start
    for the first one).

    Parameters
    ----------
    ev
        The log, sorted by case and start time.

    Returns
    -------
    pandas.Series
        Datetimes, aligned with ``ev``.
    """
    enabled = ev.groupby("case_id", sort=False)["end_time"].shift(1)
    return enabled.fillna(ev["start_time"])


def waiting_hours(ev: pd.DataFrame, enabled: pd.Series) -> np.ndarray:
    """Hours from each event's enabling (:func:`enabled_times`) to its start, at least 0.

    Parameters
    ----------
    ev
        The log.
    enabled
        When each event was enabled.

    Returns
    -------
    numpy.ndarray
    """
    return np.asarray(np.clip(hours(ev["start_time"] - enabled), 0, None))


def not_queueing_hours(ev: pd.DataFrame, enabled: pd.Series, wait: np.ndarray) -> np.ndarray:
    """Hours of each activity's wait that are not queueing for staff.

    The wait runs from ``enabled`` (the end of the case's previous activity) to the start.
    The time the person who did the activity spent on other work in between is queueing: the
    model's queues produce it from the staffing. What is left is waiting for something else:
    the customer, a document, a call-back date, a batch. It is measured in calendar time, so it
    includes nights: the delay stage then plays that part of the wait, and the model's shifts
    only add the time until the next shift starts.

    Parameters
    ----------
    ev
        The log.
    enabled
        When each event was enabled (:func:`enabled_times`).
    wait
        The whole wait (:func:`waiting_hours`).

    Returns
    -------
    numpy.ndarray
        One value per event; 0 where nobody is named.
    """
    out = np.zeros(len(ev))
    base = ev["start_time"].min()
    start_h = hours(ev["start_time"] - base)
    end_h = hours(ev["end_time"] - base)
    enabled_h = hours(enabled - base)
    named = (ev["resource"] != "").to_numpy()
    for rows in ev[named].groupby("resource", sort=False).indices.values():
        idx = np.flatnonzero(named)[rows]
        order = np.argsort(start_h[idx], kind="stable")
        idx = idx[order]
        s, e = start_h[idx], np.maximum(end_h[idx], start_h[idx])
        cum = np.r_[0.0, np.cumsum(e - s)]

        def busy_until(
            t: np.ndarray, s: np.ndarray = s, e: np.ndarray = e, cum: np.ndarray = cum
        ) -> np.ndarray:
            i = np.searchsorted(s, t, side="left")  # work started strictly before t
            last = np.maximum(i - 1, 0)
            partial = np.where(i > 0, np.clip(np.minimum(t, e[last]) - s[last], 0, None), 0)
            full = np.where(i > 0, cum[last], 0.0)
            return np.asarray(full + partial)

        busy = busy_until(start_h[idx]) - busy_until(enabled_h[idx])
        out[idx] = np.clip(wait[idx] - busy, 0, None)
    return out
