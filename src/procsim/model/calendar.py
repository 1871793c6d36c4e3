"""Calendars: weekly profiles (arrival rates, head counts, business hours) and closed days.

Used by validation to build the model (shift tables, arrival rate profiles, business hours),
by the engine for shift changes, time-varying arrivals and batch schedules, and by metrics for
SLA clocks in business hours. Pure numpy; simulation time 0 is the calendar's start date at
00:00 and one time unit is ``hours_per_unit`` hours.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from procsim.errors import Issue, did_you_mean

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_ORIGIN = dt.date(2024, 1, 1)  # a Monday
WEEK_HOURS = 168.0

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


@dataclass(frozen=True)
class Calendar:
    """Maps simulation time to dates and knows the closed days (holidays)."""

    origin: dt.date = DEFAULT_ORIGIN
    hours_per_unit: float = 1.0
    closed: tuple[dt.date, ...] = ()

    @property
    def week(self) -> float:
        """Length of a week in simulation time units."""
        return WEEK_HOURS / self.hours_per_unit

    @property
    def offset_hours(self) -> float:
        """Hours from the Monday 00:00 of the origin's week to the origin."""
        return self.origin.weekday() * 24.0

    def to_time(self, when: dt.datetime | dt.date) -> float:
        """Simulation time of a moment (a date means its 00:00)."""
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        start = dt.datetime.combine(self.origin, dt.time())
        return (when - start).total_seconds() / 3600.0 / self.hours_per_unit

    def to_datetime(self, t: float) -> dt.datetime:
        """The moment at simulation time ``t``."""
        start = dt.datetime.combine(self.origin, dt.time())
        return start + dt.timedelta(hours=float(t) * self.hours_per_unit)

    def closed_intervals(self, until: float = math.inf) -> np.ndarray:
        """``(k, 2)`` array of ``[start, end)`` of the closed days within ``[0, until]``."""
        day = 24.0 / self.hours_per_unit
        rows = [(self.to_time(d), self.to_time(d) + day) for d in self.closed]
        out = np.array([r for r in rows if r[1] > 0 and r[0] <= until], dtype=float)
        return out.reshape(-1, 2)


