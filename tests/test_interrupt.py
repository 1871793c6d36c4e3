"""Ctrl-C in the middle of the replications keeps every replication that finished."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import procsim
from helpers import mm1
from procsim.study import local

REPO = Path(__file__).resolve().parents[1]


def interrupt_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
    real = local._task
    count = {"n": 0}

    def task(args: Any) -> local.ReplicationResult:
        count["n"] += 1
        if count["n"] > calls:
            raise KeyboardInterrupt
        return real(args)

    monkeypatch.setattr(local, "_task", task)


def study() -> procsim.Study:
    current = mm1(0.5, horizon=200, warmup=20, replications=5)
    faster = mm1(0.5, horizon=200, warmup=20, replications=5)
    faster["process"]["stages"]["serve"]["duration"] = {"dist": "expon", "mean": 0.8}
    return procsim.from_configs({"current": current, "faster": faster})


def test_finished_replications_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tasks run replication by replication, both models each: 7 calls = 3 whole replications
    # and half of the fourth, which is left out (the comparison needs pairs).
    interrupt_after(monkeypatch, 7)
    results = procsim.run(study())
    assert results.interrupted and results.interrupted_by == "Ctrl-C"
    assert results.run.replications == 3
    assert sorted(results.kpis["replication"].unique()) == [0, 1, 2]
    assert results.warnings[0].startswith("interrupted (Ctrl-C) after 3 of 5 replications")
    assert results.comparison is not None and (results.comparison["n"] == 3).all()


def test_an_interrupt_before_two_replications_is_an_ordinary_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        procsim.run(study())


def test_uninterrupted_results_say_so() -> None:
    results = procsim.run(study())
    assert not results.interrupted and results.interrupted_by == ""


@pytest.mark.slow
def test_ctrl_c_on_the_command_saves_what_finished(tmp_path: Path) -> None:
    """A real SIGINT to `procsim`: exit 130, the finished replications saved, and no
    half-written files (every table is written to a temporary name, then renamed)."""
    env = {**os.environ, "PROCSIM_WORKSPACE": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "procsim", "run.replications=5000", "run.workers=1",
         f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(12)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "interrupted (Ctrl-C) after" in err and "Traceback" not in err
    folder = tmp_path / "run"
    kpis = pd.read_parquet(folder / "tables" / "kpis.parquet")
    assert 2 <= kpis["replication"].nunique() < 5000
    job = json.loads((folder / "job.json").read_text())
    assert job["status"] == "interrupted"
    assert not [p for p in folder.rglob(".*") if p.is_file()]  # no temporary leftovers
    del out


def test_an_overloaded_system_is_stopped_by_the_guards_and_says_so() -> None:
    """Load 3 over a very long horizon: the time guard stops it, the rest is kept."""
    config = mm1(3.0, horizon=1e9, warmup=0, replications=2)
    config["run"]["max_seconds"] = 0.5
    results = procsim.run(procsim.from_configs({"current": config}))
    assert any("run.max_seconds (0.5 s each) guard" in w for w in results.warnings)
    assert any("offered load" in w for w in results.warnings)
    arrived = results.summary.set_index(["metric", "entity"]).loc[("arrived", ""), "mean"]
    assert arrived > 1000  # what was simulated is there
    config["run"]["max_seconds"] = 60
    config["run"]["max_events"] = 5000
    results = procsim.run(procsim.from_configs({"current": config}))
    assert any("run.max_events (5,000 visits) guard" in w for w in results.warnings)


PARENT = os.getpid()
_REAL_RUN_ONE = local.run_one


def _dying_run_one(label: str, model: Any, run: Any, replication: int) -> Any:
    """Replication 3 kills the worker process that runs it (the workers are forked, so they
    inherit this patch)."""
    if os.getpid() != PARENT and replication == 3:
        os._exit(9)
    return _REAL_RUN_ONE(label, model, run, replication)


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the workers inherit the patched run_one only when forked",
)
def test_a_killed_worker_keeps_the_finished_replications(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A worker process that dies (killed, out of memory) stops the run like Ctrl-C: what
    finished is kept, the warning says why, and no result file is left behind."""
    monkeypatch.setattr(local, "run_one", _dying_run_one)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    config = study()
    for label in config.configs:
        config.configs[label]["run"]["workers"] = 2
    results = procsim.run(config)
    assert results.interrupted
    assert results.interrupted_by.startswith("a worker process died")
    assert "a worker process died" in results.warnings[0]
    assert 2 <= results.run.replications <= 3
    assert list(tmp_path.iterdir()) == []
