"""Open queueing networks against Jackson-network theory.

In an open Jackson network (Poisson arrivals, exponential service, FIFO, probabilistic routing)
each station behaves in steady state as an independent M/M/c queue fed at its total arrival rate
``lam_i = lam · v_i``, where the visit ratios ``v`` solve the traffic equations
``v = e + v P`` (``e`` = where cases enter, ``P`` = routing probabilities). Consequences used here:

* tandem M/M/1 stations: ``W = sum_i 1/(mu_i - lam)``, per-station ``Wq_i = rho_i/(mu_i - lam)``;
* a station with Bernoulli feedback (rework with probability ``p``): ``v = 1/(1-p)``,
  ``lam_eff = lam/(1-p)``, mean time per visit ``1/(mu - lam_eff)`` and total sojourn
  ``W = v/(mu - lam_eff)``; the share of cases that never loop (first-pass yield) is ``1 - p``;
* an XOR branch: a case visits B with probability ``q`` (``v_B = q``) and utilisation of every
  role equals its offered load ``lam · v_i · E[S_i] / c_i``; the expected sojourn is
  ``W = sum_i v_i W_i`` with ``W_i`` the M/M/c sojourn of station ``i`` (Erlang C).

Each test runs a long simulation (fixed seed, warm-up, 10 replications) and asserts that the
theoretical value lies in the 95% confidence interval across replications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from queueing import kpi
from queueing import mm1_w as mm1_sojourn
from queueing import mm1_wq as mm1_wait
from queueing import mmc_w as mmc_sojourn
from queueing import mmc_wq as mmc_wait


def run_settings(horizon: float, seed: int = 1) -> dict[str, Any]:
    return {"horizon": horizon, "warmup": 1000, "replications": 10, "seed": seed, "workers": 2}


# --------------------------------------------------------------------------------------------
# Tandem line: first -> second, two M/M/1 stations with different service rates
# --------------------------------------------------------------------------------------------

TANDEM_LAM, TANDEM_MU1, TANDEM_MU2 = 0.6, 1.0, 0.8  # rho_1 = 0.6, rho_2 = 0.75


@pytest.fixture(scope="module")
def tandem(simulate: Callable[..., Any]) -> Any:
    return simulate(
        {
            "process": {
                "start": "first",
                "stages": {
                    "first": {
                        "role": "r1",
                        "duration": {"dist": "expon", "mean": 1 / TANDEM_MU1},
                        "next": "second",
                    },
                    "second": {
                        "role": "r2",
                        "duration": {"dist": "expon", "mean": 1 / TANDEM_MU2},
                        "next": "end",
                    },
                },
            },
            "staffing": {"r1": 1, "r2": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / TANDEM_LAM}},
            "run": run_settings(horizon=80_000),
        }
    )


TANDEM_W = mm1_sojourn(TANDEM_LAM, TANDEM_MU1) + mm1_sojourn(TANDEM_LAM, TANDEM_MU2)  # 2.5 + 5


@pytest.mark.slow
@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("cycle_time_mean", "", TANDEM_W),
        kpi("wip_mean", "", TANDEM_LAM * TANDEM_W),
        kpi("wait_mean", "first", mm1_wait(TANDEM_LAM, TANDEM_MU1)),
        kpi("wait_mean", "second", mm1_wait(TANDEM_LAM, TANDEM_MU2)),
        kpi("utilization", "r1", TANDEM_LAM / TANDEM_MU1),
        kpi("utilization", "r2", TANDEM_LAM / TANDEM_MU2),
    ],
)
def test_tandem_jackson(tandem: Any, metric: str, entity: str, theory: float) -> None:
    tandem.assert_covers(metric, entity, theory)


# --------------------------------------------------------------------------------------------
# Rework loop: one M/M/1 station, after service back to itself with probability p
# --------------------------------------------------------------------------------------------

REWORK_LAM, REWORK_MU, REWORK_P = 0.5, 1.0, 0.3
REWORK_VISITS = 1 / (1 - REWORK_P)  # 1.4286 visits per case
REWORK_LAM_EFF = REWORK_LAM * REWORK_VISITS  # 0.714 visits per hour
REWORK_W = REWORK_VISITS * mm1_sojourn(REWORK_LAM_EFF, REWORK_MU)  # 1.4286 / 0.2857 = 5


@pytest.fixture(scope="module")
def rework(simulate: Callable[..., Any]) -> Any:
    return simulate(
        {
            "process": {
                "start": "serve",
                "stages": {
                    "serve": {
                        "role": "server",
                        "duration": {"dist": "expon", "mean": 1 / REWORK_MU},
                        "next": {"serve": REWORK_P, "end": 1 - REWORK_P},
                    }
                },
            },
            "staffing": {"server": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / REWORK_LAM}},
            "run": run_settings(horizon=100_000),
        }
    )


@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("cycle_time_mean", "", REWORK_W),
        kpi("wip_mean", "", REWORK_LAM * REWORK_W),
        kpi("wait_mean", "serve", mm1_wait(REWORK_LAM_EFF, REWORK_MU)),
        kpi("visits_per_case", "serve", REWORK_VISITS),
        kpi("first_pass_yield", "", 1 - REWORK_P),
        kpi("utilization", "server", REWORK_LAM_EFF / REWORK_MU),
        kpi("throughput_per_day", "", 24 * REWORK_LAM),
    ],
)
def test_rework_loop_jackson(rework: Any, metric: str, entity: str, theory: float) -> None:
    rework.assert_covers(metric, entity, theory)


# --------------------------------------------------------------------------------------------
# XOR branch: A -> B (q = 0.25) or C (0.75), several servers at B
# --------------------------------------------------------------------------------------------

BRANCH_LAM, BRANCH_Q = 1.0, 0.25
#: stage -> (role, servers, mean service, visit ratio)
BRANCH = {
    "A": ("ra", 1, 0.7, 1.0),
    "B": ("rb", 2, 4.0, BRANCH_Q),
    "C": ("rc", 1, 1.0, 1 - BRANCH_Q),
}


def offered_load(stage: str) -> float:
    """lam · v_i · E[S_i] / c_i."""
    _role, servers, mean, visits = BRANCH[stage]
    return BRANCH_LAM * visits * mean / servers


def station_sojourn(stage: str) -> float:
    """M/M/c sojourn of one station fed at lam · v_i."""
    _role, servers, mean, visits = BRANCH[stage]
    return mmc_sojourn(BRANCH_LAM * visits, 1 / mean, servers)


# W = W_A + q W_B + (1 - q) W_C = 2.333 + 0.25 * 5.333 + 0.75 * 4
BRANCH_W = sum(BRANCH[s][3] * station_sojourn(s) for s in BRANCH)


@pytest.fixture(scope="module")
def branch(simulate: Callable[..., Any]) -> Any:
    def stage(name: str, nxt: Any) -> dict[str, Any]:
        role, _servers, mean, _visits = BRANCH[name]
        return {"role": role, "duration": {"dist": "expon", "mean": mean}, "next": nxt}

    return simulate(
        {
            "process": {
                "start": "A",
                "stages": {
                    "A": stage("A", {"B": BRANCH_Q, "C": 1 - BRANCH_Q}),
                    "B": stage("B", "end"),
                    "C": stage("C", "end"),
                },
            },
            "staffing": {role: servers for role, servers, _m, _v in BRANCH.values()},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / BRANCH_LAM}},
            "run": run_settings(horizon=60_000),
        }
    )


def test_branch_helpers() -> None:
    """The chosen loads are moderate: 0.7, 0.5 and 0.75."""
    assert [offered_load(s) for s in "ABC"] == pytest.approx([0.7, 0.5, 0.75])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("visits_per_case", "A", 1.0),
        kpi("visits_per_case", "B", BRANCH_Q),
        kpi("visits_per_case", "C", 1 - BRANCH_Q),
        *[kpi("utilization", BRANCH[s][0], offered_load(s)) for s in BRANCH],
        kpi("wait_mean", "B", mmc_wait(BRANCH_LAM * BRANCH_Q, 1 / BRANCH["B"][2], BRANCH["B"][1])),
        kpi("cycle_time_mean", "", BRANCH_W),
        kpi("wip_mean", "", BRANCH_LAM * BRANCH_W),
    ],
)
def test_branch_jackson(branch: Any, metric: str, entity: str, theory: float) -> None:
    branch.assert_covers(metric, entity, theory)
