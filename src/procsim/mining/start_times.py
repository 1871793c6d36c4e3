"""Estimating start times for a log that records completions only.

Called by :mod:`procsim.mining.log_files` on the checked table of
:mod:`procsim.mining.log_checks` (rows without a start have ``start_estimated`` set), before
the log goes on to discovery; :mod:`procsim.mining.roles` asks :func:`identifies_people` too,
since roles cannot be found where nobody is named.
"""

from __future__ import annotations

import pandas as pd


def identifies_people(events: pd.DataFrame) -> bool:
    """Whether the resource column names people: at least three names, none doing more than
    half of the work (``STAFF MEMBER`` / ``SYSTEM`` only is a label, not a person)."""
    named = events.loc[events["resource"] != "", "resource"]
    if named.nunique() < 3:
        return False
    return bool(named.value_counts(normalize=True).iloc[0] <= 0.5)


def estimate_starts(events: pd.DataFrame) -> pd.Series:
    """Start times for rows without one: the later of the end of the case's previous activity
    and the end of the resource's previous activity (the activity's own end at the latest).

    The first activity of a case with no earlier work by its resource gets a zero duration:
    nothing in the log says when it began. Where the resource column does not name people
    (:func:`identifies_people`), only the case's previous activity bounds the start, so the
    duration is the whole time since the case's previous step.
    """
    ev = events
    start = ev["start_time"].copy()
    end = ev["end_time"]
    missing = start.isna().to_numpy()
    prev_case = end.groupby(ev["case_id"], sort=False).shift(1)
    if identifies_people(ev):
        by_res = ev[ev["resource"] != ""].sort_values(["end_time"], kind="stable")
        prev_res = by_res["end_time"].groupby(by_res["resource"], sort=False).shift(1)
        prev_res = prev_res.reindex(ev.index)
    else:
        prev_res = pd.Series(pd.NaT, index=ev.index, dtype="datetime64[ns]")
    bound = pd.concat([prev_case, prev_res], axis=1).max(axis=1)
    estimate = bound.where(bound.notna() & (bound <= end), end)
    start[missing] = estimate[missing]
    return start
