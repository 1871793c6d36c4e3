"""A simulated log as a real one: the engine's visits -> the event-log schema.

Fed by :func:`procsim.measure.event_log.to_event_log` (visits in simulation time) and feeds
:mod:`procsim.mining.log_comparison`, which measures the distances between the simulated logs
and a real one: both sides are then the table of :mod:`procsim.mining.eventlog`, with
datetimes counted from the calendar's origin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.mining.eventlog import log_table


def from_simulation(
    visits: pd.DataFrame,
    origin: pd.Timestamp,
    hours_per_unit: float,
    *,
    completed_only: bool = True,
) -> pd.DataFrame:
    """A simulated visit table as a real event log: datetimes from the calendar's origin.

    Parameters
    ----------
    visits
        ``case_id, activity, start_time, end_time, resource, role`` in simulation time.
    origin
        The datetime of simulation time 0 (the calendar's start at 00:00).
    hours_per_unit
        Hours per simulation time unit.
    completed_only
        Drop visits that had not ended (a real log has no unfinished events).

    Returns
    -------
    pandas.DataFrame
        The schema of :func:`procsim.mining.log_files.read_log`'s ``events``.
    """
    v = visits
    if completed_only:
        v = v[v["end_time"].notna()]
    scale = hours_per_unit * 3600.0

    def stamp(t: pd.Series) -> np.ndarray:
        delta = pd.to_timedelta(t.to_numpy(dtype=float) * scale, unit="s")
        return np.asarray(origin + delta, dtype="datetime64[ns]")

    out = log_table(
        v["case_id"].astype(str).to_numpy(),
        v["activity"].astype(str).to_numpy(),
        stamp(v["start_time"]),
        stamp(v["end_time"]),
        v["resource"].astype(str).to_numpy(),
        v["role"].astype(str).to_numpy() if "role" in v else None,
    )
    out["start_estimated"] = False
    return out.sort_values(["case_id", "end_time"], kind="stable").reset_index(drop=True)
