"""The log commands' options: each problem told once, as an option, before any file is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_module
from procsim.mining.read_limits import parse_bound

HEADER = "case_id,activity,start_time,end_time,resource"


def _log(folder: Path) -> Path:
    path = folder / "log.csv"
    rows = [f"{c},a,2024-03-01T09:00:00,2024-03-01T09:30:00,ann" for c in range(3)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("module", ["procsim.cli.fit", "procsim.cli.validate_log"])
def test_an_unknown_time_zone_is_one_option_problem(tmp_path: Path, module: str) -> None:
    _log(tmp_path)
    extra = ["name=x"] if module.endswith("fit") else ["process=x"]
    done = run_module(module, ["log=log.csv", *extra, "timezone=Mars/Olympus"], tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("Mars/Olympus") == 1
    assert "problem(s) in the command line" in done.stderr
    assert "event log" not in done.stderr


def test_an_unwritable_out_names_the_setting_and_the_path(tmp_path: Path) -> None:
    """/proc takes no new files: the message names out= and the path, not a scratch name,
    and comes before the log is fitted."""
    _log(tmp_path)
    done = run_module(
        "procsim.cli.fit", ["log=log.csv", "name=x", "out=/proc/x.yaml", "report=false"], tmp_path
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "out=/proc/x.yaml: cannot write the file there" in done.stderr
    assert ".x.yaml." not in done.stderr  # no temporary file name
    assert "fitted" not in done.stdout


def test_a_folder_as_log_is_named_a_folder(tmp_path: Path) -> None:
    done = run_module("procsim.cli.fit", [f"log={tmp_path}", "name=x"], tmp_path)
    assert done.returncode == 2 and "is a folder" in done.stderr
    assert "no such file" not in done.stderr


def test_the_bounds_are_options_with_units(tmp_path: Path) -> None:
    _log(tmp_path)
    done = run_module("procsim.cli.fit", ["log=log.csv", "name=x", "max_rows=2"], tmp_path)
    assert done.returncode == 2 and "max_rows bound" in done.stderr
    assert "Traceback" not in done.stderr
    bad = run_module("procsim.cli.fit", ["log=log.csv", "name=x", "max_bytes=-1"], tmp_path)
    assert bad.returncode == 2 and "max_bytes: not a positive count" in bad.stderr
    assert parse_bound("5M") == 5_000_000 and parse_bound("2GB") == 2_000_000_000
    assert parse_bound("1GiB") == 2**30 and parse_bound("5_000") == 5_000
    assert parse_bound("0") is None and parse_bound("lots") is None
