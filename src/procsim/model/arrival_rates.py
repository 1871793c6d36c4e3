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
from procsim.model.time_of_week import Interval, each_mapping, parse_clock, profile_by_day

WINDOW_KEYS = ("from", "to", "rate")


def parse_rate_profile(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """Arrivals per hour by day: a number, 24 hourly numbers, or ``{from, to, rate}`` items."""
    profile = profile_by_day(
        spec,
        path,
        calendar,
        issues,
        "{mon-fri: [24 hourly rates], sat: 2}",
        lambda day, key, value: _rates_of_day(value, day, f"{path}.{key}", issues),
    )
    if profile is None:
        return None
    if profile.per_week <= 0:
        issues.append(Issue(path, "no arrivals at all", "a rate > 0 somewhere in the week",
                            "all zero"))  # fmt: skip
        return None
    return profile


def _rates_of_day(value: object, day: int, kpath: str, issues: list[Issue]) -> list[Interval]:
    """One day's rates: a number for the whole day, 24 hourly numbers, or windows."""
    if isinstance(value, list) and value and all(not isinstance(v, Mapping) for v in value):
        return _hourly_rates(value, day, kpath, issues)
    if isinstance(value, list):
        return _rate_windows(value, day, kpath, issues)
    r = _rate(value, kpath, issues)
    return [(day * 24.0, day * 24.0 + 24, r)] if r else []


def _hourly_rates(value: list[object], day: int, kpath: str, issues: list[Issue]) -> list[Interval]:
    """A day given as 24 numbers, one per hour from midnight."""
    if len(value) != 24:
        issues.append(Issue(kpath, "hourly rates need 24 values", "24 numbers",
                            f"{len(value)} values"))  # fmt: skip
        return []
    deltas: list[Interval] = []
    for hour, v in enumerate(value):
        r = _rate(v, f"{kpath}[{hour}]", issues)
        if r:
            deltas.append((day * 24 + hour, day * 24 + hour + 1, r))
    return deltas


def _rate_windows(value: list[object], day: int, kpath: str, issues: list[Issue]) -> list[Interval]:
    """A day given as ``{from, to, rate}`` windows (no arrivals outside them)."""
    deltas: list[Interval] = []
    for ipath, item in each_mapping(value, kpath, WINDOW_KEYS, "{from, to, rate}", issues):
        a = parse_clock(item.get("from"), f"{ipath}.from", issues)
        b = parse_clock(item.get("to"), f"{ipath}.to", issues)
        r = _rate(item.get("rate"), f"{ipath}.rate", issues)
        if a is not None and b is not None and b <= a:
            after = f"a time after {item.get('from')}"
            issues.append(Issue(f"{ipath}.to", "ends before it starts", after,
                                repr(item.get("to"))))  # fmt: skip
        elif a is not None and b is not None and r:
            deltas.append((day * 24 + a, day * 24 + b, r))
    return deltas


def _rate(value: object, where: str, issues: list[Issue]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        issues.append(Issue(where, "not a rate", "cases per hour (a number >= 0)",
                            repr(value)))  # fmt: skip
        return None
    if not math.isfinite(value) or value < 0:
        issues.append(Issue(where, "not a rate", "a finite number >= 0", repr(value)))
        return None
    return float(value)
