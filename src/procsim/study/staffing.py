"""A staffing: head counts per role, or per shift row for a role on shifts, applied to a model
config, and what it costs a day.

Sits under the staffing search: the analytic bounds (:mod:`procsim.study.staffing_bounds`) and
the simulated search (:mod:`procsim.study.staffing_search`) propose staffings, and the configs
made here are what they estimate and simulate.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from procsim.errors import Issue
from procsim.model.process import Model

#: Head count per search variable: a role, or a shift row of a role on shifts.
Staffing = dict[str, int]

#: A shift's search variable is named ``<role>[<shift number>]`` (from 1, in config order).
SHIFT_KEY = re.compile(r"^(?P<role>.+)\[(?P<n>\d+)\]$")


def shift_rows(config: dict[str, Any], role: str) -> list[dict[str, Any]] | None:
    """The shift table of a role in a config (None when the role has a plain head count)."""
    value = (config.get("staffing") or {}).get(role)
    shifts = value.get("shifts") if isinstance(value, dict) else value
    if isinstance(shifts, list) and all(isinstance(x, dict) for x in shifts):
        return shifts
    return None


def with_staffing(config: dict[str, Any], staffing: Staffing) -> dict[str, Any]:
    """A copy of ``config`` with the head counts of ``staffing``."""
    out = copy.deepcopy(config)
    table = dict(out.get("staffing") or {})
    for key, count in staffing.items():
        m = SHIFT_KEY.match(key)
        if m and shift_rows(out, m["role"]) is not None:
            rows = shift_rows(out, m["role"])
            assert rows is not None
            rows[int(m["n"]) - 1]["count"] = count
            table[m["role"]] = out["staffing"][m["role"]]
        else:
            table[key] = count
    out["staffing"] = table
    return out


def staff_cost_per_day(model: Model, staffing: Staffing, config: dict[str, Any]) -> float:
    """Paid staff time per day (idle time is paid too); a shift row's people are paid for the
    hours of their shift."""
    hourly = {r.name: r.cost_per_hour for r in model.roles}
    total = 0.0
    for key, count in staffing.items():
        m = SHIFT_KEY.match(key)
        rows = shift_rows(config, m["role"]) if m else None
        if m and rows is not None:
            total += hourly[m["role"]] * count * _shift_hours_per_day(rows[int(m["n"]) - 1])
        else:
            total += 24.0 * hourly[key] * count
    return total


def _shift_hours_per_day(row: dict[str, Any]) -> float:
    """Paid hours a day, averaged over the week, of one person on one shift row."""
    from procsim.model.time_of_week import parse_clock, parse_days

    issues: list[Issue] = []
    days = parse_days(row.get("days", "all"), "", issues) or frozenset()
    start = parse_clock(row.get("from"), "", issues) or 0.0
    end = parse_clock(row.get("to"), "", issues, allow_past_midnight=True) or 0.0
    hours = max(end - start, 0.0)
    for brk in row.get("breaks") or []:  # unpaid: nobody is on duty then
        if isinstance(brk, dict):
            b0 = parse_clock(brk.get("from"), "", issues, allow_past_midnight=True) or 0.0
            b1 = parse_clock(brk.get("to"), "", issues, allow_past_midnight=True) or 0.0
            hours -= max(b1 - b0, 0.0)
    return max(hours, 0.0) * len(days) / 7.0
