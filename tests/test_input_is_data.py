"""Input files are data, not code: configs and logs never execute anything, and a config
cannot move the results out of the run folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def workspace(tmp_path: Path) -> Path:
    for folder in ("conf", "scenarios", "experiments"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def procsim(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PROCSIM_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "procsim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.parametrize(
    "payload",
    [
        '{_target_: os.system, command: "touch {marker}"}',
        '{dist: "${oc.env:HOME}", mean: 1}',
        '!!python/object/apply:os.system ["touch {marker}"]',
    ],
    ids=["hydra-target", "interpolation", "yaml-python-tag"],
)
def test_a_scenario_cannot_run_code(tmp_path: Path, payload: str) -> None:
    ws = workspace(tmp_path / "ws")
    marker = tmp_path / "pwned"
    (ws / "scenarios" / "evil.yaml").write_text(
        "description: tries to run code\nredesigns: customer_request\n"
        "process:\n  stages:\n    intake:\n"
        f"      duration: {payload.replace('{marker}', str(marker))}\n",
        encoding="utf-8",
    )
    done = procsim(ws, "scenario=evil", "run.replications=2", "run.horizon=50")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not marker.exists()


def test_a_process_file_cannot_send_results_elsewhere(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    elsewhere = tmp_path / "elsewhere"
    text = (REPO / "conf" / "process" / "customer_request.yaml").read_text(encoding="utf-8")
    text += f"\nhydra:\n  run:\n    dir: {elsewhere}\n  sweep:\n    dir: {elsewhere}\n"
    (ws / "conf" / "process" / "customer_request.yaml").write_text(text, encoding="utf-8")
    done = procsim(ws, "run.replications=2", "run.horizon=50")
    assert not elsewhere.exists()
    if done.returncode == 0:  # ignored: the results are in the workspace's outputs/
        assert list((ws / "outputs").glob("*/*/tables/kpis.csv"))
    else:  # or refused with a message
        assert done.returncode == 2 and "Traceback" not in done.stderr
