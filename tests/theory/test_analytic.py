"""The analytic estimates reproduce closed forms where they are exact (M/M/c, M/G/1,
Jackson networks), computed here independently."""

from __future__ import annotations

import math
from typing import Any

import pytest
from queueing import erlang_c, mm1_w, mmc_wait_cdf, mmc_wq, pk_wq, second_moment

from procsim.measure.analytic import erlang_c as procsim_erlang_c
from procsim.measure.analytic import estimate
from procsim.model.validate import validate_model


def station(servers: int, lam: float, duration: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "process": {"start": "serve", "stages": {"serve": {"role": "r", "duration": duration}}},
        "staffing": {"r": servers},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / lam}},
        **extra,
    }


def values(config: dict[str, Any]) -> dict[tuple[str, str], float]:
    table = estimate(validate_model(config))
    return {(r.metric, r.entity): r.value for r in table.itertuples()}


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (2, 1.6), (3, 2.4), (10, 8.5), (50, 45.0)])
def test_erlang_c_matches_the_closed_form(c: int, a: float) -> None:
    assert procsim_erlang_c(c, a) == pytest.approx(erlang_c(c, a), rel=1e-9)


def test_mmc_wait_probability_and_service_level() -> None:
    sla = {"sla": {"quick": {"within": 0.5, "to": "start:serve"}}}
    v = values(station(3, 2.4, {"dist": "expon", "mean": 1}, **sla))
    assert v[("wait_mean", "serve")] == pytest.approx(mmc_wq(2.4, 1, 3))
    assert v[("waited_share", "serve")] == pytest.approx(erlang_c(3, 2.4))
    assert v[("sla_attainment", "quick")] == pytest.approx(mmc_wait_cdf(2.4, 1, 3, 0.5))
    assert v[("utilization", "r")] == pytest.approx(0.8)
    assert v[("wip_mean", "")] == pytest.approx(2.4 * (mmc_wq(2.4, 1, 3) + 1))


def test_mg1_reduces_to_pollaczek_khinchine() -> None:
    v = values(station(1, 0.6, {"dist": "lognormal", "mean": 1, "cv": 1.5}))
    assert v[("wait_mean", "serve")] == pytest.approx(pk_wq(0.6, 1, second_moment(1, 1.5)))


def test_jackson_network_with_rework() -> None:
    config = {
        "process": {
            "start": "a",
            "stages": {
                "a": {"role": "ra", "duration": {"dist": "expon", "mean": 0.5}, "next": "b"},
                "b": {"role": "rb", "duration": {"dist": "expon", "mean": 1},
                      "next": {"b": 0.25, "end": 0.75}},
            },
        },
        "staffing": {"ra": 1, "rb": 1},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 2}},
    }  # fmt: skip
    v = values(config)
    lam = 0.5
    visits_b = 1 / 0.75
    expected = mm1_w(lam, 2) + visits_b * mm1_w(lam * visits_b, 1)
    assert v[("cycle_time_mean", "")] == pytest.approx(expected)
    assert v[("visits_per_case", "b")] == pytest.approx(visits_b)


def test_overload_gives_infinite_waits() -> None:
    v = values(station(1, 1.2, {"dist": "expon", "mean": 1}))
    assert math.isinf(v[("wait_mean", "serve")])
    assert math.isinf(v[("cycle_time_mean", "")])
