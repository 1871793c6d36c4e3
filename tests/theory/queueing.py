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


def cobham_wq(lams: list[float], means: list[float], second_moments: list[float]) -> list[float]:
    """Non-preemptive priority M/G/1, classes in priority order (Cobham 1954): mean wait in
    queue of class k, ``W_k = W0 / ((1 - s_{k-1}) (1 - s_k))`` with ``W0 = sum lam_i E[S_i^2]/2``
    and ``s_k`` the load of classes 0..k."""
    w0 = sum(lam * m2 for lam, m2 in zip(lams, second_moments, strict=True)) / 2
    out, sigma = [], 0.0
    for lam, mean in zip(lams, means, strict=True):
        before = sigma
        sigma += lam * mean
        out.append(w0 / ((1 - before) * (1 - sigma)))
    return out


def preemptive_resume_w(
    lams: list[float], means: list[float], second_moments: list[float]
) -> list[float]:
    """Preemptive-resume priority M/G/1 (e.g. Harchol-Balter 2013, ch. 32): mean sojourn of
    class k, ``T_k = E[S_k]/(1 - s_{k-1}) + (sum_{i<=k} lam_i E[S_i^2]/2)/((1-s_{k-1})(1-s_k))``.
    """
    out, sigma, residual = [], 0.0, 0.0
    for lam, mean, m2 in zip(lams, means, second_moments, strict=True):
        before = sigma
        sigma += lam * mean
        residual += lam * m2 / 2
        out.append(mean / (1 - before) + residual / ((1 - before) * (1 - sigma)))
    return out


def fork_join_nt(lam: float, mu: float) -> float:
    """Fork-join of two identical M/M/1 queues (Nelson & Tantawi 1988; exact for two, Flatto &
    Hahn 1984): mean response ``(12 - rho)/8 / (mu - lam)``."""
    rho = lam / mu
    return (12 - rho) / 8 / (mu - lam)


def erlang_a(lam: float, mu: float, c: int, theta: float) -> dict[str, float]:
    """M/M/c+M (Palm's Erlang-A; Garnett, Mandelbaum & Reiman 2002), solved exactly from its
    birth-death chain (birth ``lam``, death ``min(n,c) mu + (n-c)^+ theta``).

    A customer who finds ``j`` others waiting passes ``j + 1`` stages; with ``i`` ahead the
    next event comes at rate ``r_i = c mu + i theta + theta`` and is its own abandonment with
    probability ``theta / r_i``. So ``P(served | j) = prod (c mu + i theta)/r_i`` and, as the time
    to an event does not depend on which event it is, ``E[W 1{served} | j] = P(served | j)
    sum 1/r_i``. Returns ``p_abandon``, ``p_wait``, ``wq_served``, ``wq_all`` and
    ``throughput``.
    """
    probs = [1.0]
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        probs.append(probs[-1] * lam / death)
        if n > c + 200 and probs[-1] < 1e-14 * sum(probs):
            break
    total = sum(probs)
    p = [x / total for x in probs]
    lq = sum(max(k - c, 0) * pk for k, pk in enumerate(p))
    served_mass = sum(p[:c])
    waited_served = 0.0
    for j, pj in enumerate(p[c:]):
        rates = [c * mu + i * theta + theta for i in range(j + 1)]
        p_served = math.prod((r - theta) / r for r in rates)
        served_mass += pj * p_served
        waited_served += pj * p_served * sum(1 / r for r in rates)
    return {
        "p_abandon": theta * lq / lam,
        "p_wait": sum(p[c:]),
        "wq_served": waited_served / served_mass,
        "wq_all": lq / lam,
        "throughput": lam - theta * lq,
        "p_served_check": served_mass,
    }
