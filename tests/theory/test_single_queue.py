"""Single-station queues against closed-form queueing theory.

Every test runs one long simulation (fixed seed, a warm-up, 10 replications) and asserts that
the theoretical steady-state value lies inside the 95% confidence interval across replications.
Notation: arrival rate ``lam``, service rate ``mu`` (mean service ``1/mu``), ``c`` servers,
offered load ``a = lam/mu`` (Erlangs), utilisation ``rho = a/c``.

* M/M/1: ``Wq = rho/(mu - lam)``, ``W = 1/(mu - lam)``, ``L = rho/(1 - rho)``, server busy
  share ``rho``, P(an arrival waits) = ``rho`` (PASTA) and the waiting-time distribution
  ``P(Wq <= t) = 1 - rho exp(-(mu - lam) t)``.
* M/M/c (Erlang C): P(wait) is
  ``C(c, a) = [a^c/c! · c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! · c/(c-a)]``,
  ``Wq = C(c, a)/(c mu - lam)``, ``P(Wq <= t) = 1 - C(c, a) exp(-(c mu - lam) t)``.
* M/D/1: ``Wq = rho/(2 mu (1 - rho))`` (Pollaczek–Khinchine with zero service variance).
* M/G/1 (Pollaczek–Khinchine): ``Wq = lam E[S^2]/(2 (1 - rho))`` with
  ``E[S^2] = mean^2 (1 + cv^2)``; P(wait) = ``rho`` for any M/G/1.

Little's law gives ``L = lam W`` throughout; throughput per day is ``24 lam`` (time unit hours).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from queueing import (
    erlang_c,
    kpi,
    md1_wq,
    mm1_l,
    mm1_w,
    mm1_wait_cdf,
    mm1_wq,
    mmc_wait_cdf,
    mmc_wq,
    pk_wq,
    second_moment,
)

# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------

HOURS_PER_DAY = 24.0


def single_station(
    duration: dict[str, Any],
    lam: float,
    servers: int,
    *,
    horizon: float,
    sla_within: tuple[float, ...] = (),
    seed: int = 1,
    replications: int = 10,
    warmup: float = 1000,
) -> dict[str, Any]:
    """One stage ``serve`` done by ``servers`` staff, Poisson arrivals at rate ``lam``.

    Each threshold ``t`` in ``sla_within`` adds an SLA ``wait_<t>`` = P(Wq <= t): from arrival to
    the start of ``serve`` (the first and only stage).
    """
    return {
        "process": {
            "start": "serve",
            "stages": {"serve": {"role": "server", "duration": duration, "next": {"end": 1.0}}},
        },
        "staffing": {"server": servers},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1.0 / lam}},
        "sla": {f"wait_{t:g}": {"within": t, "to": "start:serve"} for t in sla_within},
        "run": {
            "horizon": horizon,
            "warmup": warmup,
            "replications": replications,
            "seed": seed,
            "workers": 2,
        },
    }


# --------------------------------------------------------------------------------------------
# M/M/1
# --------------------------------------------------------------------------------------------

MM1_LAM, MM1_MU = 0.8, 1.0
MM1_SLA = (1.0, 2.0, 5.0)


@pytest.fixture(scope="module")
def mm1(simulate: Callable[..., Any]) -> Any:
    return simulate(
        single_station(
            {"dist": "expon", "mean": 1 / MM1_MU}, MM1_LAM, 1, horizon=100_000, sla_within=MM1_SLA
        )
    )


@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("wait_mean", "serve", mm1_wq(MM1_LAM, MM1_MU)),
        kpi("cycle_time_mean", "", mm1_w(MM1_LAM, MM1_MU)),
        kpi("wip_mean", "", mm1_l(MM1_LAM, MM1_MU)),
        kpi("utilization", "server", MM1_LAM / MM1_MU),
        kpi("waited_share", "serve", MM1_LAM / MM1_MU),
        kpi("processing_mean", "serve", 1 / MM1_MU),
        kpi("throughput_per_day", "", HOURS_PER_DAY * MM1_LAM),
        *[kpi("sla_attainment", f"wait_{t:g}", mm1_wait_cdf(MM1_LAM, MM1_MU, t)) for t in MM1_SLA],
    ],
)
def test_mm1(mm1: Any, metric: str, entity: str, theory: float) -> None:
    mm1.assert_covers(metric, entity, theory)


# --------------------------------------------------------------------------------------------
# M/M/c, c = 3 (Erlang C)
# --------------------------------------------------------------------------------------------

MMC_C, MMC_MU = 3, 1.0
MMC_LAM = 0.8 * MMC_C * MMC_MU  # rho = 0.8
MMC_SLA = (0.25, 0.5, 1.0)
MMC_WQ = mmc_wq(MMC_LAM, MMC_MU, MMC_C)  # C(3, 2.4) / 0.6 = 0.647 / 0.6 = 1.079


@pytest.fixture(scope="module")
def mmc(simulate: Callable[..., Any]) -> Any:
    return simulate(
        single_station(
            {"dist": "expon", "mean": 1 / MMC_MU},
            MMC_LAM,
            MMC_C,
            horizon=50_000,
            sla_within=MMC_SLA,
        )
    )


def test_erlang_c_helper_matches_textbook() -> None:
    """Sanity check of the helper itself: C(2, 1) = 1/3 and C(1, a) = a."""
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("waited_share", "serve", erlang_c(MMC_C, MMC_LAM / MMC_MU)),
        kpi("wait_mean", "serve", MMC_WQ),
        kpi("cycle_time_mean", "", MMC_WQ + 1 / MMC_MU),
        kpi("wip_mean", "", MMC_LAM * (MMC_WQ + 1 / MMC_MU)),
        kpi("utilization", "server", MMC_LAM / (MMC_C * MMC_MU)),
        *[
            kpi("sla_attainment", f"wait_{t:g}", mmc_wait_cdf(MMC_LAM, MMC_MU, MMC_C, t))
            for t in MMC_SLA
        ],
    ],
)
def test_mmc_erlang_c(mmc: Any, metric: str, entity: str, theory: float) -> None:
    mmc.assert_covers(metric, entity, theory)


# --------------------------------------------------------------------------------------------
# M/D/1
# --------------------------------------------------------------------------------------------

MD1_LAM, MD1_D = 0.8, 1.0
MD1_WQ = md1_wq(MD1_LAM, 1 / MD1_D)  # 0.8 / (2 * 0.2) = 2


@pytest.fixture(scope="module")
def md1(simulate: Callable[..., Any]) -> Any:
    return simulate(
        single_station({"dist": "constant", "value": MD1_D}, MD1_LAM, 1, horizon=80_000)
    )


@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("wait_mean", "serve", MD1_WQ),
        kpi("cycle_time_mean", "", MD1_WQ + MD1_D),
        kpi("wip_mean", "", MD1_LAM * (MD1_WQ + MD1_D)),
        kpi("waited_share", "serve", MD1_LAM * MD1_D),
        kpi("utilization", "server", MD1_LAM * MD1_D),
    ],
)
def test_md1(md1: Any, metric: str, entity: str, theory: float) -> None:
    md1.assert_covers(metric, entity, theory)


def test_md1_service_is_exactly_constant(md1: Any) -> None:
    visits = md1.results.visits.dropna(subset=["start_time", "end_time"])
    assert (visits["end_time"] - visits["start_time"]).to_numpy() == pytest.approx(MD1_D)


# --------------------------------------------------------------------------------------------
# M/G/1 with lognormal service (Pollaczek–Khinchine)
# --------------------------------------------------------------------------------------------

MG1_LAM, MG1_MEAN, MG1_CV = 0.7, 1.0, 1.5
MG1_WQ = pk_wq(MG1_LAM, MG1_MEAN, second_moment(MG1_MEAN, MG1_CV))  # 0.7 * 3.25 / 0.6 = 3.79


@pytest.fixture(scope="module")
def mg1(simulate: Callable[..., Any]) -> Any:
    return simulate(
        single_station(
            {"dist": "lognormal", "mean": MG1_MEAN, "cv": MG1_CV},
            MG1_LAM,
            1,
            horizon=200_000,
            warmup=2000,
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("metric", "entity", "theory"),
    [
        kpi("wait_mean", "serve", MG1_WQ),
        kpi("cycle_time_mean", "", MG1_WQ + MG1_MEAN),
        kpi("wip_mean", "", MG1_LAM * (MG1_WQ + MG1_MEAN)),
        kpi("waited_share", "serve", MG1_LAM * MG1_MEAN),
        kpi("utilization", "server", MG1_LAM * MG1_MEAN),
        kpi("processing_mean", "serve", MG1_MEAN),
    ],
)
def test_mg1_pollaczek_khinchine(mg1: Any, metric: str, entity: str, theory: float) -> None:
    mg1.assert_covers(metric, entity, theory)