@dataclass(frozen=True)
class WeeklyProfile:
    """A piecewise-constant function of the time of week, repeated every week, equal to
    ``closed_value`` on the calendar's closed days.

    Attributes
    ----------
    breaks
        Hours since Monday 00:00 where each piece starts (``breaks[0] == 0``, ascending).
    values
        Value on each piece.
    """

    breaks: tuple[float, ...]
    values: tuple[float, ...]
    calendar: Calendar
    closed_value: float = 0.0

    # -- the periodic part, in hours of week --------------------------------------------------

    def _edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        edges = np.r_[np.asarray(self.breaks, dtype=float), WEEK_HOURS]
        values = np.asarray(self.values, dtype=float)
        cumulative = np.r_[0.0, np.cumsum(values * np.diff(edges))]  # value x hours
        return edges, values, cumulative

    def _periodic_integral_hours(self, h: np.ndarray) -> np.ndarray:
        """∫_0^h f, h in absolute hours since the Monday 00:00 of the origin's week."""
        edges, values, cumulative = self._edges()
        weeks = np.floor(h / WEEK_HOURS)
        r = h - weeks * WEEK_HOURS
        i = np.clip(np.searchsorted(edges, r, side="right") - 1, 0, len(values) - 1)
        return np.asarray(weeks * cumulative[-1] + cumulative[i] + values[i] * (r - edges[i]))

    def _abs_hours(self, t: np.ndarray) -> np.ndarray:
        return t * self.calendar.hours_per_unit + self.calendar.offset_hours

    # -- public ------------------------------------------------------------------------------

    @property
    def per_week(self) -> float:
        """Integral over an ordinary week, in value x simulation time units."""
        return float(self._edges()[2][-1]) / self.calendar.hours_per_unit

    @property
    def constant(self) -> float | None:
        """The value if the profile never changes (closed days included), else None."""
        if len(set(self.values)) != 1:
            return None
        if self.calendar.closed and self.closed_value != self.values[0]:
            return None
        return float(self.values[0])

    def value_at(self, t: ArrayLike) -> np.ndarray:
        """Value at simulation times ``t``."""
        tt = np.asarray(t, dtype=float)
        h = self._abs_hours(tt) % WEEK_HOURS
        edges, values, _ = self._edges()
        i = np.clip(np.searchsorted(edges, h, side="right") - 1, 0, len(values) - 1)
        out = values[i]
        for start, end in self.calendar.closed_intervals():
            out = np.where((tt >= start) & (tt < end), self.closed_value, out)
        return np.asarray(out)

    def integral(self, t: ArrayLike) -> np.ndarray:
        """``∫_0^t f(s) ds`` with ``s`` in simulation time units (vectorised)."""
        tt = np.asarray(t, dtype=float)
        base = self._abs_hours(np.zeros(1))
        per_hour = 1.0 / self.calendar.hours_per_unit
        out = (
            self._periodic_integral_hours(self._abs_hours(tt))
            - self._periodic_integral_hours(base)[0]
        ) * per_hour
        for start, end in self.calendar.closed_intervals():
            lo = np.clip(tt, max(start, 0.0), end)
            lo0 = max(start, 0.0)
            ordinary = (
                self._periodic_integral_hours(self._abs_hours(lo))
                - self._periodic_integral_hours(self._abs_hours(np.array([lo0])))[0]
            ) * per_hour
            out = out - ordinary + self.closed_value * (lo - lo0)
        return np.asarray(out)

    def inverse_integral(self, y: ArrayLike) -> np.ndarray:
        """Smallest ``t >= 0`` with ``integral(t) >= y`` (vectorised).

        Raises
        ------
        ValueError
            If the profile integrates to 0 over a week.
        """
        if self.per_week <= 0:
            raise ValueError("the profile is zero all week")
        yy = np.asarray(y, dtype=float)
        week = self.calendar.week
        closed = self.calendar.closed_intervals()
        # Closed days lower the integral; widen the bracket by their count.
        extra = (len(closed) + 2) * week
        hi = (np.floor(yy / self.per_week) + 2) * week + extra
        lo = np.zeros_like(yy)
        # Bisection on a monotone function: 60 halvings reach double precision.
        for _ in range(64):
            mid = (lo + hi) / 2
            below = self.integral(mid) < yy
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return np.asarray(hi)

    def changes(self, until: float) -> Iterator[tuple[float, float]]:
        """Lazily yield ``(t, new value)`` at every ``t`` in ``(0, until]`` where the value
        changes, ascending."""
        cal = self.calendar
        per_hour = 1.0 / cal.hours_per_unit
        closed = [(float(a), float(b)) for a, b in cal.closed_intervals()]
        breaks, values = list(self.breaks), [float(v) for v in self.values]
        hours_per_unit, offset = cal.hours_per_unit, cal.offset_hours
        last = len(values) - 1

        def value_at(t: float) -> float:
            # value_at() for one time, in plain floats (the same arithmetic): the engine asks
            # for every shift change, and numpy's per-call overhead was a tenth of a run.
            for start, end in closed:
                if start <= t < end:
                    return float(self.closed_value)
            h = (t * hours_per_unit + offset) % WEEK_HOURS
            return values[min(max(bisect.bisect_right(breaks, h) - 1, 0), last)]

        current = value_at(0.0)
        week = 0
        while True:
            points: list[float] = []
            for b in self.breaks:
                t = (week * WEEK_HOURS + b - cal.offset_hours) * per_hour
                points.append(t)
            for start, end in closed:
                week_start = (week * WEEK_HOURS - cal.offset_hours) * per_hour
                if week_start <= start < week_start + cal.week:
                    points.append(start)
                if week_start <= end < week_start + cal.week:
                    points.append(end)
            for t in sorted(set(points)):
                if t <= 0:
                    continue
                if t > until:
                    return
                value = value_at(t)
                if value != current:
                    current = value
                    yield t, value
            week += 1

    def scaled(self, factor: float) -> WeeklyProfile:
        """The same profile with every value multiplied by ``factor``."""
        return replace(
            self,
            values=tuple(v * factor for v in self.values),
            closed_value=self.closed_value * factor,
        )


# ------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_calendar(
    spec: object, path: str, hours_per_unit: float, issues: list[Issue]
) -> Calendar | None:
    """``{start: 2024-01-08, closed: [2024-12-25, "2024-12-24..2024-12-26"]}`` -> Calendar."""
    if spec is None:
        return Calendar(hours_per_unit=hours_per_unit)
    if not isinstance(spec, Mapping):
        issues.append(Issue(path, "must be a mapping", "{start: 2024-01-08, closed: [...]}",
                            type(spec).__name__))  # fmt: skip
        return None
    n = len(issues)
    for key in spec:
        if key not in ("start", "closed"):
            issues.append(Issue(f"{path}.{key}", "unknown key", "start or closed", repr(key),
                                did_you_mean(str(key), ["start", "closed"])))  # fmt: skip
    origin = DEFAULT_ORIGIN
    if spec.get("start") is not None:
        got = _date(spec["start"])
        if got is None:
            issues.append(Issue(f"{path}.start", "not a date", "a date such as '2024-01-08'",
                                repr(spec["start"])))  # fmt: skip
        else:
            origin = got
    closed: set[dt.date] = set()
    raw = spec.get("closed")
    items = [] if raw is None else (raw if isinstance(raw, list) else [raw])
    for i, item in enumerate(items):
        ipath = f"{path}.closed[{i}]"
        if isinstance(item, str) and ".." in item:
            a, _, b = item.partition("..")
            first, last = _date(a), _date(b)
            if first is None or last is None or last < first:
                issues.append(Issue(ipath, "not a date range", "'2024-12-24..2024-12-26'",
                                    repr(item)))  # fmt: skip
                continue
            days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        else:
            one = _date(item)
            if one is None:
                issues.append(Issue(ipath, "not a date", "a date such as '2024-12-25'",
                                    repr(item)))  # fmt: skip
                continue
            days = [one]
        for day in days:
            if day < origin:
                issues.append(Issue(ipath, "closed day before the calendar starts",
                                    f"a date on or after {origin}", str(day)))  # fmt: skip
            closed.add(day)
    if len(issues) > n:
        return None
    return Calendar(origin, hours_per_unit, tuple(sorted(closed)))


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


