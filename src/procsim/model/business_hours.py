"""Business hours: when the process counts as open, for SLA clocks that run in business time.

Reads ``process.business_hours`` (opening times by day, ``{mon-fri: "09:00-17:00"}``) with the
day and clock words of :mod:`procsim.model.time_of_week`, and feeds the model a
:class:`~procsim.model.calendar.WeeklyProfile` that is 1 while open and 0 while closed; the SLA
section (:mod:`procsim.model.slas`) requires it for a business clock and metrics measure by it.
"""

from __future__ import annotations

from procsim.errors import Issue
from procsim.model.calendar import Calendar, WeeklyProfile
from procsim.model.time_of_week import Interval, parse_clock, profile_by_day


def parse_hours(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """Business hours ``{mon-fri: "09:00-17:00", sat: ["09:00-12:00"]}`` -> 1 inside, 0 out."""
    return profile_by_day(
        spec,
        path,
        calendar,
        issues,
        "{mon-fri: '09:00-17:00'}",
        lambda day, key, value: _opening_times(value, day, f"{path}.{key}", issues),
    )


def _opening_times(value: object, day: int, kpath: str, issues: list[Issue]) -> list[Interval]:
    """One day's opening times: ``"09:00-17:00"`` or a list of them."""
    deltas: list[Interval] = []
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        ipath = kpath + (f"[{i}]" if isinstance(value, list) else "")
        if not isinstance(item, str) or item.count("-") != 1:
            issues.append(Issue(ipath, "not an opening time", "'09:00-17:00'", repr(item)))
            continue
        a_text, b_text = item.split("-")
        a = parse_clock(a_text, ipath, issues)
        b = parse_clock(b_text, ipath, issues)
        if a is not None and b is not None:
            if b <= a:
                issues.append(Issue(ipath, "closes before it opens", "'09:00-17:00'",
                                    repr(item)))  # fmt: skip
            else:
                deltas.append((day * 24 + a, day * 24 + b, 1.0))
    return deltas
