"""Simulated event logs for process-mining tools, read back by pm4py (an independent reader).

A tiny log worked out by hand, on a calendar in Europe/Berlin that crosses the change to
summer time, and a real run: case ids unique across scenario and replication, zoned
timestamps, open visits kept and marked, the XES standard's lifecycle transitions.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from procsim.mining.log_export import LogPart, write_csv, write_xes
from procsim.model.calendar import Calendar

pm4py = pytest.importorskip("pm4py")

NAN = math.nan
# Saturday 30 March 2024; summer time starts on Sunday 31 March at 02:00 (clocks to 03:00).
BERLIN = Calendar(dt.date(2024, 3, 30), 1.0, (), "Europe/Berlin")


def _part(replication: int) -> LogPart:
    visits = pd.DataFrame(
        {
            "case_id": [0, 0, 1, 2, 3, 4],
            "activity": pd.Categorical(["a", "b", "a", "a", "a", "a"]),
            "start_time": [1.0, 27.5, 3.0, NAN, NAN, NAN],
            "end_time": [2.0, 28.0, NAN, NAN, NAN, NAN],
            "resource": pd.Categorical(["r-1", "r-1", "r-1", NAN, NAN, NAN]),
            "role": pd.Categorical(["r", "r", "r", NAN, NAN, NAN]),
            "enabled_time": [0.5, 26.0, 2.0, 4.0, 5.0, 6.0],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": [0, 1, 2, 3, 4],
            "arrival_time": [0.5, 2.0, 4.0, 5.0, 6.0],
            "completion_time": [28.0, NAN, NAN, NAN, NAN],
            "outcome": pd.Categorical(["completed", "open", "open", "abandoned", "balked"]),
            "left_time": [28.0, NAN, NAN, 7.5, 6.0],
        }
    )
    return LogPart("current", replication, visits, cases, BERLIN)


def test_csv_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "event_log.csv.gz"
    assert write_csv(path, [_part(0), _part(1)]) == 12
    table = pd.read_csv(path, keep_default_na=False)
    # Unique across replications: case 0 of replication 0 and of replication 1 differ.
    assert table["case"].tolist()[:6] == ["current-r0-0"] * 2 + [
        "current-r0-1", "current-r0-2", "current-r0-3", "current-r0-4"]  # fmt: skip
    assert table["case"].nunique() == 10
    assert table["state"].tolist()[:6] == [
        "completed", "completed", "in_service", "waiting", "abandoned", "balked"]  # fmt: skip
    # 30 March 01:00 is winter time (+01:00); 27.5 h later the clocks have moved on.
    assert table["start"][0] == "2024-03-30T01:00:00.000+01:00"
    assert table["start"][1] == "2024-03-31T03:30:00.000+02:00"
    assert table["end"][2] == ""  # in service at the end: no end, still a row
    when = pd.to_datetime(table["start"][:2], format="ISO8601", utc=True)
    assert when.tolist() == [pd.Timestamp("2024-03-30T00:00Z"), pd.Timestamp("2024-03-31T01:30Z")]


def test_xes_by_hand_read_by_pm4py(tmp_path: Path) -> None:
    path = tmp_path / "event_log.xes.gz"
    assert write_xes(path, [_part(0), _part(1)]) == 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(path), show_progress_bar=False)
    assert log["case:concept:name"].nunique() == 10
    one = log[log["case:concept:name"] == "current-r1-0"]
    assert one["concept:name"].tolist() == ["a", "a", "b", "b"]
    assert one["lifecycle:transition"].tolist() == ["start", "complete", "start", "complete"]
    assert one["org:resource"].tolist() == ["r-1"] * 4
    expected = ["2024-03-30T00:00Z", "2024-03-30T01:00Z", "2024-03-31T01:30Z", "2024-03-31T02:00Z"]
    got = pd.to_datetime(one["time:timestamp"], utc=True)
    assert got.tolist() == [pd.Timestamp(t) for t in expected]
    open_ = log[log["case:concept:name"] == "current-r0-1"]
    assert open_["lifecycle:transition"].tolist() == ["start"]  # still in service
    assert open_["state"].tolist() == ["in_service"]
    waiting = log[log["case:concept:name"] == "current-r0-2"]
    assert waiting["lifecycle:transition"].tolist() == ["schedule"]
    gave_up = log[log["case:concept:name"] == "current-r0-3"]
    assert gave_up["lifecycle:transition"].tolist() == ["schedule", "withdraw"]
    assert pd.to_datetime(gave_up["time:timestamp"], utc=True).tolist()[1] == pd.Timestamp(
        "2024-03-30T06:30Z"
    )  # left 7.5 h after the start, at 07:30 winter time
    assert set(log["case:outcome"]) == {"completed", "open", "abandoned", "balked"}


def test_a_real_run_reads_back_whole(tmp_path: Path) -> None:
    import procsim

    study = procsim.compose(
        scenario="merged_approval",
        overrides=["run.replications=2", "run.horizon=1w", "run.warmup=0", "run.workers=1"],
    )
    results = procsim.run(study, progress=False, warn=lambda _: None)
    parts = []
    for (label, rep), visits in results.visits.groupby(["scenario", "replication"], sort=False):
        cases = results.cases[(results.cases["scenario"] == label)
                              & (results.cases["replication"] == rep)]  # fmt: skip
        parts.append(LogPart(str(label), int(rep), visits.drop(columns=["scenario", "replication"]),
                             cases.drop(columns=["scenario", "replication"]),
                             results.models[str(label)].calendar))  # fmt: skip
    path = tmp_path / "event_log.xes.gz"
    assert write_xes(path, parts) == len(results.cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(path), show_progress_bar=False)
    visits = results.visits
    transitions = log["lifecycle:transition"].value_counts()
    assert transitions["complete"] == int(visits["end_time"].notna().sum())
    assert transitions["start"] == int(visits["start_time"].notna().sum())
    assert transitions.get("schedule", 0) == int(visits["start_time"].isna().sum())
    assert log["case:concept:name"].nunique() == len(results.cases)  # across both scenarios
    # Every completion at its simulated time after the calendar's start (UTC here).
    origin = pd.Timestamp(results.models["current"].calendar.origin, tz="UTC")
    done = log[log["lifecycle:transition"] == "complete"]
    hours = (pd.to_datetime(done["time:timestamp"], utc=True) - origin).dt.total_seconds() / 3600
    assert np.allclose(np.sort(hours), np.sort(visits["end_time"].dropna()), atol=1e-6)


def test_an_unknown_time_zone_names_the_key() -> None:
    from procsim.errors import ModelError
    from procsim.model.validate import validate_model

    config = {
        "process": {"stages": {"a": {"role": "r", "duration": 1}},
                    "calendar": {"start": "2024-03-30", "timezone": "Mars/Olympus"}},
        "staffing": {"r": 1},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 2}},
    }  # fmt: skip
    with pytest.raises(ModelError, match=r"process\.calendar\.timezone.*unknown time zone"):
        validate_model(config)
    config["process"]["calendar"]["timezone"] = "Asia/Shanghai"  # type: ignore[index]
    assert validate_model(config).calendar.timezone == "Asia/Shanghai"


def test_procsim_export_writes_both_files_into_the_run_folder(tmp_path: Path) -> None:
    import procsim
    from helpers import run_module

    study = procsim.compose(
        overrides=["run.replications=2", "run.horizon=3d", "run.warmup=0", "run.workers=1"]
    )
    results = procsim.run(study, progress=False, warn=lambda _: None)
    folder = results.save(tmp_path / "run", figures=False, report=False)
    done = run_module("procsim.cli.export_log", [str(folder)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    xes, csv = folder / "tables" / "event_log.xes.gz", folder / "tables" / "event_log.csv.gz"
    assert done.stdout.split() == [str(xes), str(csv)]
    table = pd.read_csv(csv, keep_default_na=False)
    assert len(table) == len(results.visits)
    assert table["case"].nunique() == len(results.cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(xes), show_progress_bar=False)
    assert log["case:concept:name"].nunique() == len(results.cases)
    # Not a run folder: one message, exit 2.
    bad = run_module("procsim.cli.export_log", [str(tmp_path)], cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "run.json" in bad.stderr
