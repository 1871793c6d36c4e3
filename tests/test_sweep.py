"""Sweeps: every job recorded, failures listed and signalled, results collected at the end,
identical whichever launcher runs them; named studies expand to their sweep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from procsim.config.experiments import expand_experiment
from procsim.config.workspace import Workspace
from procsim.errors import ModelError
from procsim.study.sweep import collect_sweep, parse_overrides, record_job

REPO = Path(__file__).resolve().parents[1]


def procsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROCSIM_WORKSPACE": str(REPO)}
    return subprocess.run([sys.executable, "-m", "procsim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip


def fake_job(folder: Path, status: str, overrides: list[str], mean: float) -> None:
    record_job(folder, status, overrides, "" if status == "ok" else "bad head count")
    if status == "ok":
        (folder / "tables").mkdir(parents=True)
        pd.DataFrame({
            "scenario": ["current"], "metric": ["cycle_time_mean"], "entity": [""],
            "mean": [mean], "sd": [1.0], "n": [5], "half_width": [0.5],
            "ci_low": [mean - 0.5], "ci_high": [mean + 0.5],
        }).to_parquet(folder / "tables" / "summary.parquet")  # fmt: skip


def test_collect_lists_every_job_and_only_the_varying_parameters(tmp_path: Path) -> None:
    fake_job(tmp_path / "0", "ok", ["staffing.r=1", "run.seed=3"], 10.0)
    fake_job(tmp_path / "1", "failed", ["staffing.r=0", "run.seed=3"], 0.0)
    fake_job(tmp_path / "2", "ok", ["staffing.r=2", "run.seed=3"], 6.0)
    result = collect_sweep(tmp_path)
    assert result.parameters == ["staffing.r"]
    assert result.failed == 1
    assert result.jobs["status"].tolist() == ["ok", "failed", "ok"]
    assert result.summary[["staffing.r", "mean"]].values.tolist() == [[1.0, 10.0], [2.0, 6.0]]


def test_parse_overrides_drops_prefixes() -> None:
    assert parse_overrides(["+a.b=1", "~c=", "d=[1,2]"]) == {"a.b": "1", "c": "", "d": "[1,2]"}


def test_a_failed_job_is_recorded_the_rest_collected_and_the_exit_code_says_so(
    tmp_path: Path,
) -> None:
    done = procsim("-m", "staffing.reviewer=0,2", "run.replications=2", "run.horizon=1w",
                   "run.warmup=0", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    sweep = next(tmp_path.glob("multirun/*/*"))
    jobs = pd.read_csv(sweep / "sweep_jobs.csv")
    assert jobs["status"].tolist() == ["failed", "ok"]
    assert "staffing.reviewer" in jobs.loc[0, "error"]
    assert (sweep / "0" / "error.txt").is_file()
    summary = pd.read_csv(sweep / "sweep_summary.csv")
    assert set(summary["staffing.reviewer"]) == {2}
    assert (sweep / "figures" / "sweep_cycle_time_mean.png").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(
    "launcher",
    [
        ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
        ["hydra/launcher=submitit_local"],  # the SLURM launcher's local mode
        ["hydra/launcher=ray", "hydra.launcher.num_cpus=2"],  # a local Ray
    ],
    ids=["joblib", "submitit_local", "ray"],
)
def test_parallel_launchers_give_the_same_results_as_sequential_jobs(
    tmp_path: Path, launcher: list[str]
) -> None:
    args = ["staffing.reviewer=1,2", "run.replications=3", "run.horizon=1w", "run.warmup=0"]
    (tmp_path / "seq").mkdir()
    sequential = procsim("-m", *args, cwd=tmp_path / "seq")
    assert sequential.returncode == 0, sequential.stderr
    parallel_dir = tmp_path / "par"
    parallel_dir.mkdir()
    parallel = procsim("-m", *launcher, *args, cwd=parallel_dir)
    assert parallel.returncode == 0, parallel.stderr
    for job in ("0", "1"):
        a = next((tmp_path / "seq").glob(f"multirun/*/*/{job}/tables/kpis.csv")).read_bytes()
        b = next(parallel_dir.glob(f"multirun/*/*/{job}/tables/kpis.csv")).read_bytes()
        assert a == b
    run_json = next(parallel_dir.glob("multirun/*/*/0/run.json")).read_text()
    assert '"workers": 1' in run_json


def test_experiment_expands_to_its_sweep_and_the_command_line_wins() -> None:
    ws = Workspace(REPO, "test")
    args = expand_experiment(ws, "reviewer_staffing", ["run.replications=3"])
    assert args[0] == "--multirun"
    assert "process=customer_request" in args
    assert "staffing.reviewer=1,2,3,4" in args
    assert "run.replications=3" in args and "run.replications=10" not in args
    with pytest.raises(ModelError, match="did you mean 'reviewer_staffing'"):
        expand_experiment(ws, "reviewer_stafing", [])


def test_a_sweep_run_again_into_its_folder_keeps_the_finished_jobs(tmp_path: Path) -> None:
    """Resume: a job whose folder holds a finished run of the same overrides is not redone."""
    args = ["-m", "staffing.reviewer=2,3", "run.replications=2", "run.horizon=1w",
            "run.warmup=0", f"hydra.sweep.dir={tmp_path / 'sweep'}"]  # fmt: skip
    first = procsim(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    job0 = tmp_path / "sweep" / "0" / "tables" / "summary.parquet"
    stamp = job0.stat().st_mtime_ns
    # Job 1 "was interrupted": its record says so, so it runs again.
    record_job(tmp_path / "sweep" / "1", "interrupted", ["staffing.reviewer=3"], "Ctrl-C")
    again = procsim(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "job 0: done in an earlier run of this sweep; kept" in again.stdout
    assert "job 1: done" not in again.stdout
    assert job0.stat().st_mtime_ns == stamp
    jobs = pd.read_csv(tmp_path / "sweep" / "sweep_jobs.csv")
    assert jobs["status"].tolist() == ["ok", "ok"]


@pytest.mark.parametrize("callbacks", ["none", "old path"])
def test_a_sweep_is_collected_whatever_the_workspaces_config_names(
    tmp_path: Path, callbacks: str
) -> None:
    """A workspace config with no callback block, or one naming the collector by the import
    path of an older procsim, still gets its sweep collected."""
    workspace = tmp_path / "ws"
    (workspace / "conf" / "process").mkdir(parents=True)
    (workspace / "scenarios").mkdir()
    source = (REPO / "conf" / "process" / "customer_request.yaml").read_text(encoding="utf-8")
    (workspace / "conf" / "process" / "customer_request.yaml").write_text(source, "utf-8")
    config = "defaults:\n  - procsim_defaults\n  - process: customer_request\n  - _self_\n"
    if callbacks == "old path":
        config += (
            "hydra:\n  callbacks:\n    collect_sweep:\n      _target_: procsim.sweep.CollectSweep\n"
        )
    (workspace / "conf" / "config.yaml").write_text(config, encoding="utf-8")
    env = {**os.environ, "PROCSIM_WORKSPACE": str(workspace)}
    done = subprocess.run(
        [sys.executable, "-m", "procsim", "-m", "staffing.reviewer=2,3", "run.replications=2",
         "run.horizon=1w", "run.warmup=0", f"hydra.sweep.dir={tmp_path / 'sweep'}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    jobs = pd.read_csv(tmp_path / "sweep" / "sweep_jobs.csv")
    assert jobs["status"].tolist() == ["ok", "ok"]
    assert (tmp_path / "sweep" / "sweep_summary.csv").is_file()
    assert (tmp_path / "sweep" / "0" / "cli.log").is_file()
