"""Arrival rate tables: cases per hour by day and hour of the week.

Reads ``arrivals.rate`` (per day a number, 24 hourly numbers, or ``{from, to, rate}`` windows)
with the day and clock words of :mod:`procsim.model.time_of_week`, and feeds the arrivals
section (:mod:`procsim.model.arrivals`) a :class:`~procsim.model.calendar.WeeklyProfile` of
arrivals per hour, from which the engine draws time-varying arrivals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from procsim.errors import Issue
from procsim.model.calendar import Calendar, WeeklyProfile
from procsim.model.time_of_week import check_keys, day_table, parse_clock, profile_from_intervals

WINDOW_KEYS = ("from", "to", "rate")

#: ``(start hour of week, end hour of week, arrivals per hour)``
Interval = tuple[float, float, float]


def parse_rate_profile(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """Arrivals per hour by day: a number, 24 hourly numbers, or ``{from, to, rate}`` items."""
    n = len(issues)
    table = day_table(spec, path, issues, "{mon-fri: [24 hourly rates], sat: 2}")
    if table is None:
        return None
    deltas: list[Interval] = []
    for day, key, value in table:
        kpath = f"{path}.{key}"
        if isinstance(value, list) and value and all(not isinstance(v, Mapping) for v in value):
            _hourly_rates(value, day, kpath, deltas, issues)
        elif isinstance(value, list):
            _rate_windows(value, day, kpath, deltas, issues)
        else:
            r = _rate(value, kpath, issues)
            if r:
                deltas.append((day * 24.0, day * 24.0 + 24, r))
    if len(issues) > n:
        return None
    profile = profile_from_intervals(deltas, calendar)
    if profile.per_week <= 0:
        issues.append(Issue(path, "no arrivals at all", "a rate > 0 somewhere in the week",
                            "all zero"))  # fmt: skip
        return None
    return profile


def _hourly_rates(
    value: list[object], day: int, kpath: str, deltas: list[Interval], issues: list[Issue]
) -> None:
    """A day given as 24 numbers, one per hour from midnight."""
    if len(value) != 24:
        issues.append(Issue(kpath, "hourly rates need 24 values", "24 numbers",
                            f"{len(value)} values"))  # fmt: skip
        return
    for hour, v in enumerate(value):
        r = _rate(v, f"{kpath}[{hour}]", issues)
        if r:
            deltas.append((day * 24 + hour, day * 24 + hour + 1, r))


def _rate_windows(
    value: list[object], day: int, kpath: str, deltas: list[Interval], issues: list[Issue]
) -> None:
    """A day given as ``{from, to, rate}`` windows (no arrivals outside them)."""
    for i, item in enumerate(value):
        ipath = f"{kpath}[{i}]"
        if not isinstance(item, Mapping):
            issues.append(Issue(ipath, "must be a mapping", "{from, to, rate}",
                                repr(item)))  # fmt: skip
            continue
        check_keys(item, WINDOW_KEYS, ipath, issues)
        a = parse_clock(item.get("from"), f"{ipath}.from", issues)
        b = parse_clock(item.get("to"), f"{ipath}.to", issues)
        r = _rate(item.get("rate"), f"{ipath}.rate", issues)
        if a is not None and b is not None and b <= a:
            after = f"a time after {item.get('from')}"
            issues.append(Issue(f"{ipath}.to", "ends before it starts", after,
                                repr(item.get("to"))))  # fmt: skip
        elif a is not None and b is not None and r:
            deltas.append((day * 24 + a, day * 24 + b, r))


def _rate(value: object, where: str, issues: list[Issue]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        issues.append(Issue(where, "not a rate", "cases per hour (a number >= 0)",
                            repr(value)))  # fmt: skip
        return None
    if not math.isfinite(value) or value < 0:
        issues.append(Issue(where, "not a rate", "a finite number >= 0", repr(value)))
        return None
    return float(value)
