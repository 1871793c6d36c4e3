"""Small model configs shared by the tests (plain dicts, as a notebook would write them)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path, workspace: Path = REPO) -> subprocess.CompletedProcess[str]:
    """The ``procsim`` command in a subprocess, on ``workspace`` (the bundled one by default)."""
    env = {**os.environ, "PROCSIM_WORKSPACE": str(workspace)}
    return subprocess.run(
        [sys.executable, "-m", "procsim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def mm1(rho: float = 0.8, **run: Any) -> dict[str, Any]:
    """An M/M/1 queue with service rate 1 and arrival rate ``rho``."""
    return {
        "process": {
            "name": "mm1",
            "start": "serve",
            "stages": {
                "serve": {
                    "role": "server",
                    "duration": {"dist": "expon", "mean": 1.0},
                    "value": "value_adding",
                    "next": "end",
                }
            },
        },
        "staffing": {"server": 1},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / rho}},
        "run": {"horizon": 2000, "warmup": 100, "replications": 4, "seed": 3, "workers": 1, **run},
    }


def two_stage() -> dict[str, Any]:
    """Review -> decision with rework back to review and a pure-delay stage."""
    return copy.deepcopy(
        {
            "process": {
                "name": "two_stage",
                "start": "review",
                "stages": {
                    "review": {
                        "role": "reviewer",
                        "duration": {"dist": "gamma", "mean": 1, "cv": 0.5},
                        "next": "wait_customer",
                        "value": "value_adding",
                    },
                    "wait_customer": {
                        "role": None,
                        "duration": {"dist": "expon", "mean": 2},
                        "next": {"decide": 0.8, "review": 0.2},
                    },
                    "decide": {
                        "role": "manager",
                        "duration": {"dist": "expon", "mean": 0.5},
                        "next": "end",
                    },
                },
            },
            "staffing": {"reviewer": 2, "manager": 1},
            "roles": {"reviewer": {"cost_per_hour": 40}, "manager": {"cost_per_hour": 80}},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1.0}},
            "sla": {"day": {"within": "1d"}},
            "targets": {"fast": {"kpi": "cycle_time_mean", "max": "8h"}},
            "run": {"horizon": 500, "warmup": 50, "replications": 3, "seed": 1, "workers": 1},
        }
    )


def run_module(module: str, args: list[str], cwd: Any) -> Any:
    """``python -m <module> <args>`` in ``cwd``: the completed process (text output)."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
