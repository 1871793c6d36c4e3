"""A saved run can be run again from its folder, and its tables come out identical."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

import procsim
from procsim.cli.reproduce import main
from procsim.study.reproduce import reproduce


@pytest.fixture()
def run_folder(tmp_path: Path) -> Path:
    study = procsim.compose(
        compare=["merged_approval", "automated_intake"],
        overrides=["run.replications=3", "run.horizon=2w", "run.warmup=auto",
                   "run.precision=0.2"],
    )  # fmt: skip
    return procsim.run(study).save(tmp_path / "run", command="procsim ...")


def test_a_saved_run_reproduces_byte_for_byte(run_folder: Path, tmp_path: Path) -> None:
    differing, notes = reproduce(run_folder, tmp_path / "again")
    assert differing == [] and notes == []


def test_a_changed_config_is_caught_by_its_hash(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = run_folder / "resolved" / "automated_intake.yaml"
    info = json.loads((run_folder / "run.json").read_text())
    assert (
        hashlib.sha256(path.read_bytes()).hexdigest()
        == (info["inputs_sha256"]["resolved/automated_intake.yaml"])
    )
    config = yaml.safe_load(path.read_text())
    config["staffing"]["finance"] = 3
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(SystemExit) as exit_info:
        main([str(run_folder)])
    assert exit_info.value.code == 2
    assert "changed since the run" in capsys.readouterr().err


def test_a_changed_model_does_not_reproduce(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without recorded hashes (an older run folder) the tables themselves tell."""
    info_path = run_folder / "run.json"
    info = json.loads(info_path.read_text())
    del info["inputs_sha256"]
    info_path.write_text(json.dumps(info))
    path = run_folder / "resolved" / "automated_intake.yaml"
    config = yaml.safe_load(path.read_text())
    config["staffing"]["finance"] = 3
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(SystemExit) as exit_info:
        main([str(run_folder)])
    assert exit_info.value.code == 1
    assert "NOT reproduced" in capsys.readouterr().out


def test_not_a_run_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path)])
    assert exit_info.value.code == 2
    assert "not a procsim run folder" in capsys.readouterr().err


def test_event_logs_too_long_for_a_spreadsheet_are_parquet_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = procsim.compose(overrides=["run.replications=2", "run.horizon=1w", "run.warmup=0"])
    results = procsim.run(study)
    # As if a spreadsheet held fewer rows than the visits log has, but more than the cases log.
    monkeypatch.setattr(procsim.study.results, "SPREADSHEET_ROWS", len(results.cases) + 1)
    assert len(results.visits) > len(results.cases) + 1
    tables = results.save(tmp_path / "run") / "tables"
    assert (tables / "visits.parquet").is_file() and not (tables / "visits.csv").exists()
    assert (tables / "cases.csv").is_file()
