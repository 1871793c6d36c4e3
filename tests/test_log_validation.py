"""Log distances on hand-worked logs, and validating a model against a log it produced.

The distances were also checked digit for digit against the ``log-distance-measures`` package
on BPIC 2012 W (see benchmarks/README.md); here they are checked against values worked out by
hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import run_module, two_stage
from procsim.errors import ModelError
from procsim.measure.event_log import to_event_log
from procsim.mining.distances import (
    absolute_emd,
    circadian_emd,
    cycle_time_emd,
    log_distances,
    ngram_distance,
    relative_emd,
)
from procsim.mining.eventlog import RealLog
from procsim.mining.log_comparison import validate_against_log
from procsim.mining.simulated_log import from_simulation
from procsim.model.validate import validate
from procsim.review.validation_report import write_validation
from procsim.sim.engine import simulate


def log(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "start_time", "end_time"])
    for col in ("start_time", "end_time"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


BASE = log(
    [
        ("1", "a", "2024-01-01 09:00", "2024-01-01 09:30"),
        ("1", "b", "2024-01-01 10:00", "2024-01-01 11:00"),
        ("2", "a", "2024-01-01 12:00", "2024-01-01 12:30"),
    ]
)


def shifted(frame: pd.DataFrame, hours: float) -> pd.DataFrame:
    out = frame.copy()
    for col in ("start_time", "end_time"):
        out[col] = out[col] + pd.Timedelta(hours=hours)
    return out


def test_identical_logs_are_at_distance_zero() -> None:
    assert all(v == 0 for v in log_distances(BASE, BASE.copy()).values())


def test_a_log_two_hours_later_by_hand() -> None:
    later = shifted(BASE, 2)
    assert absolute_emd(BASE, later) == pytest.approx(2.0)  # every event moves 2 hourly bins
    assert relative_emd(BASE, later) == 0  # within their cases nothing moved
    assert cycle_time_emd(BASE, later) == 0
    assert ngram_distance(BASE, later) == 0
    # Same weekday (Monday), every hour of day 2 later.
    assert circadian_emd(BASE, later) == pytest.approx(2.0 / 7)


def test_ngrams_by_hand() -> None:
    # Case 1 is "a b", case 2 "a". 3-grams with padding: case 1 (-,-,a) (-,a,b) (a,b,-) (b,-,-);
    # case 2 (-,-,a) (-,a,-) (a,-,-). The other log: case 1 "a a".
    other = log(
        [
            ("1", "a", "2024-01-01 09:00", "2024-01-01 09:30"),
            ("1", "a", "2024-01-01 10:00", "2024-01-01 11:00"),
        ]
    )
    # other: (-,-,a) (-,a,a) (a,a,-) (a,-,-). Shared: (-,-,a) once, (a,-,-) once.
    # |diff|: (-,-,a) 2-1=1, (-,a,b) 1, (a,b,-) 1, (b,-,-) 1, (-,a,-) 1, (a,-,-) 0,
    # (-,a,a) 1, (a,a,-) 1 -> 7, over 7 + 4 grams.
    assert ngram_distance(BASE, other) == pytest.approx(7 / 11)
    disjoint = BASE.assign(activity="z")
    assert ngram_distance(BASE, disjoint) == pytest.approx(1.0)


def test_circadian_penalizes_a_weekday_only_one_log_has() -> None:
    tuesday = shifted(BASE, 24)
    # Monday: only BASE has events (23); Tuesday: only the other (23); 5 empty days (0).
    assert circadian_emd(BASE, tuesday) == pytest.approx(46 / 7)


def test_cycle_times_by_hand() -> None:
    longer = BASE.copy()
    longer.loc[1, "end_time"] = pd.Timestamp("2024-01-01 14:00")  # case 1: 2 h -> 5 h
    # Cycle times 2 h and 0.5 h against 5 h and 0.5 h: bins (offset 0.5) 1, 0 vs 4, 0.
    assert cycle_time_emd(BASE, longer) == pytest.approx(1.5)


# ----------------------------------------------------------------------------- validation


@pytest.fixture(scope="module")
def real_log() -> RealLog:
    """Four weeks of the two-stage process, simulated, as a real log would be recorded."""
    config = two_stage()
    config["run"] = {"horizon": "6w", "warmup": 0, "replications": 2, "seed": 99}
    model, run = validate(config)
    visits = to_event_log(simulate(model, run, 0), model, 0.0).visits
    events = from_simulation(visits, pd.Timestamp("2024-01-01"), 1.0)
    window = (events["start_time"] >= "2024-01-15") & (events["end_time"] < "2024-02-12")
    cases = set(events.loc[window, "case_id"])
    events = events[events["case_id"].isin(cases)].reset_index(drop=True)
    return RealLog(events, "simulated two_stage")


def test_the_model_that_made_a_log_is_close_to_it_and_a_wrong_one_is_not(
    real_log: RealLog, tmp_path: Path
) -> None:
    right = validate_against_log(real_log, two_stage(), runs=3, warmup_hours=168)
    wrong_config = two_stage()
    stages = wrong_config["process"]["stages"]
    stages["wait_customer"]["next"] = {"decide": 0.4, "review": 0.6}  # three times the rework
    wrong = validate_against_log(real_log, wrong_config, runs=3, warmup_hours=168)
    r = right.summary.set_index("measure")["mean"]
    w = wrong.summary.set_index("measure")["mean"]
    assert r["ngram_3"] < 0.05
    assert w["ngram_3"] > 2 * r["ngram_3"]
    assert w["cycle_time_emd"] > r["cycle_time_emd"]
    # Same period: the simulated cases arrive in the real log's window.
    first = right.simulated.groupby(["run", "case_id"])["start_time"].min()
    assert first.min() >= right.window[0] - pd.Timedelta(hours=1)
    assert first.max() <= right.window[1] + pd.Timedelta(hours=1)
    # Only the log's activities are compared (the pure delay is one of them here).
    assert set(right.simulated["activity"]) <= set(real_log.events["activity"])
    write_validation(right, tmp_path / "val", "two_stage", "simulated")
    assert (tmp_path / "val" / "tables" / "distances.csv").is_file()
    assert (tmp_path / "val" / "figures" / "cycle_times.png").stat().st_size > 1000
    report = (tmp_path / "val" / "report.md").read_text(encoding="utf-8")
    assert "3-gram distance" in report and "figures/arrivals_and_wip.png" in report
    page = (tmp_path / "val" / "report.html").read_text(encoding="utf-8")
    assert "3-gram distance" in page and page.count("data:image/png;base64,") == 3


def test_a_process_with_none_of_the_logs_activities_is_refused(real_log: RealLog) -> None:
    other = two_stage()
    stages = other["process"]["stages"]
    for old, new in (("review", "x"), ("wait_customer", "y"), ("decide", "z")):
        stages[new] = stages.pop(old)
    other["process"]["start"] = "x"
    stages["x"]["next"] = "y"
    stages["y"]["next"] = {"z": 0.8, "x": 0.2}
    with pytest.raises(ModelError, match="no stage is an activity of the log"):
        validate_against_log(real_log, other, runs=2)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["log=a.csv"], "process: missing"),
        (["log=a.csv", "process=x", "runs=0"], "an integer >= 1"),
        (["log=a.csv", "process=x", "warmup=soon"], "not a duration"),
        (["log=a.csv", "proces=x"], "did you mean 'process'"),
    ],
)
def test_procsim_validate_bad_options_exit_2(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    done = run_module("procsim.cli.validate_log", args, tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
