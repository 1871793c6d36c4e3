"""The event-log schema: the one table that real and simulated logs both become.

Everything in the mining data flow reads this table: :mod:`procsim.mining.log_files` reads a
CSV or XES file into it, :mod:`procsim.mining.simulated_log` turns a simulated log into it,
and :mod:`procsim.mining.discover` and :mod:`procsim.mining.log_comparison` take it in, so
fitting and comparing treat real and simulated logs alike.

The schema: one row per activity instance, ``case_id, activity, start_time, end_time,
resource`` plus an optional ``role`` and any case attributes; times are timezone-naive
``datetime64`` in the log's local time (converted from the file's offsets when a timezone is
given), because working hours and arrival profiles are about the local clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Columns every log has after reading (``role`` only when the file has one).
LOG_COLUMNS = ("case_id", "activity", "start_time", "end_time", "resource")


@dataclass(frozen=True)
class LogColumns:
    """Which columns of a CSV file hold what (defaults: procsim's own names).

    Attributes
    ----------
    case, activity, end
        Required: case id, activity name and completion time.
    start
        Start time; a log without one (or with it empty everywhere) gets estimated starts.
    resource, role
        Who did it, and the group (role) they belong to; both optional.
    attributes
        Case attributes to keep (e.g. a category), by their column names.
    """

    case: str = "case_id"
    activity: str = "activity"
    start: str | None = "start_time"
    end: str = "end_time"
    resource: str | None = "resource"
    role: str | None = None
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RealLog:
    """An event log read and checked.

    Attributes
    ----------
    events
        ``case_id, activity, start_time, end_time, resource`` (strings and naive datetimes),
        ``role`` when known, the case attributes, and ``start_estimated`` (bool per row).
        Sorted by case, then end time.
    source
        The file it came from (for messages and reports).
    starts_estimated
        True when some start times were estimated (the log had completions only).
    notes
        What reading did to the data, in the analyst's words (rows dropped, times converted).
    """

    events: pd.DataFrame
    source: str
    starts_estimated: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cases(self) -> int:
        """Number of cases."""
        return int(self.events["case_id"].nunique())

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First start and last end."""
        ev = self.events
        return ev["start_time"].min(), ev["end_time"].max()


def log_table(
    case_id: pd.Series | np.ndarray,
    activity: pd.Series | np.ndarray,
    start_time: pd.Series | np.ndarray,
    end_time: pd.Series | np.ndarray,
    resource: pd.Series | np.ndarray,
    role: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """The schema's columns, in the schema's order, from one column of values each.

    Parameters
    ----------
    case_id, activity, start_time, end_time, resource
        The columns of :data:`LOG_COLUMNS`, already as strings and naive datetimes.
    role
        The role column, when the log has one.

    Returns
    -------
    pandas.DataFrame
        Without ``start_estimated`` and case attributes: the caller knows those.
    """
    values = (case_id, activity, start_time, end_time, resource)
    frame = pd.DataFrame(dict(zip(LOG_COLUMNS, values, strict=True)))
    if role is not None:
        frame["role"] = role
    return frame


def describe_columns(mapping: Mapping[str, Any]) -> LogColumns:
    """Column names from ``key=value`` options (``case=``, ``activity=``, ``start=``, ...)."""
    attrs = mapping.get("attributes") or ()
    if isinstance(attrs, str):
        attrs = tuple(a.strip() for a in attrs.split(",") if a.strip())
    start = mapping.get("start", "start_time")
    resource = mapping.get("resource", "resource")
    return LogColumns(
        case=str(mapping.get("case", "case_id")),
        activity=str(mapping.get("activity", "activity")),
        start=None if start in (None, "", "none") else str(start),
        end=str(mapping.get("end", "end_time")),
        resource=None if resource in (None, "", "none") else str(resource),
        role=None if mapping.get("role") in (None, "", "none") else str(mapping["role"]),
        attributes=tuple(str(a) for a in attrs),
    )
