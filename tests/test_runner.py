"""The runner's worker pool: the same results as one process, and nothing left behind."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

import procsim
from helpers import two_stage
from procsim.model.process import Model, RunSettings
from procsim.study import local, runner


def models_and_run(workers: int) -> tuple[dict[str, Model], RunSettings]:
    current = two_stage()
    faster = two_stage()
    faster["staffing"]["reviewer"] = 3
    study = procsim.from_configs({"current": current, "faster": faster})
    models, run = study.build()
    return models, dataclasses.replace(run, workers=workers)


def test_two_workers_give_the_same_kpis_and_event_logs_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pool's results travel through files in a private folder of the temporary directory.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    received: list[object] = []
    receive = local._receive

    def spy(item: runner.ReplicationResult | str) -> runner.ReplicationResult:
        received.append(item)
        return receive(item)

    monkeypatch.setattr(local, "_receive", spy)
    one = runner.simulate_replications(*models_and_run(1), range(3))
    two = runner.simulate_replications(*models_and_run(2), range(3))
    # Every result came as a file of the private folder, not through the pipe.
    assert len(received) == 6
    assert all(isinstance(i, str) and Path(i).parent.parent == tmp_path for i in received)
    assert [(r.scenario, r.replication) for r in two] == [(r.scenario, r.replication) for r in one]
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a.kpis, b.kpis)
        pd.testing.assert_frame_equal(a.log.visits, b.log.visits)
        pd.testing.assert_frame_equal(a.log.cases, b.log.cases)
        assert (a.truncated, a.stop_reason) == (b.truncated, b.stop_reason)
    assert list(tmp_path.iterdir()) == []  # the folder and every result file are gone


def test_a_worker_hands_back_its_result_through_a_file(tmp_path: Path) -> None:
    models, run = models_and_run(2)
    local._WORKER.update(models=models, run=run, spool=str(tmp_path))
    try:
        item = local._pool_task(("faster", 1))
        assert isinstance(item, str) and Path(item).parent == tmp_path
        result = local._receive(item)
        assert not Path(item).exists()
        direct = local.run_one("faster", models["faster"], run, 1)
        pd.testing.assert_frame_equal(result.log.visits, direct.log.visits)
        pd.testing.assert_frame_equal(result.kpis, direct.kpis)

        # A spool folder that cannot be written (removed, full disk): through the pipe then.
        local._WORKER["spool"] = str(tmp_path / "gone")
        item = local._pool_task(("faster", 1))
        assert isinstance(item, runner.ReplicationResult)
        assert local._receive(item) is item
        pd.testing.assert_frame_equal(item.log.visits, direct.log.visits)
        assert not os.path.exists(tmp_path / "gone")
    finally:
        local._WORKER.clear()


def test_without_a_usable_temporary_folder_results_come_through_the_pipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_temporary_folder(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", "/tmp/procsim-results-x")

    one = runner.simulate_replications(*models_and_run(1), range(2))
    monkeypatch.setattr(tempfile, "mkdtemp", no_temporary_folder)
    two = runner.simulate_replications(*models_and_run(2), range(2))
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a.log.visits, b.log.visits)
        pd.testing.assert_frame_equal(a.kpis, b.kpis)


def test_ctrl_c_with_workers_keeps_whole_replications_and_removes_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def ctrl_c_after_five(done: int, total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    # Tasks finish in order, both models per replication: 5 finished = replications 0 and 1
    # whole and half of 2, which is left out (the comparison needs pairs).
    with pytest.raises(runner.Interrupted) as caught:
        runner.simulate_replications(*models_and_run(2), range(4), ctrl_c_after_five)
    kept = caught.value.finished
    assert sorted((r.replication, r.scenario) for r in kept) == [
        (0, "current"), (0, "faster"), (1, "current"), (1, "faster")
    ]  # fmt: skip
    one = runner.simulate_replications(*models_and_run(1), range(2))
    order = {(r.replication, r.scenario): r for r in one}
    for r in kept:
        pd.testing.assert_frame_equal(order[r.replication, r.scenario].log.visits, r.log.visits)
    assert list(tmp_path.iterdir()) == []


def test_folders_left_by_a_killed_run_are_removed_once_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = 4_194_304 + 12_345  # above Linux's largest process id: no such process
    old = time.time() - 7 * 3600
    folders = {
        "stale": tmp_path / f"procsim-results-{dead}-a",
        "recent": tmp_path / f"procsim-results-{dead}-b",
        "running": tmp_path / f"procsim-results-{os.getpid()}-c",
        "other": tmp_path / "procsim-results-notapid",
    }
    for name, folder in folders.items():
        folder.mkdir()
        (folder / "1-0.pickle").write_bytes(b"x")
        if name != "recent":
            os.utime(folder, (old, old))
    runner.simulate_replications(*models_and_run(2), range(1))
    assert {name for name, folder in folders.items() if folder.exists()} == {
        "recent", "running", "other"
    }  # fmt: skip
