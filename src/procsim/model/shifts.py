"""Shift tables: who is on duty when, as a head count by time of week.

Reads a role's ``staffing.<role>.shifts`` list (days, from, to, count and breaks) with the day
and clock words of :mod:`procsim.model.time_of_week`, and feeds the staffing section
(:mod:`procsim.model.staffing`) a :class:`~procsim.model.calendar.WeeklyProfile` of head counts,
which the engine follows for shift changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from procsim.errors import Issue
from procsim.model.calendar import Calendar, WeeklyProfile
from procsim.model.time_of_week import (
    Interval,
    each_mapping,
    parse_clock,
    parse_days,
    profile_from_intervals,
)

SHIFT_KEYS = ("days", "from", "to", "count", "breaks")
BREAK_KEYS = ("from", "to")


def parse_shifts(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """A list of ``{days, from, to, count, breaks}`` shifts -> head count by time of week."""
    if not isinstance(spec, list) or not spec:
        issues.append(Issue(path, "must be a list of shifts",
                            "[{days: mon-fri, from: '09:00', to: '17:00', count: 3}]",
                            repr(spec)))  # fmt: skip
        return None
    n = len(issues)
    deltas: list[Interval] = []
    example = "{days: mon-fri, from: '09:00', to: '17:00', count: 3}"
    for spath, shift in each_mapping(spec, path, SHIFT_KEYS, example, issues):
        days = parse_days(shift.get("days", "all"), f"{spath}.days", issues)
        start = parse_clock(shift.get("from"), f"{spath}.from", issues)
        end = parse_clock(shift.get("to"), f"{spath}.to", issues, allow_past_midnight=True)
        count = shift.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            issues.append(Issue(f"{spath}.count", "not a head count", "a whole number >= 0",
                                repr(count)))  # fmt: skip
            count = None
        if start is not None and end is not None and end <= start:
            issues.append(Issue(f"{spath}.to", "shift ends before it starts",
                                f"a time after {shift.get('from')}", repr(shift.get("to")),
                                "for a night shift write the end past midnight, e.g. "
                                "to: \"30:00\" for 06:00 the next day"))  # fmt: skip
            continue
        windows = _breaks(shift, spath, start, end, issues)
        if days is None or start is None or end is None or count is None:
            continue
        for day in days:
            deltas.append((day * 24 + start, day * 24 + end, float(count)))
            deltas += [(day * 24 + b0, day * 24 + b1, -float(count)) for b0, b1 in windows]
    if len(issues) > n:
        return None
    return profile_from_intervals(deltas, calendar)


def _breaks(
    shift: Mapping[str, Any],
    spath: str,
    start: float | None,
    end: float | None,
    issues: list[Issue],
) -> list[tuple[float, float]]:
    """The breaks of one shift as ``(from, to)`` hours of its day, each within the shift.

    Breaks are checked even when other fields of the shift have problems, for one complete
    report.
    """
    windows: list[tuple[float, float]] = []
    breaks = shift.get("breaks")
    example = "{from: '12:30', to: '13:00'}"
    if breaks is None:
        breaks = []
    elif not isinstance(breaks, list):
        issues.append(Issue(f"{spath}.breaks", "must be a list of breaks", f"[{example}]",
                            repr(breaks)))  # fmt: skip
        breaks = []
    for bpath, brk in each_mapping(breaks, f"{spath}.breaks", BREAK_KEYS, example, issues):
        b0 = parse_clock(brk.get("from"), f"{bpath}.from", issues, allow_past_midnight=True)
        b1 = parse_clock(brk.get("to"), f"{bpath}.to", issues, allow_past_midnight=True)
        if b0 is None or b1 is None or start is None or end is None:
            continue
        if not start <= b0 < b1 <= end:
            issues.append(Issue(bpath, "break outside its shift",
                                f"a break within {shift.get('from')}-{shift.get('to')}",
                                f"{brk.get('from')}-{brk.get('to')}"))  # fmt: skip
            continue
        windows.append((b0, b1))
    return windows
