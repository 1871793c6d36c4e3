"""Calendars and weekly profiles against hand-worked values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procsim.errors import Issue
from procsim.model.arrival_rates import parse_rate_profile
from procsim.model.business_hours import parse_hours
from procsim.model.calendar import Calendar, WeeklyProfile, parse_calendar
from procsim.model.shifts import parse_shifts
from procsim.model.time_of_week import parse_clock, parse_days

OFFICE = {"mon-fri": "09:00-17:00"}


def office(calendar: Calendar | None = None) -> WeeklyProfile:
    issues: list[Issue] = []
    profile = parse_hours(OFFICE, "hours", calendar or Calendar(), issues)
    assert profile is not None and not issues
    return profile


def test_office_hours_integrate_to_forty_hours_a_week() -> None:
    p = office()
    assert p.per_week == 40
    assert p.integral(np.array([24.0, 168.0, 336.0])).tolist() == [8.0, 40.0, 80.0]
    assert p.value_at(np.array([8.99, 9.0, 16.99, 17.0, 24 * 5 + 10])).tolist() == [0, 1, 1, 0, 0]


def test_minutes_as_time_unit() -> None:
    p = office(Calendar(hours_per_unit=1 / 60))
    assert p.per_week == 2400
    assert float(p.integral(10 * 60.0)) == 60.0  # 09:00-10:00 on Monday


def test_a_closed_monday_has_no_hours_and_changes_skip_it() -> None:
    cal = Calendar(closed=(dt.date(2024, 1, 8),))  # the second Monday
    p = office(cal)
    assert float(p.integral(168.0 + 24) - p.integral(168.0)) == 0.0
    assert float(p.integral(336.0)) == 72.0
    changes = list(p.changes(336.0))
    ons = [t for t, v in changes if v == 1]
    assert ons == [9.0 + 24 * d for d in range(5)] + [168 + 9.0 + 24 * d for d in range(1, 5)]


def test_origin_on_a_wednesday() -> None:
    p = office(Calendar(origin=dt.date(2024, 1, 3)))  # Wednesday
    assert float(p.value_at(10.0)) == 1.0  # Wednesday 10:00
    assert float(p.value_at(3 * 24 + 10.0)) == 0.0  # Saturday 10:00
    assert float(p.integral(3 * 24.0)) == 24.0  # Wednesday to Friday


def test_inverse_integral_inverts_and_jumps_closed_time() -> None:
    p = office()
    t = np.array([9.5, 33.25, 106.0])
    np.testing.assert_allclose(p.inverse_integral(p.integral(t)), t, atol=1e-9)
    # 8 h is all of Monday; a little more starts on Tuesday at 09:00.
    assert float(p.inverse_integral(8.0 + 1e-9)) == pytest.approx(24 + 9.0, abs=1e-6)


def test_shifts_add_up_and_breaks_remove_their_shift() -> None:
    issues: list[Issue] = []
    shifts = [
        {"days": "mon-fri", "from": "09:00", "to": "18:00", "count": 3,
         "breaks": [{"from": "12:30", "to": "13:00"}]},
        {"days": "mon-fri", "from": "11:00", "to": "14:00", "count": 2},
    ]  # fmt: skip
    p = parse_shifts(shifts, "staffing.reviewer.shifts", Calendar(), issues)
    assert p is not None and not issues
    at = np.array([8.9, 9.5, 11.5, 12.75, 13.5, 15.0, 18.0])
    assert p.value_at(at).tolist() == [0, 3, 5, 2, 5, 3, 0]
    assert p.per_week == 5 * (3 * 8.5 + 2 * 3)


def test_night_shift_wraps_from_sunday_into_monday() -> None:
    issues: list[Issue] = []
    p = parse_shifts(
        [{"days": "sun", "from": "22:00", "to": "30:00", "count": 1}], "s", Calendar(), issues
    )
    assert p is not None and not issues
    assert p.value_at(np.array([3.0, 6.0, 6 * 24 + 23.0])).tolist() == [1, 0, 1]


def test_invalid_input_gives_issues_not_exceptions() -> None:
    issues: list[Issue] = []
    shifts = [
        {"days": "mon-fir", "from": "09:00", "to": "17:00", "count": 1},
        {"days": "mon", "from": "17:00", "to": "09:00", "count": 1},
        {"days": "mon", "from": 540, "to": "17:00", "count": -1, "brakes": []},
    ]
    assert parse_shifts(shifts, "staffing.x.shifts", Calendar(), issues) is None
    paths = [i.path for i in issues]
    assert "staffing.x.shifts[0].days" in paths
    assert "staffing.x.shifts[1].to" in paths
    assert {"staffing.x.shifts[2].from", "staffing.x.shifts[2].count"} <= set(paths)
    assert "staffing.x.shifts[2].brakes" in paths
    assert any("did you mean 'fri'" in i.hint for i in issues)
    assert any("quote" in i.hint.lower() or '"09:00"' in i.hint for i in issues)


def test_parse_clock_and_days() -> None:
    issues: list[Issue] = []
    assert parse_clock("9:30", "p", issues) == 9.5
    assert parse_clock("24:00", "p", issues) == 24.0
    assert parse_clock("30:00", "p", issues, allow_past_midnight=True) == 30.0
    assert parse_clock("25:00", "p", issues) is None
    assert parse_days("fri-mon", "p", issues) == frozenset({4, 5, 6, 0})
    assert parse_days(["weekend", "monday"], "p", issues) == frozenset({5, 6, 0})


def test_rate_profile_from_hourly_values() -> None:
    issues: list[Issue] = []
    hourly = [0] * 8 + [4] * 10 + [0] * 6
    p = parse_rate_profile({"mon-fri": hourly, "sat": 1}, "arrivals.rate", Calendar(), issues)
    assert p is not None and not issues
    assert p.per_week == 5 * 40 + 24
    bad = parse_rate_profile({"mon-fri": [1, 2], "fri": -1}, "arrivals.rate", Calendar(), issues)
    assert bad is None
    assert {i.path for i in issues} >= {"arrivals.rate.mon-fri", "arrivals.rate.fri"}


def test_calendar_parsing() -> None:
    issues: list[Issue] = []
    cal = parse_calendar(
        {"start": "2024-12-02", "closed": ["2024-12-25", "2024-12-30..2024-12-31"]},
        "process.calendar", 1.0, issues,
    )  # fmt: skip
    assert cal is not None and not issues
    assert cal.closed == (dt.date(2024, 12, 25), dt.date(2024, 12, 30), dt.date(2024, 12, 31))
    assert parse_calendar({"start": "2024-13-01", "clossed": []}, "c", 1.0, issues) is None
    assert {i.path for i in issues} == {"c.start", "c.clossed"}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 167), st.integers(0, 5)), min_size=1, max_size=8),
    st.lists(st.integers(0, 20), max_size=3),
)
def test_integral_is_monotone_matches_a_riemann_sum_and_inverts(
    pieces: list[tuple[int, int]], closed_days: list[int]
) -> None:
    breaks = sorted({0, *(h for h, _ in pieces)})
    values = [float((i * 7 + 3) % 6) for i in range(len(breaks))]
    values[0] = max(values[0], 1.0)
    cal = Calendar(
        closed=tuple(sorted({dt.date(2024, 1, 1) + dt.timedelta(d) for d in closed_days}))
    )
    p = WeeklyProfile(tuple(float(b) for b in breaks), tuple(values), cal)
    grid = np.linspace(0, 3 * 168, 3 * 168 * 20 + 1)
    integral = p.integral(grid)
    assert (np.diff(integral) >= -1e-9).all()
    mid = (grid[:-1] + grid[1:]) / 2
    riemann = np.r_[0.0, np.cumsum(p.value_at(mid) * np.diff(grid))]
    np.testing.assert_allclose(integral, riemann, atol=1e-6)
    y = integral[::97]
    t = p.inverse_integral(y)
    np.testing.assert_allclose(p.integral(t), y, atol=1e-6)
