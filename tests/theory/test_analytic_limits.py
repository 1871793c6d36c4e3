"""The analytic table on finite queues, loss systems and parallel branches, against the
textbook formulas (Gross & Harris, Fundamentals of Queueing Theory, 2.5-2.6; Nelson & Tantawi
1988), computed here independently; where no closed form is exact, "no analytic estimate"."""

from __future__ import annotations

import math
from typing import Any

import pytest
from queueing import fork_join_nt, mm1_w

from procsim.measure.analytic import estimate
from procsim.model.validate import validate_model


def station(servers: int, lam: float, duration: dict[str, Any], **stage: Any) -> dict[str, Any]:
    return {
        "process": {
            "start": "serve",
            "stages": {"serve": {"role": "r", "duration": duration, **stage}},
        },
        "staffing": {"r": servers},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / lam}},
    }


def table(config: dict[str, Any]) -> dict[tuple[str, str], tuple[float, str]]:
    est = estimate(validate_model(config))
    return {(r.metric, r.entity): (r.value, r.note) for r in est.itertuples()}


def mm1k(lam: float, mu: float, system: int) -> dict[str, float]:
    """M/M/1/N with N places in the system (Gross & Harris eq. 2.47-2.50)."""
    rho = lam / mu
    p0 = (1 - rho) / (1 - rho ** (system + 1))
    pn = p0 * rho**system
    length = rho / (1 - rho) - (system + 1) * rho ** (system + 1) / (1 - rho ** (system + 1))
    lq = length - (1 - p0)
    eff = lam * (1 - pn)
    return {"block": pn, "wq": lq / eff, "w": length / eff, "lq": lq, "eff": eff}


@pytest.mark.parametrize("capacity", [1, 2, 5])
def test_mm1k_uses_the_finite_queue_formulas(capacity: int) -> None:
    lam, mu = 0.9, 1.0
    v = table(station(1, lam, {"dist": "expon", "mean": 1 / mu}, queue_capacity=capacity))
    theory = mm1k(lam, mu, 1 + capacity)
    assert v[("wait_mean", "serve")][0] == pytest.approx(theory["wq"])
    assert v[("blocked_share", "serve")][0] == pytest.approx(theory["block"])
    assert v[("abandonment_rate", "")][0] == pytest.approx(theory["block"])
    assert v[("queue_mean", "serve")][0] == pytest.approx(theory["lq"])
    assert v[("cycle_time_mean", "")][0] == pytest.approx(theory["w"])
    assert v[("utilization", "r")][0] == pytest.approx(theory["eff"] / mu)
    assert v[("throughput_per_day", "")][0] == pytest.approx(theory["eff"] * 24)
    # Not the Erlang C wait of an unlimited queue (9 h at rho = 0.9).
    assert v[("wait_mean", "serve")][0] < 9 / 2


def test_a_loss_system_uses_erlang_b_for_any_service() -> None:
    c, a = 3, 2.0
    v = table(station(c, a, {"dist": "lognormal", "mean": 1, "cv": 1.5}, queue_capacity=0))
    erlang_b = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    assert v[("blocked_share", "serve")][0] == pytest.approx(erlang_b)
    assert v[("wait_mean", "serve")][0] == 0
    assert v[("waited_share", "serve")][0] == 0
    assert v[("utilization", "r")][0] == pytest.approx(a * (1 - erlang_b) / c)


def test_a_finite_queue_with_general_service_has_no_estimate() -> None:
    v = table(station(1, 0.9, {"dist": "lognormal", "mean": 1, "cv": 0.5}, queue_capacity=2))
    value, note = v[("wait_mean", "serve")]
    assert math.isnan(value) and note.startswith("no analytic estimate")
    assert math.isnan(v[("cycle_time_mean", "")][0])


def test_a_finite_queue_inside_a_network_has_no_estimate() -> None:
    config = station(1, 0.5, {"dist": "expon", "mean": 1}, queue_capacity=2, next="after")
    config["process"]["stages"]["after"] = {"role": "q", "duration": {"dist": "expon", "mean": 1}}
    config["staffing"]["q"] = 1
    v = table(config)
    for key in [("wait_mean", "serve"), ("wait_mean", "after"), ("cycle_time_mean", "")]:
        assert math.isnan(v[key][0]) and "no analytic estimate" in v[key][1], key


def fork_join(mu_legal: float, mu_finance: float, lam: float = 0.5) -> dict[str, Any]:
    return {
        "process": {
            "start": "open_case",
            "stages": {
                "open_case": {"duration": 0,
                              "next": {"parallel": ["legal", "finance"], "join": "decide"}},
                "legal": {"role": "lawyer", "duration": {"dist": "expon", "mean": 1 / mu_legal},
                          "next": "decide"},
                "finance": {"role": "controller",
                            "duration": {"dist": "expon", "mean": 1 / mu_finance},
                            "next": "decide"},
                "decide": {"duration": 0, "next": "end"},
            },
        },
        "staffing": {"lawyer": 1, "controller": 1},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / lam}},
    }  # fmt: skip


def test_two_identical_mm1_branches_use_nelson_tantawi() -> None:
    v = table(fork_join(1.0, 1.0))
    assert v[("cycle_time_mean", "")][0] == pytest.approx(fork_join_nt(0.5, 1.0))  # 2.875
    assert v[("wip_mean", "")][0] == pytest.approx(0.5 * fork_join_nt(0.5, 1.0))
    # Each branch is still an M/M/1 queue.
    assert v[("wait_mean", "legal")][0] == pytest.approx(mm1_w(0.5, 1.0) - 1.0)


def test_different_queueing_branches_have_no_estimate_rather_than_a_sum() -> None:
    value, note = table(fork_join(1.0, 2.0))[("cycle_time_mean", "")]
    assert math.isnan(value) and "parallel branches" in note


def test_a_queue_beside_an_exponential_delay_uses_the_independent_maximum() -> None:
    config = fork_join(1.0, 1.0)
    config["process"]["stages"]["finance"] = {
        "duration": {"dist": "expon", "mean": 3.0},
        "next": "decide",
    }
    a, b = mm1_w(0.5, 1.0), 3.0
    # E[max] of independent exponentials with means a and b.
    expected = a + b - 1 / (1 / a + 1 / b)
    assert table(config)[("cycle_time_mean", "")][0] == pytest.approx(expected)
