"""The short form of the coverage experiment (benchmarks/ci_coverage.py): the reported 95% CIs
contain the theoretical mean wait and service level of M/M/1 and M/M/3 in most seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import ci_coverage as experiment


@pytest.mark.slow
@pytest.mark.parametrize("system", experiment.SYSTEMS, ids=lambda s: s.name)
def test_confidence_intervals_cover_the_true_value(system: experiment.System) -> None:
    result = experiment.coverage(system, seeds=40)
    print(
        f"\n{system.name}: "
        + ", ".join(
            f"{m} coverage {result[m]['coverage']:.0%}" for m in ("wait_mean", "sla_attainment")
        )
    )
    for metric in ("wait_mean", "sla_attainment"):
        # 40 seeds at a true 95%: fewer than 34 hits would happen less than 2% of the time.
        assert result[metric]["coverage"] >= 0.85, (metric, result[metric])
