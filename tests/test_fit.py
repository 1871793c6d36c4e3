"""Fitting a process from an event log: hand-worked logs and round trips through the engine.

A round trip simulates a known model, writes its log in the real-log schema, fits it, and
checks that the fit recovers what the model says (routing, durations, arrivals, roles, head
counts), then that the fitted model simulates like the original one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

import procsim
from helpers import run_module, two_stage
from procsim.cli.fit import fit_log
from procsim.config.workspace import Workspace
from procsim.errors import ModelError
from procsim.measure.event_log import to_event_log
from procsim.mining.config_keys import slug
from procsim.mining.discover import discover
from procsim.mining.eventlog import RealLog
from procsim.mining.routing import rounded_probabilities
from procsim.mining.simulated_log import from_simulation
from procsim.mining.staffing import _off_duty_hours
from procsim.mining.start_times import estimate_starts
from procsim.mining.yaml_staffing import staffing_runs
from procsim.mining.yaml_writer import write_config
from procsim.model.validate import validate, validate_model
from procsim.sim.engine import simulate


def log_of(rows: list[tuple[str, str, str, str, str]]) -> RealLog:
    frame = pd.DataFrame(
        rows, columns=["case_id", "activity", "start_time", "end_time", "resource"]
    )
    for col in ("start_time", "end_time"):
        frame[col] = pd.to_datetime(frame[col], format="mixed")
    frame["start_estimated"] = False
    return RealLog(frame, "hand-made")


# ----------------------------------------------------------------------------- by hand


def test_routing_start_and_arrivals_by_hand() -> None:
    # Monday 2024-01-01. Three cases: a b end; a b a b end; b end.
    log = log_of(
        [
            ("1", "a", "2024-01-01 09:00", "2024-01-01 09:30", "ann"),
            ("1", "b", "2024-01-01 10:00", "2024-01-01 10:20", "bob"),
            ("2", "a", "2024-01-01 09:10", "2024-01-01 09:40", "ann"),
            ("2", "b", "2024-01-01 11:00", "2024-01-01 11:20", "bob"),
            ("2", "a", "2024-01-01 12:00", "2024-01-01 12:30", "ann"),
            ("2", "b", "2024-01-01 13:00", "2024-01-01 13:20", "bob"),
            ("3", "b", "2024-01-02 14:30", "2024-01-02 14:50", "bob"),
        ]
    )
    fit = discover(log, "tiny")
    acts = {a.key: a for a in fit.activities}
    # a is followed by b three times out of three; b by a once and by the end twice: case 3
    # ends with the log, so it may still be running and its exit does not count.
    assert acts["a"].next == {"b": 1.0}
    assert acts["b"].next == {"end": 0.6667, "a": 0.3333}
    assert any("may still be running" in n for n in fit.notes)
    assert fit.start == {"a": 0.6667, "b": 0.3333}
    # Arrivals: two on Monday 09:00-10:00, one on Tuesday 14:00-15:00; the log covers one
    # Monday and one Tuesday.
    assert fit.arrivals[9] == 2 and fit.arrivals[24 + 14] == 1
    assert fit.arrivals.sum() == 3
    assert acts["a"].count == 3 and acts["b"].count == 4
    # ann does a, bob does b: two roles, each named after its activity.
    roles = {r.key: r for r in fit.roles}
    assert roles["a_team"].members == ("ann",) and roles["a_team"].activities == ("a",)
    assert acts["b"].role == "b_team"


def test_staffing_rows_and_probability_rounding_by_hand() -> None:
    week = np.zeros(168, dtype=int)
    for d in range(5):  # mon-fri 09-17 one person, 11-14 two
        week[d * 24 + 9 : d * 24 + 17] = 1
        week[d * 24 + 11 : d * 24 + 14] = 2
    week[5 * 24 + 10 : 5 * 24 + 12] = 1  # sat 10-12
    assert staffing_runs(week) == [
        ("mon-fri", 9, 11, 1),
        ("mon-fri", 11, 14, 2),
        ("mon-fri", 14, 17, 1),
        ("sat", 10, 12, 1),
    ]
    probs = rounded_probabilities({"x": 1, "y": 1, "z": 1})
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-12)
    assert probs == {"x": 0.3334, "y": 0.3333, "z": 0.3333}
    assert slug("W_Nabellen offertes") == "w_nabellen_offertes"
    assert slug("1st check") == "a_1st_check"


def test_waiting_for_the_customer_becomes_a_delay_stage() -> None:
    """Cases wait a day between a and b while bob sits idle: not queueing, a delay."""
    rows = []
    for i in range(40):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=24 * i)
        rows.append((f"c{i}", "a", f"{day} 09:00", f"{day} 09:30", "ann"))
        later = day + pd.Timedelta(hours=24 + (i % 5))
        rows.append((f"c{i}", "b", f"{later} 09:30", f"{later} 10:00", "bob"))
    fit = discover(log_of(rows), "waits")
    b = next(a for a in fit.activities if a.key == "b")
    assert b.delay is not None and b.delay_share == 1.0
    # Bob worked only 30 min a day (c{i-1}'s b), inside some of the waits: the rest of each
    # wait (24 h + i % 5 h) is not queueing.
    assert 23.5 < b.delay_mean <= b.wait_mean
    text = write_config(fit)
    config = yaml.safe_load(text)
    stages = config["process"]["stages"]
    assert stages["a"]["next"] == "wait_b" or stages["a"]["next"] == {"wait_b": 1.0}
    assert stages["wait_b"]["role"] is None and stages["wait_b"]["next"] == "b"
    validate_model(config)


# ----------------------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def round_trip() -> tuple[Any, Any, dict[str, Any]]:
    config = two_stage()
    config["run"] = {"horizon": 12000, "warmup": 0, "replications": 2, "seed": 11}
    model, run = validate(config)
    sim = simulate(model, run, 0)
    visits = to_event_log(sim, model, 0.0).visits
    events = from_simulation(visits, pd.Timestamp("2024-01-01"), 1.0)
    return model, discover(RealLog(events, "simulated"), "two_stage_fit"), config


def test_without_a_role_column_resources_are_grouped_by_what_they_do(
    round_trip: tuple[Any, Any, dict[str, Any]],
) -> None:
    model, _, config = round_trip
    run_model, run = validate(config)
    visits = to_event_log(simulate(run_model, run, 1), run_model, 0.0).visits
    events = from_simulation(visits, pd.Timestamp("2024-01-01"), 1.0).drop(columns="role")
    fit = discover(RealLog(events, "simulated"), "grouped")
    roles = {r.key: r.members for r in fit.roles}
    assert roles == {"review_team": ("reviewer-1", "reviewer-2"), "decide_team": ("manager-1",)}
    del model


def test_round_trip_recovers_routing(round_trip: tuple[Any, Any, dict[str, Any]]) -> None:
    _, fit, _ = round_trip
    acts = {a.key: a for a in fit.activities}
    assert set(acts) == {"review", "wait_customer", "decide"}
    assert acts["review"].next == {"wait_customer": 1.0}
    assert acts["wait_customer"].next["decide"] == pytest.approx(0.8, abs=0.015)
    assert acts["wait_customer"].next["review"] == pytest.approx(0.2, abs=0.015)
    assert acts["decide"].next == {"end": 1.0}
    assert fit.start == {"review": 1.0}


def test_round_trip_recovers_durations_and_delays(
    round_trip: tuple[Any, Any, dict[str, Any]],
) -> None:
    _, fit, _ = round_trip
    acts = {a.key: a for a in fit.activities}
    review, decide = acts["review"].duration, acts["decide"].duration
    assert review is not None and decide is not None
    assert review.chosen.family == "gamma"
    assert review.chosen.spec["mean"] == pytest.approx(1.0, rel=0.04)
    assert review.chosen.spec["cv"] == pytest.approx(0.5, rel=0.06)
    delay = acts["wait_customer"].duration
    assert delay is not None and delay.chosen.family in ("expon", "gamma", "weibull")
    mean = float(delay.chosen.spec["mean"])
    assert mean == pytest.approx(2.0, rel=0.05)
    # Only queueing in the simulated log: no waiting is mistaken for a delay.
    assert acts["review"].delay is None and acts["decide"].delay is None
    assert acts["wait_customer"].role is None  # nobody recorded: a pure delay


def test_round_trip_recovers_roles_staff_and_arrivals(
    round_trip: tuple[Any, Any, dict[str, Any]],
) -> None:
    _, fit, _ = round_trip
    # The simulated log has a role column (as a real one may): its roles are the model's.
    roles = {r.key: r for r in fit.roles}
    assert set(roles) == {"reviewer", "manager"}
    assert roles["reviewer"].members == ("reviewer-1", "reviewer-2")
    assert roles["reviewer"].source == "role column"
    # Staffed around the clock: two reviewers and one manager in (nearly) every hour.
    assert np.median(roles["reviewer"].staffing) == 2
    assert np.median(roles["manager"].staffing) == 1
    # One arrival an hour on average, in every hour of the week.
    assert fit.arrivals.mean() == pytest.approx(1.0, rel=0.05)
    assert fit.arrivals.min() > 0.6


@pytest.mark.slow
def test_fitted_model_simulates_like_the_original(
    round_trip: tuple[Any, Any, dict[str, Any]],
) -> None:
    _, fit, config = round_trip
    fitted = yaml.safe_load(write_config(fit))
    fitted["run"] = {"horizon": 6000, "warmup": 200, "replications": 6, "seed": 3}
    original = dict(config)
    original["run"] = dict(fitted["run"])
    results = procsim.run(procsim.from_configs({"current": original, "fitted": fitted}))
    mean = results.summary.set_index(["scenario", "metric", "entity"])["mean"]
    for metric, tol in [("throughput_per_day", 0.05), ("cycle_time_mean", 0.12)]:
        a, b = mean[("current", metric, "")], mean[("fitted", metric, "")]
        assert b == pytest.approx(a, rel=tol), (metric, a, b)


# ----------------------------------------------------------------------------- the command


def write_csv(path: Path, rows: list[tuple[str, ...]], header: str) -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def small_log(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    rows = []
    t = pd.Timestamp("2024-01-01 08:00")
    for i in range(120):
        t += pd.Timedelta(minutes=float(rng.exponential(40)))
        s1 = t
        e1 = s1 + pd.Timedelta(minutes=float(rng.gamma(4, 5)))
        rows.append((f"c{i}", "Check form", s1.isoformat(), e1.isoformat(), f"clerk{i % 2}"))
        s2 = e1 + pd.Timedelta(minutes=float(rng.exponential(10)))
        e2 = s2 + pd.Timedelta(minutes=float(rng.lognormal(2.5, 0.5)))
        rows.append((f"c{i}", "Approve", s2.isoformat(), e2.isoformat(), "boss"))
    return write_csv(tmp_path / "log.csv", rows, "case,task,begin,finish,who")


def test_procsim_fit_writes_a_workspace_that_runs(tmp_path: Path) -> None:
    log = small_log(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    args = [f"log={log}", "name=forms", "case=case", "activity=task", "start=begin"]
    args += ["end=finish", "resource=who"]
    done = run_module("procsim.cli.fit", args, work)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "procsim process=forms" in done.stdout
    assert len(list((work / "outputs").rglob("report.html"))) == 1  # the fit report
    config_file = work / "conf" / "process" / "forms.yaml"
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith("# @package _global_")
    assert "# duration: n=120" in text
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    assert text.splitlines()[2] == f"# log SHA-256: {digest}"
    assert (work / "conf" / "config.yaml").is_file()
    study = procsim.compose(
        process="forms",
        overrides=["run.replications=2", "run.horizon=2w", "run.warmup=0"],
        workspace=Workspace(work, "test"),
    )
    results = procsim.run(study)
    assert results.summary["metric"].eq("cycle_time_mean").any()
    # A second fit does not overwrite the first without overwrite=true.
    again = run_module("procsim.cli.fit", args, work)
    assert again.returncode == 2 and "overwrite=true" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["name=x"], "log: missing"),
        (["log=nowhere.csv", "name=x"], "no such file"),
        (["log=a.csv", "nmae=x"], "did you mean 'name'"),
        (["log=a.csv", "name=x", "criterion=r2"], "aic or bic"),
        (["log=a.csv", "name=../x"], "not a usable name"),
    ],
)
def test_procsim_fit_bad_options_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    done = run_module("procsim.cli.fit", args, tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_fit_log_checks_what_it_writes(tmp_path: Path) -> None:
    """Every fitted config validates (fit_log refuses to write one that does not)."""
    log = small_log(tmp_path)
    result = fit_log(
        {
            "log": str(log),
            "name": "forms",
            "case": "case",
            "activity": "task",
            "start": "begin",
            "end": "finish",
            "resource": "who",
            "out": str(tmp_path / "forms.yaml"),
            "report": str(tmp_path / "fit_report"),
        }
    )
    assert result.path.is_file()
    assert result.report is not None
    page = result.report.read_text(encoding="utf-8")
    assert "Fit: forms" in page and page.count("data:image/png;base64,") == 3
    try:
        validate_model(yaml.safe_load(result.text))
    except ModelError as exc:  # pragma: no cover - the assertion below explains
        pytest.fail(str(exc))


def test_fit_of_a_real_log_sample_reads_like_a_config(tmp_path: Path) -> None:
    """250 cases of BPI Challenge 2012 (W): six activities, roles, a config that validates."""
    data = Path(__file__).parent / "data" / "bpic2012_w_sample.csv.gz"
    result = fit_log(
        {
            "log": str(data),
            "name": "loans",
            "timezone": "Europe/Amsterdam",
            "out": str(tmp_path / "loans.yaml"),
            "report": "false",
        }
    )
    fit = result.fit
    assert len(fit.activities) == 6 and fit.cases == 250
    # Every frequent work item has a role; a role seen too rarely to staff is a delay, said so.
    assert all(a.role is not None for a in fit.activities if a.count >= 50)
    for a in fit.activities:
        if a.role is None:
            assert any("too rarely seen" in n for n in fit.notes)
    config = yaml.safe_load(result.text)
    assert config["process"]["calendar"]["start"].weekday() == 0  # a Monday
    # Every activity's comment says how its duration was chosen.
    for a in fit.activities:
        assert f"# duration: n={a.count:,}" in result.text
    # Office hours: nobody arrives at night.
    rates = config["arrivals"]["rate"]
    assert all(rates[day][3] == 0 for day in rates)


def test_a_twice_weekly_batch_is_found_and_written() -> None:
    """Payments released on Mondays and Thursdays at 17:30: a batch stage, not a delay."""
    rows = []
    day = pd.Timestamp("2024-01-01")  # a Monday
    for i in range(200):  # 200 payments in 9 runs: 4.5% distinct moments
        submitted = day + pd.Timedelta(hours=9 + 24 * (i % 28) + (i % 7))
        # the next Monday or Thursday 17:30 after submission
        release = submitted.normalize() + pd.Timedelta(hours=17.5)
        while release.day_of_week not in (0, 3) or release <= submitted:
            release += pd.Timedelta(days=1)
        rows.append((f"c{i}", "submit", str(submitted), str(submitted), "ann"))
        rows.append((f"c{i}", "pay", str(release), str(release), "sys"))
    fit = discover(log_of(rows), "payments")
    pay = next(a for a in fit.activities if a.key == "pay")
    assert pay.batch == ("mon 17:30", "thu 17:30")
    assert pay.delay is None  # the wait for the run is the batch, not an extra delay
    config = yaml.safe_load(write_config(fit))
    assert config["process"]["stages"]["pay"]["batch"] == {"at": ["mon 17:30", "thu 17:30"]}
    validate_model(config)


def test_completions_only_without_people_become_delays() -> None:
    """A resource column naming no people (one label for everyone): no roles are invented."""
    rows = []
    for i in range(30):
        t = pd.Timestamp("2024-01-01 09:00") + pd.Timedelta(hours=5 * i)
        rows.append((f"c{i}", "submit", "", str(t), "STAFF MEMBER"))
        rows.append((f"c{i}", "approve", "", str(t + pd.Timedelta(hours=30)), "STAFF MEMBER"))
    frame = pd.DataFrame(
        rows, columns=["case_id", "activity", "start_time", "end_time", "resource"]
    )
    frame["start_time"] = pd.NaT
    frame["end_time"] = pd.to_datetime(frame["end_time"])
    frame["start_estimated"] = True
    frame["start_time"] = estimate_starts(frame)
    approve = frame[frame["activity"] == "approve"]
    # Each approval starts when its own case's submission ended, not when "STAFF MEMBER"
    # last finished anything.
    hours = (approve["end_time"] - approve["start_time"]).dt.total_seconds() / 3600
    assert (hours == 30).all()
    fit = discover(RealLog(frame, "completions", starts_estimated=True), "claims")
    assert fit.roles == [] and all(a.role is None for a in fit.activities)
    assert any("names no people" in n for n in fit.notes)


def test_off_duty_hours_by_hand() -> None:
    office = np.zeros(168, dtype=int)
    for d in range(5):
        office[d * 24 + 9 : d * 24 + 17] = 1  # Monday to Friday 09:00-17:00
    a = pd.Series(pd.to_datetime(["2024-01-01 16:00", "2024-01-05 16:00", "2024-01-01 10:00"]))
    b = pd.Series(pd.to_datetime(["2024-01-02 10:00", "2024-01-08 10:00", "2024-01-01 11:00"]))
    # Mon 16:00 - Tue 10:00: 18 h, on duty 16-17 and 9-10: 16 h off. Fri 16:00 - Mon 10:00:
    # 66 h, 2 on duty: 64 off. Inside office hours: none.
    np.testing.assert_allclose(_off_duty_hours(a, b, office), [16, 64, 0])


def test_overlapping_activities_become_parallel_work() -> None:
    """Legal and finance review at the same time after intake, then a decision."""
    rng = np.random.default_rng(4)
    rows = []
    t = pd.Timestamp("2024-01-01 00:00")
    for i in range(60):
        t += pd.Timedelta(hours=float(rng.exponential(3)))
        intake_end = t + pd.Timedelta(hours=0.5)
        legal_end = intake_end + pd.Timedelta(hours=float(rng.gamma(4, 0.5)))
        finance_end = intake_end + pd.Timedelta(hours=float(rng.gamma(4, 0.5)))
        decide_end = max(legal_end, finance_end) + pd.Timedelta(hours=0.25)
        case = f"c{i}"
        rows += [
            (case, "intake", str(t), str(intake_end), "ann"),
            (case, "legal", str(intake_end), str(legal_end), "lea"),
            (case, "finance", str(intake_end), str(finance_end), "fin"),
            (case, "decide", str(max(legal_end, finance_end)), str(decide_end), "dan"),
        ]
    fit = discover(log_of(rows), "parallel")
    assert [(b.split, b.branches, b.join) for b in fit.parallel] == [
        ("intake", ("finance", "legal"), "decide")
    ]
    config = yaml.safe_load(write_config(fit))
    stages = config["process"]["stages"]
    assert stages["intake"]["next"] == {"parallel": ["finance", "legal"], "join": "decide"}
    assert stages["legal"]["next"] == "decide" and stages["finance"]["next"] == "decide"
    model = validate_model(config)
    assert model.stages[model.stage_names.index("intake")].split


@pytest.mark.parametrize("name", ["-5", "1e5", "yes", "null", "esc\x1bape", "line\u2028break"])
def test_any_activity_name_gives_a_config_that_reads_back(name: str) -> None:
    """Names YAML would read as numbers, booleans or null, or with characters YAML refuses
    raw, are quoted or escaped (found by the log fuzz test). Read back by PyYAML and by
    OmegaConf, which Hydra loads the process file with (it reads 1e5 as a number)."""
    rows = []
    for i in range(6):
        day = f"2024-01-0{1 + i % 5}"
        rows.append((f"c{i}", name, f"{day} 09:00", f"{day} 09:30", "ann"))
        rows.append((f"c{i}", "b", f"{day} 10:00", f"{day} 10:30", "bob"))
    text = write_config(discover(log_of(rows), "names"))
    for config in (yaml.safe_load(text), OmegaConf.to_container(OmegaConf.create(text))):
        assert isinstance(config, dict)
        descriptions = [s["description"] for s in config["process"]["stages"].values()]
        assert name in descriptions
        validate_model(config)
