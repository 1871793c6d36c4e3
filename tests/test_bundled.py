"""Every bundled process and scenario composes, validates and behaves as its description says."""

from __future__ import annotations

import pytest

import procsim
from procsim.config.workspace import find_workspace

WORKSPACE = find_workspace()


@pytest.mark.parametrize("process", sorted(WORKSPACE.processes()))
def test_every_process_validates(process: str) -> None:
    models, _ = procsim.compose(process=process).build()
    assert models["current"].name == process
    assert all(load < 1 for load in models["current"].offered_load().values())
    assert not models["current"].warnings


@pytest.mark.parametrize("scenario", sorted(WORKSPACE.scenario_names()))
def test_every_scenario_validates_against_its_process(scenario: str) -> None:
    models, _ = procsim.compose(scenario=scenario).build()
    assert list(models) == ["current", scenario]
    assert not models[scenario].warnings


def test_default_process_has_a_reviewer_for_the_staffing_sweep() -> None:
    models, _ = procsim.compose(overrides=["staffing.reviewer=3"]).build()
    assert models["current"].roles[models["current"].role_names.index("reviewer")].servers == 3


@pytest.mark.slow
@pytest.mark.parametrize(
    ("process", "low", "high"),
    [
        ("customer_request", 40, 56),  # "mean end-to-end time near 48 h"
        ("approval_chain", 60, 84),  # "about three days"
    ],
)
def test_bundled_processes_match_their_described_cycle_time(
    process: str, low: float, high: float
) -> None:
    results = procsim.run(procsim.compose(process=process, overrides=["run.replications=5"]))
    mean = results.summary.query("metric == 'cycle_time_mean'")["mean"].item()
    assert low <= mean <= high
