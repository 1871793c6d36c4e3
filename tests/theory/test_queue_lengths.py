"""Time-average queue lengths (Lq) and the blocking share against closed-form queueing theory.

* M/M/1: ``Lq = rho^2 / (1 - rho)``.
* M/M/c (Erlang C): ``Lq = C(c, a) rho / (1 - rho)`` with ``rho = a / c``.
* M/M/1/N (Gross & Harris 2.47-2.50, N places in the system): ``P_N = (1 - rho) rho^N /
  (1 - rho^(N+1))`` is the share of arrivals turned away (PASTA), and
  ``Lq = L - (1 - p_0)`` with ``L = rho/(1-rho) - (N+1) rho^(N+1)/(1 - rho^(N+1))``.
* Little's law on every stage of a network with rework and a shared role:
  ``Lq = lambda_stage * Wq_stage``, with ``lambda_stage`` the visits to the stage per hour.

Each value is computed here from the formula, never from procsim; the simulation's 95%
confidence interval over 10 replications must contain it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from queueing import erlang_c


def station(lam: float, mu: float, servers: int, **stage: Any) -> dict[str, Any]:
    return {
        "process": {
            "start": "serve",
            "stages": {
                "serve": {"role": "r", "duration": {"dist": "expon", "mean": 1 / mu}, **stage}
            },
        },
        "staffing": {"r": servers},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / lam}},
        "run": {"horizon": 40_000, "warmup": 1000, "replications": 10, "seed": 5, "workers": 2},
    }


def test_mm1_queue_length(simulate: Callable[..., Any]) -> None:
    lam, mu = 0.8, 1.0
    rho = lam / mu
    study = simulate(station(lam, mu, 1))
    study.assert_covers("queue_mean", "serve", rho**2 / (1 - rho))
    study.assert_covers("role_queue_mean", "r", rho**2 / (1 - rho))


def test_mmc_queue_length(simulate: Callable[..., Any]) -> None:
    lam, mu, c = 2.7, 1.0, 3
    a = lam / mu
    rho = a / c
    study = simulate(station(lam, mu, c))
    study.assert_covers("queue_mean", "serve", erlang_c(c, a) * rho / (1 - rho))


def test_mm1n_blocking_share_and_queue_length(simulate: Callable[..., Any]) -> None:
    lam, mu, capacity = 0.9, 1.0, 3
    n = capacity + 1  # places in the system: the one in service and the queue
    rho = lam / mu
    p0 = (1 - rho) / (1 - rho ** (n + 1))
    block = p0 * rho**n
    length = rho / (1 - rho) - (n + 1) * rho ** (n + 1) / (1 - rho ** (n + 1))
    study = simulate(station(lam, mu, 1, queue_capacity=capacity))
    study.assert_covers("blocked_share", "serve", block)
    study.assert_covers("queue_mean", "serve", length - (1 - p0))
    # Nobody has a patience here: the whole abandonment rate is blocking.
    study.assert_covers("abandonment_rate", "", block)
    assert ("abandoned_share", "serve") not in set(
        zip(study.summary["metric"], study.summary["entity"], strict=True)
    )


def test_littles_law_on_every_stage_with_rework_and_a_shared_role(
    simulate: Callable[..., Any],
) -> None:
    config = {
        "process": {
            "start": "intake",
            "stages": {
                "intake": {
                    "role": "clerk",
                    "duration": {"dist": "expon", "mean": 0.5},
                    "next": "check",
                },
                "check": {
                    "role": "expert",
                    "duration": {"dist": "gamma", "mean": 1.2, "cv": 0.6},
                    "next": {"fix": 0.3, "file": 0.7},
                },
                "fix": {
                    "role": "clerk",
                    "duration": {"dist": "expon", "mean": 0.4},
                    "next": "check",
                },
                "file": {"role": "clerk", "duration": {"dist": "expon", "mean": 0.2}},
            },
        },
        "staffing": {"clerk": 1, "expert": 2},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1.0}},
        "run": {"horizon": 20_000, "warmup": 500, "replications": 10, "seed": 2, "workers": 2},
    }
    study = simulate(config)
    kpis = study.results.kpis.set_index(["replication", "metric", "entity"])["value"]
    span = 20_000 - 500
    visits = study.results.visits
    for stage in ("intake", "check", "fix", "file"):
        lq = kpis.xs(("queue_mean", stage), level=["metric", "entity"]).to_numpy()
        # Little's law per replication, from the log alone: waiting visit-time over the window.
        per_rep = []
        for _, v in visits[visits["activity"] == stage].groupby("replication"):
            enabled = v["enabled_time"].to_numpy()
            until = np.where(np.isnan(v["start_time"]), 20_000, v["start_time"])
            per_rep.append(np.clip(np.minimum(until, 20_000) - np.maximum(enabled, 500), 0, None)
                           .sum() / span)  # fmt: skip
        assert lq == pytest.approx(np.array(per_rep), rel=1e-9)
        # ... and lambda * Wq with the stage's visit rate (a 1.3-visit check), within 3 %.
        rate = kpis.xs(("visits_per_case", stage), level=["metric", "entity"]).to_numpy() * 1.0
        wq = kpis.xs(("wait_mean", stage), level=["metric", "entity"]).to_numpy()
        assert lq.mean() == pytest.approx((rate * wq).mean(), rel=0.03, abs=1e-3)
    roles = {"clerk": ("intake", "fix", "file"), "expert": ("check",)}
    for role, stages in roles.items():
        total = sum(kpis.xs(("queue_mean", s), level=["metric", "entity"]).to_numpy()
                    for s in stages)  # fmt: skip
        got = kpis.xs(("role_queue_mean", role), level=["metric", "entity"]).to_numpy()
        assert got == pytest.approx(total)
