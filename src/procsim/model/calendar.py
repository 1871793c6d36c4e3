"""Calendars: the calendar (start date, closed days) and weekly profiles over it.

The ``process.calendar`` section becomes a :class:`Calendar` here; the weekly tables read by
:mod:`procsim.model.time_of_week` and its users (shifts, arrival rates, business hours) become
:class:`WeeklyProfile` objects. The engine reads them for shift changes, time-varying arrivals
and batch schedules, and metrics for SLA clocks in business hours. Pure numpy; simulation time 0
is the calendar's start date at 00:00 and one time unit is ``hours_per_unit`` hours.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from procsim.errors import Issue, did_you_mean

DEFAULT_ORIGIN = dt.date(2024, 1, 1)  # a Monday
CALENDAR_KEYS = ("start", "closed", "timezone")
WEEK_HOURS = 168.0


@dataclass(frozen=True)
class Calendar:
    """Maps simulation time to dates and knows the closed days (holidays)."""

    origin: dt.date = DEFAULT_ORIGIN
    hours_per_unit: float = 1.0
    closed: tuple[dt.date, ...] = ()
    #: IANA time zone of the calendar's wall clock (``Europe/Berlin``), for the timestamps of
    #: exported event logs; the simulation itself runs on the wall clock.
    timezone: str = "UTC"

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
        if key not in CALENDAR_KEYS:
            issues.append(Issue(f"{path}.{key}", "unknown key", ", ".join(CALENDAR_KEYS),
                                repr(key), did_you_mean(str(key), CALENDAR_KEYS)))  # fmt: skip
    zone = _timezone(spec.get("timezone"), f"{path}.timezone", issues)
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
    return Calendar(origin, hours_per_unit, tuple(sorted(closed)), zone)


def _timezone(value: object, path: str, issues: list[Issue]) -> str:
    """An IANA time zone name (``UTC`` when not given)."""
    if value is None:
        return "UTC"
    try:
        if not isinstance(value, str) or not value:
            raise ValueError
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        issues.append(Issue(path, "unknown time zone", "an IANA name such as Europe/Berlin, "
                            "Asia/Shanghai or UTC", repr(value)))  # fmt: skip
        return "UTC"
    return value
