"""Shell completion: scenario and experiment names from the workspace's folders, Hydra's own
completion (config groups and keys) for the rest, through the command as the shell calls it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from procsim.cli.completion import complete
from procsim.config.workspace import Workspace

SCENARIOS = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))


def _query(line: str, cwd: Path, shell: str = "bash") -> list[str]:
    env = {**os.environ, "PROCSIM_WORKSPACE": str(REPO), "COMP_LINE": line}
    done = subprocess.run(
        [sys.executable, "-m", "procsim", "-sc", f"query={shell}"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_scenario_names_are_completed(tmp_path: Path) -> None:
    assert _query("procsim scenario=", tmp_path) == [f"scenario={n}" for n in SCENARIOS]
    assert _query("procsim scenario=merg", tmp_path) == ["scenario=merged_approval"]


def test_only_the_scenarios_of_the_process_on_the_line(tmp_path: Path) -> None:
    import yaml

    mine = [
        n for n in SCENARIOS
        if yaml.safe_load((REPO / "scenarios" / f"{n}.yaml").read_text())["redesigns"]
        == "approval_chain"
    ]  # fmt: skip
    assert mine and len(mine) < len(SCENARIOS)
    got = _query("procsim process=approval_chain scenario=", tmp_path)
    assert got == [f"scenario={n}" for n in mine]


def test_items_of_a_list_and_experiments(tmp_path: Path) -> None:
    got = _query("procsim compare=[merged_approval,pa", tmp_path)
    assert got == ["compare=[merged_approval,parallel_approvals"]
    experiments = sorted(p.stem for p in (REPO / "experiments").glob("*.yaml"))
    assert _query("procsim experiment=", tmp_path, "fish") == [
        f"experiment={n}" for n in experiments
    ]


def test_hydra_still_completes_processes_and_keys(tmp_path: Path) -> None:
    processes = sorted(p.stem for p in (REPO / "conf" / "process").glob("*.yaml"))
    assert _query("procsim process=", tmp_path) == [f"process={n}" for n in processes]
    assert "staffing.reviewer=" in _query("procsim staffing.rev", tmp_path)


@pytest.mark.parametrize("line", ["procsim ", "procsim run.horizon=", "procsim x=y ", "procsim"])
def test_other_words_are_left_to_hydra(line: str) -> None:
    assert complete(Workspace(REPO, "test"), line) is None


def test_an_open_quote_or_an_unknown_name_offers_nothing() -> None:
    assert complete(Workspace(REPO, "test"), "procsim scenario='merg") == []
    assert complete(Workspace(REPO, "test"), "procsim scenario=zzz") == []
