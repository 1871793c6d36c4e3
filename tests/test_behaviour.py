"""Process behaviours against invariants and hand-worked values: time-varying arrivals, shifts,
batching, handoffs, abandonment, business-hours SLAs, costs from shifts, and their validation."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers import mm1
from procsim.errors import ModelError
from procsim.measure.event_log import EventLog, to_event_log
from procsim.measure.kpis import compute_kpis
from procsim.measure.stats import summarize
from procsim.model.calendar import WeeklyProfile
from procsim.model.validate import validate
from procsim.sim.engine import simulate
from procsim.study.runner import run_study

WEEK = 168.0


def office_role(**extra: Any) -> dict[str, Any]:
    """One clerk on a 09:00-17:00, Monday-to-Friday shift."""
    return {
        "process": {
            "start": "handle",
            "stages": {
                "handle": {
                    "role": "clerk",
                    "duration": {"dist": "expon", "mean": 0.5},
                    "value": "value_adding",
                }
            },
        },
        "staffing": {
            "clerk": {"shifts": [{"days": "mon-fri", "from": "09:00", "to": "17:00", "count": 1}]}
        },
        "roles": {"clerk": {"cost_per_hour": 50}},
        "arrivals": {"rate": {"mon-fri": 1.0}},  # around the clock on weekdays
        "run": {"horizon": "8w", "warmup": 0, "replications": 3, "seed": 5, "workers": 1},
        **extra,
    }


def hour_of_week(t: np.ndarray) -> np.ndarray:
    return np.asarray(t) % WEEK  # the default calendar starts on a Monday at 00:00


# ---------------------------------------------------------------------------------------------
# Time-varying arrivals
# ---------------------------------------------------------------------------------------------


def test_arrival_counts_per_hour_follow_the_profile() -> None:
    rates = [0] * 8 + [2, 6, 10, 8, 4, 6, 9, 5, 2] + [0] * 7  # cases per hour on weekdays
    config = mm1()
    config["arrivals"] = {"rate": {"mon-fri": rates, "sat": 1}}
    config["staffing"]["server"] = 20
    config["run"] = {"horizon": "40w", "warmup": 0, "replications": 2, "seed": 0, "workers": 1}
    model, run = validate(config)
    log = simulate(model, run, 0)
    weeks = 40
    hours = hour_of_week(log.arrival)
    counts = np.bincount(hours.astype(int), minlength=168)
    expected = np.array([rates[h % 24] if h < 120 else (1 if h < 144 else 0) for h in range(168)])
    expected = expected * weeks
    assert counts[expected == 0].sum() == 0, "arrivals in hours with rate 0"
    # Poisson counts: each hour within 4 standard deviations, and a chi-square overall.
    busy = expected > 0
    z = (counts[busy] - expected[busy]) / np.sqrt(expected[busy])
    assert np.abs(z).max() < 4.5
    chi2 = float((z**2).sum())
    dof = int(busy.sum())
    assert chi2 < dof + 4 * np.sqrt(2 * dof)


def test_no_arrivals_on_closed_days() -> None:
    config = mm1()
    config["process"]["calendar"] = {"start": "2024-01-01", "closed": ["2024-01-03"]}
    config["arrivals"] = {"rate": {"all": 2.0}}
    config["run"] = {"horizon": "2w", "warmup": 0, "replications": 2, "seed": 1, "workers": 1}
    config["staffing"]["server"] = 5
    model, run = validate(config)
    log = simulate(model, run, 0)
    on_wednesday = (log.arrival >= 48) & (log.arrival < 72)
    assert on_wednesday.sum() == 0
    next_wednesday = (log.arrival >= 48 + WEEK) & (log.arrival < 72 + WEEK)
    assert next_wednesday.sum() > 20


# ---------------------------------------------------------------------------------------------
# Shifts
# ---------------------------------------------------------------------------------------------


def test_a_role_on_shift_never_starts_work_off_shift() -> None:
    model, run = validate(office_role())
    log = simulate(model, run, 0)
    started = log.visits[~np.isnan(log.visits[:, 4]), 4]
    how = hour_of_week(started)
    day, hour = how // 24, how % 24
    assert len(started) > 100
    assert (day < 5).all() and (hour >= 9 - 1e-9).all() and (hour < 17).all()
    # Work in progress at 17:00 finishes: some visits end after the shift.
    ended = log.visits[~np.isnan(log.visits[:, 5]), 5]
    assert (hour_of_week(ended) % 24 > 17).any()
    # The head count log: on at 09:00, off at 17:00 or when the last case is done.
    staff = log.staff[log.staff[:, 1] == 0]
    assert staff[0, 2] == 0  # Monday 00:00: nobody
    ons = staff[staff[:, 2] == 1, 0]
    assert np.allclose(hour_of_week(ons) % 24, 9.0)


def test_constant_shifts_equal_the_plain_model() -> None:
    """A gated role whose head count never changes gives the very same log as a plain one."""
    plain_model, run = validate(mm1(0.8, horizon=3000))
    plain = simulate(plain_model, run, 0)
    role = plain_model.roles[0]
    calendar = plain_model.calendar
    assert calendar is not None
    # Pieces with equal values keep the engine on its shift path with nothing ever changing.
    flat = WeeklyProfile((0.0, 40.0, 100.0), (1.0, 1.0, 1.0), calendar)
    shifted = dataclasses.replace(plain_model, roles=(dataclasses.replace(role, shifts=flat),))
    gated = simulate(shifted, run, 0)
    np.testing.assert_array_equal(plain.visits, gated.visits)
    np.testing.assert_array_equal(plain.completion, gated.completion)


def test_costs_and_utilization_follow_the_shifts() -> None:
    model, run = validate(office_role())
    results = run_study({"office": model}, run)
    s = summarize(results.kpis).set_index(["metric", "entity"])["mean"]
    # 40 paid hours a week at 50 per hour, idle time included: 2000 per week.
    # A busy clerk finishes the case in hand after 17:00 (work in progress finishes): with
    # exponential work of mean 0.5 h that is about 0.5 h of paid overtime per weekday.
    staff_cost = s[("staff_cost_per_day", "clerk")]
    overtime = staff_cost - 2000 / 7
    assert 0.5 * (5 * 0.5 * 50 / 7) < overtime < 1.5 * (5 * 0.5 * 50 / 7), staff_cost
    # Work: 5 x 24 cases a week x 0.5 h = 60 h > 40 h paid: the clerk is saturated.
    assert 0.9 < s[("utilization", "clerk")] <= 1.0


def test_shift_validation_reports_every_problem() -> None:
    config = office_role()
    config["staffing"]["clerk"] = {
        "shifts": [
            {"days": "mon-fri", "from": "17:00", "to": "09:00", "count": 1},
            {"days": "mon-fir", "from": "09:00", "to": "12:00", "count": 1},
        ]
    }
    with pytest.raises(ModelError) as err:
        validate(config)
    paths = [i.path for i in err.value.issues]
    assert any(p.startswith("staffing.clerk.shifts[0]") for p in paths), paths
    assert any(p.startswith("staffing.clerk.shifts[1]") for p in paths), paths
    assert "shift ends before it starts" in str(err.value)


# ---------------------------------------------------------------------------------------------
# Batching
# ---------------------------------------------------------------------------------------------


def payment_runs(at: Any) -> dict[str, Any]:
    config = mm1(0.5)
    config["process"]["stages"] = {
        "approve": {"role": "server", "duration": {"dist": "expon", "mean": 1.0},
                    "next": "pay"},
        "pay": {"duration": 0.25, "batch": {"at": at}},
    }  # fmt: skip
    config["process"]["start"] = "approve"
    config["run"] = {"horizon": "6w", "warmup": 0, "replications": 2, "seed": 4, "workers": 1}
    return config


def test_batch_releases_only_at_the_schedule_and_each_case_takes_the_next_run() -> None:
    model, run = validate(payment_runs(["mon 17:00", "thu 17:00"]))
    log = simulate(model, run, 0)
    pay = log.visits[(log.visits[:, 1] == 1) & ~np.isnan(log.visits[:, 4])]
    releases = np.array([w * WEEK + h for w in range(7) for h in (17.0, 3 * 24 + 17.0)])
    assert len(pay) > 100
    assert np.isin(np.round(pay[:, 4], 9), np.round(releases, 9)).all()
    following = releases[np.searchsorted(releases, pay[:, 3], side="left")]
    np.testing.assert_allclose(pay[:, 4], following)


def test_batch_by_size_releases_full_batches() -> None:
    config = payment_runs(None)
    config["process"]["stages"]["pay"]["batch"] = {"size": 5}
    model, run = validate(config)
    log = simulate(model, run, 0)
    pay = log.visits[(log.visits[:, 1] == 1) & ~np.isnan(log.visits[:, 4])]
    _, per_release = np.unique(pay[:, 4], return_counts=True)
    assert (per_release == 5).all()


def test_a_run_by_cases_ends_when_the_last_cases_wait_for_a_batch_that_cannot_fill() -> None:
    """22 cases, batches of 5: 20 are paid in four batches, the last 2 can never be. The run
    must end there (not run on until run.max_seconds) and say why."""
    config = payment_runs(None)
    config["process"]["stages"]["pay"]["batch"] = {"size": 5}
    config["run"] = {"cases": 22, "warmup": 0, "replications": 2, "seed": 4, "workers": 1,
                     "max_seconds": 60}  # fmt: skip
    model, run = validate(config)
    log = simulate(model, run, 0)
    assert not log.truncated and log.stop_reason == "parked"
    assert int((log.outcome == 1).sum()) == 20 and int((log.outcome == 0).sum()) == 2
    finished = log.visits[:, 5][~np.isnan(log.visits[:, 5])]
    assert log.end_time == finished.max()  # the last event, not an endless clock
    results = run_study({"current": model}, run)
    assert any("could move on" in w for w in results.warnings)


def test_batch_validation() -> None:
    with pytest.raises(ModelError, match="a batch schedule with no release times"):
        validate(payment_runs([]))
    with pytest.raises(ModelError) as err:
        validate(payment_runs(["someday 17:00", "mon 9:61"]))
    assert {i.path for i in err.value.issues} >= {
        "process.stages.pay.batch.at[0]",
        "process.stages.pay.batch.at[1]",
    }


# ---------------------------------------------------------------------------------------------
# Handoffs, abandonment, parallel-work validation
# ---------------------------------------------------------------------------------------------


def test_a_handoff_adds_its_delay_as_a_stage_of_its_own() -> None:
    config = mm1(0.5)
    config["process"]["stages"] = {
        "first": {"role": "server", "duration": {"dist": "expon", "mean": 1.0},
                  "next": {"second": {"p": 1.0, "handoff": "3h"}}},
        "second": {"duration": 1.0},
    }  # fmt: skip
    config["process"]["start"] = "first"
    model, run = validate(config)
    assert model.stage_names == ("first", "second", "handoff:first->second")
    results = run_study({"m": model}, run)
    s = summarize(results.kpis).set_index(["metric", "entity"])["mean"]
    assert s[("processing_mean", "handoff:first->second")] == pytest.approx(3.0)
    # M/M/1 sojourn 1/(1-0.5) = 2, plus 3 h handoff, plus 1 h second stage.
    assert s[("cycle_time_mean", "")] == pytest.approx(6.0, rel=0.08)


def test_every_case_is_served_abandoned_balked_or_open() -> None:
    config = mm1(1.5)  # overloaded: only impatience keeps the queue finite
    config["process"]["stages"]["serve"]["patience"] = {"dist": "expon", "mean": 2.0}
    config["process"]["stages"]["serve"]["queue_capacity"] = 3
    model, run = validate(config)
    results = run_study({"m": model}, run)
    k = results.kpis.pivot_table(index=["replication", "metric"], values="value")["value"]
    for rep in range(run.replications):
        arrived = k[(rep, "arrived")]
        total = sum(k[(rep, m)] for m in ("completed", "abandoned", "balked", "open"))
        assert total == arrived
        assert k[(rep, "abandoned")] > 0 and k[(rep, "balked")] > 0
    cases = results.cases
    left = cases[cases["outcome"].isin(["abandoned", "balked"])]
    assert left["completion_time"].isna().all() and left["left_time"].notna().all()
    # Nobody waits longer than the queue allows: at most 3 waiting when a case arrives.
    visits = results.visits[results.visits["replication"] == 0]
    waiting = visits.dropna(subset=["start_time"])
    assert (waiting["start_time"] >= waiting["enabled_time"]).all()


def test_parallel_validation() -> None:
    config = mm1(0.5)
    config["process"]["stages"] = {
        "open": {"duration": 0, "next": {"parallel": ["a", "b"], "join": "close"}},
        "a": {"role": "server", "duration": 1.0, "next": {"close": 0.9, "end": 0.1}},
        "b": {"role": "server", "duration": 1.0, "next": "close"},
        "close": {"duration": 0, "next": {"join": "open"}},
    }
    config["process"]["start"] = "open"
    with pytest.raises(ModelError) as err:
        validate(config)
    text = str(err.value)
    assert "a join with no matching split" in text
    assert "branch 'a' can leave the process at 'a' before the join" in text or (
        "process.stages.close.next.join" in text
    )


def test_case_type_validation() -> None:
    config = mm1(0.5)
    config["case_types"] = {
        "urgent": {"share": 0.3, "priority": 1, "stages": {"serv": {"duration": 1.0}}},
        "normal": {"share": 0.6},
    }
    config["sla"] = {"fast": {"within": 1, "types": ["urgnt"], "clock": "business"}}
    with pytest.raises(ModelError) as err:
        validate(config)
    paths = {i.path for i in err.value.issues}
    assert {"case_types", "case_types.urgent.stages.serv", "sla.fast.types", "sla.fast.clock"} <= (
        paths
    )


# ---------------------------------------------------------------------------------------------
# Business-hours SLA clock on a hand-worked log
# ---------------------------------------------------------------------------------------------


def test_business_hours_sla_clock_on_a_hand_worked_log() -> None:
    config = mm1()
    config["process"]["business_hours"] = {"mon-fri": "09:00-17:00"}
    config["sla"] = {
        "business": {"within": "8h", "clock": "business"},
        "calendar": {"within": "8h"},
    }
    model, _ = validate(config)
    # Case 0: Monday 16:00 -> Tuesday 10:00: 18 h on the calendar, 2 business hours.
    # Case 1: Friday 16:00 -> Monday 16:00: 72 h, 8 business hours (met, just).
    # Case 2: Tuesday 08:00 -> Wednesday 09:30: 25.5 h, 8.5 business hours (missed).
    arrival = np.array([16.0, 4 * 24 + 16.0, 24 + 8.0])
    completion = np.array([24 + 10.0, WEEK + 16.0, 48 + 9.5])
    visits = pd.DataFrame(
        {
            "case_id": [0, 1, 2],
            "activity": pd.Categorical(["serve"] * 3, categories=["serve"]),
            "start_time": arrival,
            "end_time": completion,
            "resource": ["server-1"] * 3,
            "role": pd.Categorical(["server"] * 3, categories=["server", ""]),
            "enabled_time": arrival,
        }
    )
    cases = pd.DataFrame(
        {"case_id": [0, 1, 2], "arrival_time": arrival, "completion_time": completion}
    )
    kpis = compute_kpis(EventLog(visits, cases, 0.0, 2 * WEEK), model)
    sla = kpis[kpis["metric"] == "sla_attainment"].set_index("entity")["value"]
    assert sla["business"] == pytest.approx(2 / 3)
    assert sla["calendar"] == 0.0


def test_per_type_kpis_and_type_slas() -> None:
    config = mm1(0.8)
    config["case_types"] = {"urgent": {"share": 0.25, "priority": 1}, "normal": {"share": 0.75}}
    config["sla"] = {"urgent_fast": {"within": 2, "types": ["urgent"]}}
    model, run = validate(config)
    results = run_study({"m": model}, run)
    k = results.kpis
    per_type = k[k["metric"] == "type_arrived"].groupby("entity")["value"].sum()
    total = k[k["metric"] == "arrived"]["value"].sum()
    assert per_type.sum() == total
    assert per_type["urgent"] / total == pytest.approx(0.25, abs=0.03)
    s = summarize(k).set_index(["metric", "entity"])["mean"]
    assert s[("type_cycle_time_mean", "urgent")] < s[("type_cycle_time_mean", "normal")]
    # The urgent SLA counts urgent cases only: recompute it from the cases table.
    cases = results.cases[(results.cases["arrival_time"] >= 100)]
    urgent = cases[cases["case_type"] == "urgent"].dropna(subset=["completion_time"])
    by_hand = (
        ((urgent["completion_time"] - urgent["arrival_time"]) <= 2)
        .groupby(urgent["replication"])
        .mean()
    )
    assert s[("sla_attainment", "urgent_fast")] == pytest.approx(by_hand.mean(), abs=0.02)


def test_simulated_log_carries_types_and_outcomes() -> None:
    config = copy.deepcopy(mm1(0.5))
    config["case_types"] = {"a": {"share": 0.5}, "b": {"share": 0.5}}
    model, run = validate(config)
    elog = to_event_log(simulate(model, run, 0), model, 0.0)
    assert set(elog.cases["case_type"].cat.categories) == {"a", "b"}
    assert set(elog.cases["outcome"].astype(str)) <= {"completed", "open"}
    assert elog.staff is not None and list(elog.staff["on_duty"]) == [1.0]
