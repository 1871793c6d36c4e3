"""``procsim init``: a new workspace that runs as it is, and never overwrites a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import run_cli


def _cli(*args: str, cwd: Path) -> tuple[int, str]:
    out = run_cli(*args, cwd=cwd, workspace=Path("/nonexistent-workspace"))
    return out.returncode, out.stdout + out.stderr


def test_init_writes_a_commented_workspace_that_runs(tmp_path: Path) -> None:
    code, text = _cli("init", "ws", cwd=tmp_path)
    assert code == 0, text
    ws = tmp_path / "ws"
    files = sorted(str(p.relative_to(ws)) for p in ws.rglob("*.yaml"))
    assert files == [
        "conf/config.yaml",
        "conf/process/service_request.yaml",
        "experiments/reviewer_staffing.yaml",
        "scenarios/extra_reviewer.yaml",
    ]
    for name in files:  # each file is commented and is plain YAML
        source = (ws / name).read_text(encoding="utf-8")
        assert source.lstrip().startswith("#")
        assert isinstance(yaml.safe_load(source), dict)
    # It runs as it is, from inside the new workspace (found like git finds .git), with the
    # scenario it ships; a short run keeps the test quick.
    env = {k: v for k, v in os.environ.items() if k != "PROCSIM_WORKSPACE"}
    short = ["run.replications=2", "run.horizon=1w", "run.warmup=1d"]
    out = subprocess.run(
        [sys.executable, "-m", "procsim", "scenario=extra_reviewer", *short,
         f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=ws / "scenarios", env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "extra_reviewer" in out.stdout
    assert (tmp_path / "run" / "report.html").is_file()


def test_init_never_overwrites(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "conf").mkdir(parents=True)
    (ws / "conf" / "config.yaml").write_text("# mine\n", encoding="utf-8")
    code, text = _cli("init", str(ws), cwd=tmp_path)
    assert code == 2
    assert "config.yaml" in text and "nothing was written" in text and "Traceback" not in text
    assert (ws / "conf" / "config.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (ws / "scenarios").exists()


def test_init_refuses_a_file_and_extra_words(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, text = _cli("init", "afile", cwd=tmp_path)
    assert code == 2 and "is a file" in text
    code, text = _cli("init", "a", "b", cwd=tmp_path)
    assert code == 2 and "usage: procsim init" in text
