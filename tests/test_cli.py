"""The ``procsim`` command in a subprocess: runs, sweeps, help, and bad input (exit 2, no
traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import REPO
from helpers import run_cli as procsim


def test_bundled_example_compares_redesign_with_current(tmp_path: Path) -> None:
    done = procsim(
        "scenario=merged_approval",
        "run.replications=3",
        "run.horizon=4w",
        "run.warmup=1w",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "current" in done.stdout and "merged_approval" in done.stdout
    assert "cycle time, mean" in done.stdout and "±" in done.stdout
    folder = Path(done.stdout.strip().splitlines()[-1].removeprefix("results: "))
    assert folder.is_relative_to(tmp_path)
    for name in ("kpis", "summary", "comparison", "targets"):
        assert (folder / "tables" / f"{name}.csv").is_file()
        assert (folder / "tables" / f"{name}.parquet").is_file()
    visits = pd.read_parquet(folder / "tables" / "visits.parquet")
    assert {"case_id", "activity", "start_time", "end_time", "resource"} <= set(visits)
    # A log this small also comes as CSV, row for row.
    for log in ("visits", "cases"):
        csv = pd.read_csv(folder / "tables" / f"{log}.csv")
        assert len(csv) == len(pd.read_parquet(folder / "tables" / f"{log}.parquet"))
    assert (folder / "resolved" / "merged_approval.yaml").is_file()
    assert (folder / ".hydra" / "config.yaml").is_file()
    summary = pd.read_csv(folder / "tables" / "summary.csv")
    assert set(summary["scenario"]) == {"current", "merged_approval"}


def test_same_seed_gives_byte_identical_tables(tmp_path: Path) -> None:
    tables = []
    for workers in ("1", "2"):
        done = procsim(
            "run.replications=3",
            "run.horizon=2w",
            "run.warmup=2d",
            f"run.workers={workers}",
            "run.seed=5",
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        folder = Path(done.stdout.strip().splitlines()[-1].removeprefix("results: "))
        tables.append((folder / "tables" / "kpis.csv").read_bytes())
    assert tables[0] == tables[1]


def test_sweep_writes_one_folder_per_job(tmp_path: Path) -> None:
    done = procsim(
        "-m",
        "staffing.reviewer=2,3",
        "run.replications=2",
        "run.horizon=1w",
        "run.warmup=0",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    jobs = sorted(tmp_path.glob("multirun/*/*/[0-9]*"))
    assert len(jobs) == 2
    assert all((job / "tables" / "summary.csv").is_file() for job in jobs)


def test_help_lists_processes_and_scenarios(tmp_path: Path) -> None:
    done = procsim("--help", cwd=tmp_path)
    assert done.returncode == 0
    for name in (
        "customer_request",
        "approval_chain",
        "merged_approval",
        "automated_intake",
        "clear_confirmation",
    ):
        assert name in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staffing.reviwer=3"], "did you mean 'reviewer'?"),
        (["scenario=merged_aproval"], "did you mean 'merged_approval'?"),
        (["process=aproval_chain"], "did you mean 'approval_chain'?"),
        (["run.replications=1"], "run.replications: out of range"),
        (["staffing.reviewer=0"], "staffing.reviewer: out of range"),
        (["process.stages.intake.duration.dist=gama"], "did you mean 'gamma'?"),
        (["run.horizon=soon"], "run.horizon: not a valid number"),
        (["process=approval_chain", "scenario=clear_confirmation"], "redesigns process"),
        (["staffing.reviewer=[3"], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = procsim(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_bad_yaml_in_a_workspace_exits_2(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "conf" / "process").mkdir(parents=True)
    (ws / "scenarios").mkdir()
    (ws / "conf" / "config.yaml").write_text((REPO / "conf" / "config.yaml").read_text())
    (ws / "conf" / "process" / "customer_request.yaml").write_text(
        "# @package _global_\nprocess: {stages: [\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "procsim"],
        cwd=ws,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PROCSIM_WORKSPACE"},
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "customer_request.yaml" in done.stderr


@pytest.mark.parametrize("multirun", [False, True])
def test_a_run_folder_that_cannot_be_made_exits_2_before_running(
    tmp_path: Path, multirun: bool
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    args = ["-m", "staffing.reviewer=2,3"] if multirun else []
    done = procsim(*args, f"{key}={blocker / 'run'}", "run.replications=2", cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{key}: cannot create the run folder" in done.stderr
    assert "Hint:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_hydra_flags_with_a_value_are_not_read_as_overrides(tmp_path: Path) -> None:
    """``--cfg job`` (in the README) prints the composed config, overrides applied."""
    done = procsim("--cfg", "job", "staffing.reviewer=3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reviewer: 3" in done.stdout
    assert "replications:" in done.stdout


def test_shell_completion_and_print_only_flags_work(tmp_path: Path) -> None:
    done = procsim("-sc", "install=bash", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout
    # --cfg only prints: it makes no run folder.
    done = procsim("--cfg", "job", f"hydra.run.dir={tmp_path / 'never'}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "never").exists()
