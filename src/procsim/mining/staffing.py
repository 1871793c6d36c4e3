"""Discovering staff on duty: head counts by hour of week, and the work done when nobody was.

Part of discovery: :mod:`procsim.mining.roles` builds each role's profile with
:func:`on_duty` and :func:`head_counts`, and :func:`procsim.mining.discover.discover` takes
the hours nobody of a role was on duty out of its recorded work with :func:`working_hours`
(the model's shifts add them back), before :mod:`procsim.mining.load_check` weighs that work
against the head counts. The YAML writer turns the head counts into shifts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from procsim.mining.process_fit import RoleFit
from procsim.mining.week import WEEK_HOURS, hours

#: Average head count on duty from which an hour of week is staffed (rounded half up above).
STAFF_FLOOR = 0.25


def on_duty(sub: pd.DataFrame, per_day: np.ndarray) -> np.ndarray:
    """Mean head count on duty per hour of week: each resource is on duty, each day it
    worked, from its first start to its last end of that day (whole hours it touched).

    Parameters
    ----------
    sub
        The events of one role.
    per_day
        How many of each weekday the log covers (:func:`procsim.mining.week.weekday_counts`).

    Returns
    -------
    numpy.ndarray
        168 means, Monday 00:00 first.
    """
    if sub.empty:
        return np.zeros(WEEK_HOURS)
    day = sub["start_time"].dt.normalize()
    spans = sub.groupby([sub["resource"], day]).agg(
        begin=("start_time", "min"), finish=("end_time", "max")
    )
    total = np.zeros(WEEK_HOURS)
    begin_h = spans["begin"].dt.hour.to_numpy()
    finish = spans["finish"]
    same_day = (finish.dt.normalize() == spans["begin"].dt.normalize()).to_numpy()
    finish_h = np.where(same_day, finish.dt.hour.to_numpy(), 23)
    dow = spans["begin"].dt.day_of_week.to_numpy()
    for d, b, f in zip(dow, begin_h, finish_h, strict=True):
        total[d * 24 + b : d * 24 + f + 1] += 1
    return np.asarray(total / np.repeat(per_day, 24))


def head_counts(mean_on_duty: np.ndarray) -> np.ndarray:
    """The head count modelled per hour of week: the mean rounded half up, at least 1 from
    :data:`STAFF_FLOOR` on, else nobody.

    Parameters
    ----------
    mean_on_duty
        168 means, as :func:`on_duty` gives them.

    Returns
    -------
    numpy.ndarray
        168 integers.
    """
    staffing = np.where(mean_on_duty >= STAFF_FLOOR, np.maximum(1, np.floor(mean_on_duty + 0.5)), 0)
    return np.asarray(staffing.astype(int))


def working_hours(
    ev: pd.DataFrame, roles: list[RoleFit], role_of: Mapping[str, str], notes: list[str]
) -> np.ndarray:
    """Each event's recorded time in hours, without the hours its role had nobody on duty.

    Work that spans hours when its role has nobody on duty (a case picked up at 16:50 and
    closed at 09:10 the next day) did not take those hours: the model's shifts add them.

    Parameters
    ----------
    ev
        The log, with the activity keys in ``key``.
    roles
        The roles, with their head counts.
    role_of
        Activity key -> the key of the role that does it.
    notes
        What the analyst should know; a note says how many hours were left out.

    Returns
    -------
    numpy.ndarray
        One value per event, at least 0.
    """
    processing = np.clip(hours(ev["end_time"] - ev["start_time"]), 0, None)
    role_keys = ev["key"].map(role_of)
    off_total = 0.0
    for role in roles:
        in_role = (role_keys == role.key).to_numpy() & (processing > 0)
        if in_role.any() and (role.staffing == 0).any():
            off = _off_duty_hours(ev["start_time"][in_role], ev["end_time"][in_role], role.staffing)
            processing[in_role] = np.clip(processing[in_role] - off, 0, None)
            off_total += float(off.sum())
    processing[processing < 1e-9] = 0.0  # rounding noise of the subtraction, not work
    if off_total > 0:
        notes.append(
            f"{off_total:,.0f} h of recorded work fell in hours when its role had nobody on "
            "duty and was left out of the durations (the shifts in the model add it back)"
        )
    return np.asarray(processing)


def _off_duty_hours(a: pd.Series, b: pd.Series, staffing: np.ndarray) -> np.ndarray:
    """Hours in ``[a, b]`` during which a weekly head-count profile has nobody on duty."""
    off = (np.asarray(staffing) == 0).astype(float)
    cum = np.r_[0.0, np.cumsum(off)]  # off-duty hours from Monday 00:00 to each hour
    monday = pd.Timestamp("2000-01-03")  # a Monday: weeks are counted from it

    def upto(t: pd.Series) -> np.ndarray:
        h = hours(t - monday)
        weeks = np.floor(h / WEEK_HOURS)
        r = h - weeks * WEEK_HOURS
        whole = np.minimum(np.floor(r).astype(int), WEEK_HOURS - 1)
        return np.asarray(weeks * cum[-1] + cum[whole] + (r - whole) * off[whole])

    return np.asarray(np.clip(upto(b) - upto(a), 0, None))
