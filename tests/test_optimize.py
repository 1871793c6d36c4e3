"""The staffing search returns what Erlang C says is minimal for a service-level target."""

from __future__ import annotations

import math

import pytest

from procsim.errors import ModelError
from procsim.optimize import search_staffing


def erlang_c(c: int, a: float) -> float:
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def service_level(c: int, lam: float, mu: float, t: float) -> float:
    """M/M/c: P(Wq <= t) = 1 - C(c, a) exp(-(c mu - lam) t)."""
    return 1 - erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def mmc(target: float) -> dict:
    return {
        "process": {"start": "serve", "stages": {
            "serve": {"role": "agent", "duration": {"dist": "expon", "mean": 1}}}},
        "staffing": {"agent": 1},
        "roles": {"agent": {"cost_per_hour": 30}},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 0.25}},
        "sla": {"answered_15min": {"within": 0.25, "to": "start:serve", "target": target}},
        "run": {"horizon": 2000, "warmup": 50, "replications": 10, "seed": 4},
    }  # fmt: skip


@pytest.mark.slow
def test_mmc_service_level_target_gets_the_erlang_c_minimum() -> None:
    lam, mu, t, target = 4.0, 1.0, 0.25, 0.8
    minimal = next(c for c in range(5, 20) if service_level(c, lam, mu, t) >= target)
    assert minimal == 6  # 5 agents: 57%; 6 agents: 83%
    search = search_staffing(mmc(target))
    assert search.lower_bounds == {"agent": 5}
    assert search.chosen == {"agent": minimal}
    five = search.evaluated.query("agent == 5")
    assert len(five) == 1 and not five["meets"].item()


def test_a_search_without_targets_is_refused() -> None:
    config = mmc(0.8)
    config["sla"]["answered_15min"].pop("target")
    with pytest.raises(ModelError, match="needs targets"):
        search_staffing(config)


def test_a_target_no_staffing_can_meet_is_reported_as_such() -> None:
    config = mmc(0.8)
    config["targets"] = {"fast": {"kpi": "cycle_time_mean", "max": 0.5}}  # service alone: 1
    search = search_staffing(config, max_servers=30)
    assert search.chosen is None
    assert "no staffing meets fast" in search.reason
    assert search.evaluated.empty