def _profile(
    deltas: list[tuple[float, float, float]], calendar: Calendar, closed_value: float = 0.0
) -> WeeklyProfile:
    """Sum of ``(start_hour_of_week, end_hour_of_week, value)`` intervals (wrapping the week)."""
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
    for key in spec:
        if key not in allowed:
            issues.append(Issue(f"{path}.{key}", "unknown key", "one of " + ", ".join(allowed),
                                repr(key), did_you_mean(str(key), allowed)))  # fmt: skip


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
    deltas: list[tuple[float, float, float]] = []
    for i, shift in enumerate(spec):
        spath = f"{path}[{i}]"
        if not isinstance(shift, Mapping):
            issues.append(Issue(spath, "must be a mapping",
                                "{days: mon-fri, from: '09:00', to: '17:00', count: 3}",
                                repr(shift)))  # fmt: skip
            continue
        _check_keys(shift, ("days", "from", "to", "count", "breaks"), spath, issues)
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
        windows: list[tuple[float, float]] = []
        for j, brk in enumerate(shift.get("breaks") or []):
            bpath = f"{spath}.breaks[{j}]"
            if not isinstance(brk, Mapping):
                issues.append(Issue(bpath, "must be a mapping", "{from: '12:30', to: '13:00'}",
                                    repr(brk)))  # fmt: skip
                continue
            _check_keys(brk, ("from", "to"), bpath, issues)
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
        if days is None or start is None or end is None or count is None:
            continue
        for day in days:
            deltas.append((day * 24 + start, day * 24 + end, float(count)))
            deltas += [(day * 24 + b0, day * 24 + b1, -float(count)) for b0, b1 in windows]
    if len(issues) > n:
        return None
    return _profile(deltas, calendar)


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


def parse_rate_profile(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """Arrivals per hour by day: a number, 24 hourly numbers, or ``{from, to, rate}`` items."""
    n = len(issues)
    table = _day_table(spec, path, issues, "{mon-fri: [24 hourly rates], sat: 2}")
    if table is None:
        return None
    deltas: list[tuple[float, float, float]] = []

    def rate(value: object, where: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            issues.append(Issue(where, "not a rate", "cases per hour (a number >= 0)",
                                repr(value)))  # fmt: skip
            return None
        if not math.isfinite(value) or value < 0:
            issues.append(Issue(where, "not a rate", "a finite number >= 0", repr(value)))
            return None
        return float(value)

    for day, key, value in table:
        kpath = f"{path}.{key}"
        if isinstance(value, list) and value and all(not isinstance(v, Mapping) for v in value):
            if len(value) != 24:
                issues.append(Issue(kpath, "hourly rates need 24 values", "24 numbers",
                                    f"{len(value)} values"))  # fmt: skip
                continue
            for hour, v in enumerate(value):
                r = rate(v, f"{kpath}[{hour}]")
                if r:
                    deltas.append((day * 24 + hour, day * 24 + hour + 1, r))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                ipath = f"{kpath}[{i}]"
                if not isinstance(item, Mapping):
                    issues.append(Issue(ipath, "must be a mapping", "{from, to, rate}",
                                        repr(item)))  # fmt: skip
                    continue
                _check_keys(item, ("from", "to", "rate"), ipath, issues)
                a = parse_clock(item.get("from"), f"{ipath}.from", issues)
                b = parse_clock(item.get("to"), f"{ipath}.to", issues)
                r = rate(item.get("rate"), f"{ipath}.rate")
                if a is not None and b is not None and b <= a:
                    after = f"a time after {item.get('from')}"
                    issues.append(Issue(f"{ipath}.to", "ends before it starts", after,
                                        repr(item.get("to"))))  # fmt: skip
                elif a is not None and b is not None and r:
                    deltas.append((day * 24 + a, day * 24 + b, r))
        else:
            r = rate(value, kpath)
            if r:
                deltas.append((day * 24.0, day * 24.0 + 24, r))
    if len(issues) > n:
        return None
    profile = _profile(deltas, calendar)
    if profile.per_week <= 0:
        issues.append(Issue(path, "no arrivals at all", "a rate > 0 somewhere in the week",
                            "all zero"))  # fmt: skip
        return None
    return profile


def parse_hours(
    spec: object, path: str, calendar: Calendar, issues: list[Issue]
) -> WeeklyProfile | None:
    """Business hours ``{mon-fri: "09:00-17:00", sat: ["09:00-12:00"]}`` -> 1 inside, 0 out."""
    n = len(issues)
    table = _day_table(spec, path, issues, "{mon-fri: '09:00-17:00'}")
    if table is None:
        return None
    deltas: list[tuple[float, float, float]] = []
    for day, key, value in table:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            ipath = f"{path}.{key}" + (f"[{i}]" if isinstance(value, list) else "")
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
    if len(issues) > n:
        return None
    return _profile(deltas, calendar)
