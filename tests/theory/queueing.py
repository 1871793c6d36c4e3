"""Closed-form queueing results used by the theory tests (independent of procsim)."""

from __future__ import annotations

import math
from typing import Any

import pytest


def mm1_wq(lam: float, mu: float) -> float:
    """M/M/1 mean wait in queue: Wq = rho / (mu - lam)."""
    return (lam / mu) / (mu - lam)


def mm1_w(lam: float, mu: float) -> float:
    """M/M/1 mean sojourn time: W = 1 / (mu - lam)."""
    return 1.0 / (mu - lam)


def mm1_l(lam: float, mu: float) -> float:
    """M/M/1 mean number in system: L = rho / (1 - rho)."""
    rho = lam / mu
    return rho / (1.0 - rho)


def mm1_wait_cdf(lam: float, mu: float, t: float) -> float:
    """M/M/1 FIFO waiting-time distribution: P(Wq <= t) = 1 - rho exp(-(mu - lam) t)."""
    return 1.0 - (lam / mu) * math.exp(-(mu - lam) * t)


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability that an arrival waits in M/M/c with offered load ``a`` < c.

    C(c, a) = (a^c / c!) (c / (c - a)) / (sum_{k=0}^{c-1} a^k / k! + (a^c / c!) (c / (c - a)))
    """
    assert a < c
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def mmc_wq(lam: float, mu: float, c: int) -> float:
    """M/M/c mean wait in queue: Wq = C(c, a) / (c mu - lam)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_cdf(lam: float, mu: float, c: int, t: float) -> float:
    """M/M/c FIFO service level: P(Wq <= t) = 1 - C(c, a) exp(-(c mu - lam) t)."""
    return 1.0 - erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def pk_wq(lam: float, mean: float, second_moment: float) -> float:
    """Pollaczek–Khinchine M/G/1 mean wait: Wq = lam E[S^2] / (2 (1 - rho)), rho = lam E[S]."""
    rho = lam * mean
    return lam * second_moment / (2.0 * (1.0 - rho))


def second_moment(mean: float, cv: float) -> float:
    """E[S^2] = Var + mean^2 = mean^2 (1 + cv^2)."""
    return mean**2 * (1.0 + cv**2)


def md1_wq(lam: float, mu: float) -> float:
    """M/D/1 mean wait in queue: Wq = rho / (2 mu (1 - rho))."""
    rho = lam / mu
    return rho / (2.0 * mu * (1.0 - rho))


def mmc_w(lam: float, mu: float, c: int) -> float:
    """M/M/c mean time in the station: Wq + 1/mu."""
    return mmc_wq(lam, mu, c) + 1.0 / mu


def kpi(metric: str, entity: str, theory: float) -> Any:
    """One parametrized case: a KPI, its entity and its theoretical value."""
    return pytest.param(metric, entity, theory, id=f"{metric}[{entity}]" if entity else metric)
