"""Days and times of day as the analyst writes them in weekly tables.

The shared vocabulary of the weekly tables: day sets (``mon-fri``, ``weekend``), clock times
(``"09:00"``), tables keyed by days and lists of mappings, with hour-of-week intervals summed
into a :class:`~procsim.model.calendar.WeeklyProfile`. Fed by the config; feeds the readers of
shift tables (:mod:`procsim.model.shifts`), arrival rates (:mod:`procsim.model.arrival_rates`),
business hours (:mod:`procsim.model.business_hours`) and batch schedules
(:mod:`procsim.model.stages`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from procsim.errors import Issue, did_you_mean
from procsim.model.calendar import WEEK_HOURS, Calendar, WeeklyProfile

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: ``(start hour of week, end hour of week, value)``: a piece of a weekly profile.
Interval = tuple[float, float, float]

_FULL_NAMES = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_GROUPS = {
    "all": frozenset(range(7)),
    "daily": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
}
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_days(spec: object, path: str, issues: list[Issue]) -> frozenset[int] | None:
    """``"mon-fri"``, ``"mon,wed"``, ``"weekend"``, ``"all"`` or a list of those -> day ids."""
    if isinstance(spec, list):
        out: set[int] = set()
        for item in spec:
            got = parse_days(item, path, issues)
            if got is None:
                return None
            out |= got
        return frozenset(out)
    if not isinstance(spec, str) or not spec.strip():
        issues.append(Issue(path, "not a set of days", "e.g. mon-fri, sat, weekend, all",
                            repr(spec)))  # fmt: skip
        return None
    days: set[int] = set()
    for part in spec.lower().replace(" ", "").split(","):
        if part in _GROUPS:
            days |= _GROUPS[part]
            continue
        ends = part.split("-")
        ids = [_day(e) for e in ends]
        if len(ends) > 2 or any(i is None for i in ids):
            bad = next((e for e, i in zip(ends, ids, strict=True) if i is None), part)
            issues.append(Issue(path, "unknown day", "mon..sun, weekdays, weekend or all",
                                repr(bad), did_you_mean(bad, [*DAY_NAMES, *_GROUPS])))  # fmt: skip
            return None
        first, last = int(ids[0]), int(ids[-1])  # type: ignore[arg-type]
        k = first
        days.add(k)
        while k != last:
            k = (k + 1) % 7
            days.add(k)
    return frozenset(days)


def _day(name: str) -> int | None:
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    return _FULL_NAMES.get(name)


def parse_clock(
    value: object, path: str, issues: list[Issue], allow_past_midnight: bool = False
) -> float | None:
    """``"09:00"`` or a number of hours -> hours after midnight (up to 24, or 48)."""
    limit = 48.0 if allow_past_midnight else 24.0
    hours: float | None = None
    if isinstance(value, bool):
        hours = None
    elif isinstance(value, int | float):
        hours = float(value)
        if hours > limit:
            issues.append(Issue(path, "not a time of day", "a quoted time such as \"09:00\"",
                                repr(value), "YAML reads an unquoted 9:00 as the number 540: "
                                "write from: \"09:00\""))  # fmt: skip
            return None
    elif isinstance(value, str):
        match = _CLOCK.match(value)
        if match and int(match.group(2)) < 60:
            hours = int(match.group(1)) + int(match.group(2)) / 60
    if hours is None or not 0 <= hours <= limit:
        issues.append(Issue(path, "not a time of day", "HH:MM such as \"09:00\"",
                            repr(value)))  # fmt: skip
        return None
    return hours


def profile_by_day(
    spec: object,
    path: str,
    calendar: Calendar,
    issues: list[Issue],
    example: str,
    read_day: Callable[[int, str, Any], list[Interval]],
) -> WeeklyProfile | None:
    """A weekly table keyed by days -> the profile that sums what each day's value gives.

    Parameters
    ----------
    spec
        The table from the config, e.g. ``{mon-fri: "09:00-17:00", sat: "09:00-12:00"}``.
    path
        Its config path, for messages.
    calendar
        The calendar the profile repeats over.
    issues
        Problems found are appended here.
    example
        A valid table, shown when ``spec`` is not a mapping.
    read_day
        ``(day, key, value) -> intervals``: one day's value (day 0 is Monday) read into
        hour-of-week intervals, its problems appended to ``issues``.

    Returns
    -------
    WeeklyProfile or None
        None when the table has problems (they are in ``issues``).
    """
    n = len(issues)
    table = _day_table(spec, path, issues, example)
    if table is None:
        return None
    deltas: list[Interval] = []
    for day, key, value in table:
        deltas += read_day(day, key, value)
    if len(issues) > n:
        return None
    return profile_from_intervals(deltas, calendar)


def _day_table(
    spec: object, path: str, issues: list[Issue], example: str
) -> list[tuple[int, str, Any]] | None:
    """A mapping of day specs -> values, each day at most once: ``[(day, key, value)]``."""
    if not isinstance(spec, Mapping) or not spec:
        issues.append(Issue(path, "must be a mapping of days", example, repr(spec)))
        return None
    seen: dict[int, str] = {}
    out: list[tuple[int, str, Any]] = []
    # Problems are reported but the values are still checked, for one complete report.
    for key, value in spec.items():
        days = parse_days(str(key), f"{path}.{key}", issues)
        if days is None:
            continue
        for day in sorted(days):
            if day in seen:
                message = f"{DAY_NAMES[day]} is also covered by '{seen[day]}'"
                issues.append(Issue(f"{path}.{key}", message, "each day under one key", str(key)))
            seen[day] = str(key)
            out.append((day, str(key), value))
    return out


def profile_from_intervals(
    deltas: list[Interval], calendar: Calendar, closed_value: float = 0.0
) -> WeeklyProfile:
    """Sum of ``(start_hour_of_week, end_hour_of_week, value)`` intervals (wrapping the week).

    Parameters
    ----------
    deltas
        The intervals; an end past the week's last hour wraps round to Monday.
    calendar
        The calendar the profile repeats over.
    closed_value
        The profile's value on closed days.

    Returns
    -------
    WeeklyProfile
        The summed values, one piece per stretch of equal value.
    """
    points = {0.0}
    pieces: list[tuple[float, float, float]] = []
    for start, end, value in deltas:
        start, end = start % WEEK_HOURS, start % WEEK_HOURS + (end - start)
        if end > WEEK_HOURS:
            pieces += [(start, WEEK_HOURS, value), (0.0, end - WEEK_HOURS, value)]
        else:
            pieces.append((start, end, value))
    for start, end, _ in pieces:
        points |= {start, end % WEEK_HOURS if end < WEEK_HOURS else 0.0}
    breaks = sorted(points)
    values = []
    for i, b in enumerate(breaks):
        nxt = breaks[i + 1] if i + 1 < len(breaks) else WEEK_HOURS
        mid = (b + nxt) / 2
        values.append(sum(v for s, e, v in pieces if s <= mid < e))
    merged_b, merged_v = [breaks[0]], [values[0]]
    for b, v in zip(breaks[1:], values[1:], strict=True):
        if v != merged_v[-1]:
            merged_b.append(b)
            merged_v.append(v)
    return WeeklyProfile(tuple(merged_b), tuple(float(v) for v in merged_v), calendar, closed_value)


def _check_keys(spec: Mapping[str, Any], allowed: tuple[str, ...], path: str,
                issues: list[Issue]) -> None:  # fmt: skip
    """Append an issue for every key of ``spec`` not in ``allowed``, with a did-you-mean."""
    for key in spec:
        if key not in allowed:
            issues.append(Issue(f"{path}.{key}", "unknown key", "one of " + ", ".join(allowed),
                                repr(key), did_you_mean(str(key), allowed)))  # fmt: skip


def each_mapping(
    items: Iterable[object],
    path: str,
    allowed: tuple[str, ...],
    example: str,
    issues: list[Issue],
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The items of a list that are mappings, each with its path ``path[i]``.

    Parameters
    ----------
    items
        The list from the config, e.g. a role's shifts.
    path
        Its config path, for messages.
    allowed
        The keys an item may have; any other is reported.
    example
        A valid item, shown for one that is not a mapping.
    issues
        Problems found are appended here, each as its item comes up.

    Yields
    ------
    (str, Mapping)
        The item's path and the item.
    """
    for i, item in enumerate(items):
        ipath = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            issues.append(Issue(ipath, "must be a mapping", example, repr(item)))
            continue
        _check_keys(item, allowed, ipath, issues)
        yield ipath, item
