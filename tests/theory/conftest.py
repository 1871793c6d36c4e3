"""Shared fixtures for the queueing-theory tests: run a config, read KPI confidence intervals.

The theory values themselves are computed in each test module with its own closed-form helper
functions; nothing here calls procsim to obtain an expected value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from procsim.measure.stats import summarize
from procsim.model.validate import validate
from procsim.study.collect import StudyResults
from procsim.study.runner import run_study


@dataclass
class Study:
    """One simulated model with its replication summary (95% CIs)."""

    results: StudyResults
    summary: pd.DataFrame

    def row(self, metric: str, entity: str = "") -> pd.Series:
        """The summary row of one KPI."""
        hit = self.summary[(self.summary["metric"] == metric) & (self.summary["entity"] == entity)]
        assert len(hit) == 1, f"KPI {metric}[{entity}] not found exactly once in the summary"
        return hit.iloc[0]

    def assert_covers(self, metric: str, entity: str, theory: float) -> None:
        """Assert ``ci_low <= theory <= ci_high`` for one KPI, with a readable message."""
        r = self.row(metric, entity)
        assert r["n"] >= 2 and math.isfinite(r["half_width"]), f"{metric}[{entity}]: no CI"
        assert r["ci_low"] <= theory <= r["ci_high"], (
            f"{metric}[{entity}]: theory {theory:.5g} outside the 95% CI "
            f"[{r['ci_low']:.5g}, {r['ci_high']:.5g}] (mean {r['mean']:.5g}, "
            f"half-width {r['half_width']:.3g}, n={r['n']})"
        )


def simulate_config(config: Mapping[str, Any], label: str = "model") -> Study:
    """Validate a config dict, run all its replications and summarise the KPIs."""
    model, run = validate(config)
    results = run_study({label: model}, run)
    return Study(results, summarize(results.kpis))


@pytest.fixture(scope="session")
def simulate() -> Callable[..., Study]:
    """``simulate(config) -> Study``: validate, run and summarise one config dict."""
    return simulate_config
