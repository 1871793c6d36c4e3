"""Bad input: every problem at once, each with its path, what was expected and a hint."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import procsim
from helpers import mm1, two_stage
from procsim.errors import ModelError
from procsim.model.validate import validate


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ModelError) as info:
        validate(config)
    return [issue.format() for issue in info.value.issues]


def test_valid_config_builds_with_offered_load_from_traffic_equations() -> None:
    model, run = validate(two_stage())
    # review visited 1/0.8 = 1.25 times per case: load 1 * 1.25 * 1 / 2 reviewers.
    assert model.offered_load() == pytest.approx({"reviewer": 0.625, "manager": 0.5})
    assert run.horizon == 500 and run.replications == 3
    assert model.warnings == ()


def test_every_problem_is_reported_at_once() -> None:
    cfg = two_stage()
    cfg["process"]["stages"]["review"]["rol"] = "reviewer"  # typo key
    cfg["process"]["stages"]["decide"]["duration"] = {"dist": "expo", "mean": 1}
    cfg["process"]["stages"]["wait_customer"]["duration"] = {"dist": "gamma", "mean": -1, "cv": 0.5}
    cfg["staffing"]["manager"] = 0
    cfg["run"]["replications"] = "many"
    found = problems(cfg)
    assert len(found) == 5, found
    text = "\n".join(found)
    assert "process.stages.review.rol: unknown key" in text and "did you mean 'role'" in text
    assert "process.stages.decide.duration.dist: unknown distribution 'expo'" in text
    assert "did you mean 'expon'" in text
    assert "process.stages.wait_customer.duration.mean: mean must be positive" in text
    assert "staffing.manager: out of range" in text
    assert "run.replications: not a valid number" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda c: c["process"]["stages"]["review"].update(role="reviwer"),
            "process.stages.review.role: role has no head count under staffing",
        ),
        (
            lambda c: c["process"]["stages"]["wait_customer"].update(
                next={"decide": 0.8, "reviw": 0.2}
            ),
            "did you mean 'review'?",
        ),
        (
            lambda c: c["process"]["stages"]["wait_customer"].update(
                next={"decide": 0.8, "review": 0.3}
            ),
            "successor probabilities do not sum to 1",
        ),
        (
            lambda c: c["process"]["stages"]["decide"].update(next="review"),
            "cases that reach this stage never leave",
        ),
        (
            lambda c: c["process"]["stages"].update(orphan={"role": "manager", "duration": 1}),
            "process.stages.orphan: stage is unreachable",
        ),
        (lambda c: c["process"].update(start="reveiw"), "process.start: unknown stage"),
        (
            lambda c: c["process"]["stages"]["review"].update(
                duration={"dist": "triangular", "low": 5, "mode": 2, "high": 3}
            ),
            "triangular needs low <= mode <= high",
        ),
        (
            lambda c: c["process"]["stages"]["review"].update(
                duration={"dist": "lognormal", "mean": 2}
            ),
            "missing parameter 'cv'",
        ),
        (
            lambda c: c["process"]["stages"]["review"].update(
                duration={"dist": "weibull", "shape": 2, "scale": 1, "mean": 3}
            ),
            "exactly one of scale or mean",
        ),
        (
            lambda c: c["process"]["stages"]["review"].update(value="valuable"),
            "unknown value class",
        ),
        (lambda c: c["staffing"].update(reviewer=1.5), "must be a whole number"),
        (lambda c: c["sla"].update(x={"within": "2 fortnights"}), "sla.x.within"),
        (lambda c: c["sla"].update(x={"within": 2, "to": "start:nowhere"}), "sla.x.to"),
        (lambda c: c["sla"].update(x={"within": 2, "target": 90}), "did you mean 0.9?"),
        (
            lambda c: c["targets"].update(t={"kpi": "cycle_time_maen", "max": 3}),
            "did you mean 'cycle_time_mean'?",
        ),
        (
            lambda c: c["targets"].update(t={"kpi": "utilization", "max": 0.8}),
            "utilization is measured per role",
        ),
        (lambda c: c["run"].update(cases=100), "set exactly one of run.horizon and run.cases"),
        (lambda c: c.update(process=["a"]), "process: must be a mapping"),
    ],
)
def test_each_kind_of_mistake_is_named(change: Any, expected: str) -> None:
    cfg = two_stage()
    change(cfg)
    assert any(expected in p for p in problems(cfg)), problems(cfg)


def test_warmup_longer_than_horizon_is_rejected() -> None:
    assert "warm-up must be shorter" in problems(mm1(warmup=3000))[0]


def test_overload_is_a_warning_and_the_run_still_finishes() -> None:
    from procsim.study.runner import run_study

    model, run = validate(mm1(rho=1.3, horizon=300, warmup=0, replications=2))
    assert any("offered load is 1.30" in w for w in model.warnings)
    results = run_study({"current": model}, run)
    assert any("offered load" in w for w in results.warnings)
    open_cases = results.kpis.query("metric == 'open'")["value"]
    assert (open_cases > 0).all()


def test_event_guard_stops_a_runaway_replication_and_says_so() -> None:
    from procsim.study.runner import run_study

    model, run = validate(mm1(rho=1.5, horizon=100_000, warmup=0, replications=2, max_events=5_000))
    results = run_study({"current": model}, run)
    assert any("max_events" in w for w in results.warnings)
    assert results.visits.groupby("replication").size().max() < 10_000


def test_time_strings_convert_to_the_process_unit() -> None:
    cfg = mm1()
    cfg["process"]["time_unit"] = "minutes"
    cfg["process"]["stages"]["serve"]["duration"] = {"dist": "constant", "value": "1h"}
    cfg["arrivals"]["interarrival"] = {"dist": "expon", "mean": "2h"}
    cfg["run"] = {"horizon": "1w", "warmup": "1d"}
    model, run = validate(cfg)
    assert model.stages[0].duration.mean == 60
    assert model.interarrival.mean == 120
    assert (run.horizon, run.warmup) == (7 * 24 * 60, 24 * 60)


def test_config_is_not_mutated() -> None:
    cfg = two_stage()
    before = copy.deepcopy(cfg)
    validate(cfg)
    assert cfg == before


def test_overload_warning_comes_before_the_simulation() -> None:
    """The analyst hears about an overloaded role before waiting for the run, not after."""
    events: list[str] = []
    study = procsim.compose(
        overrides=["staffing.engineer=1", "run.replications=2", "run.horizon=1w", "run.warmup=0"]
    )
    results = procsim.run(
        study,
        progress=lambda done, total: events.append("progress"),
        warn=lambda text: events.append(text),
    )
    assert events[0].startswith("current: staffing.engineer: offered load")
    assert "progress" in events
    assert events.index("progress") > 0
    assert any("offered load" in w for w in results.warnings)
