"""Analytic estimates where the Erlang C network does not apply: finite queues, loss systems
and parallel branches; and the reasons to give no estimate at all.

Sits beside :mod:`procsim.measure.analytic`, which calls it: an Erlang C wait ignores a
``queue_capacity`` (an M/M/1/3 station was given the wait of an unlimited queue, and a loss
system that of a waiting one), and summing parallel branches treats them as if they ran in
sequence. Where a closed form is exact it is used (M/M/c/K, Erlang B, the fork-join of two
identical M/M/1 queues, the maximum of independent exponential branches); elsewhere the
estimate is left out with a reason, rather than given wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from procsim.model.process import Model, Stage

NO_ESTIMATE = "no analytic estimate"


@dataclass(frozen=True)
class FiniteStation:
    """Steady state of an M/M/c/K station (``capacity`` places to wait beside ``servers``).

    Attributes
    ----------
    blocking
        Share of arrivals turned away because the queue is full (Erlang B for no queue).
    wait_mean
        Mean wait of the admitted cases.
    waited_share
        Share of the admitted cases that wait.
    utilization
        Busy servers over servers.
    admitted_rate
        Arrival rate of the admitted cases.
    queue_mean
        Time-average number waiting.
    """

    blocking: float
    wait_mean: float
    waited_share: float
    utilization: float
    admitted_rate: float
    queue_mean: float


def finite_station(servers: int, rate: float, mean: float, capacity: int) -> FiniteStation:
    """The M/M/c/K birth-death chain solved exactly (Gross & Harris, *Fundamentals of Queueing
    Theory*, section 2.5): ``p_n`` proportional to ``a^n / n!`` up to ``c`` and to
    ``a^c / c! rho^(n-c)`` above, for ``n <= c + capacity``. With ``capacity = 0`` it is
    Erlang B, which holds for any service distribution (M/G/c/c is insensitive)."""
    load = rate * mean
    top = servers + capacity
    weights = [1.0]
    for n in range(1, top + 1):
        weights.append(weights[-1] * load / min(n, servers))
    total = sum(weights)
    p = [w / total for w in weights]
    blocking = p[top]
    admitted = rate * (1 - blocking)
    queue = sum((n - servers) * p[n] for n in range(servers + 1, top + 1))
    waited = sum(p[servers:top]) / (1 - blocking) if blocking < 1 else 0.0
    return FiniteStation(
        blocking=blocking,
        wait_mean=queue / admitted if admitted > 0 else 0.0,
        waited_share=waited,
        utilization=admitted * mean / servers,
        admitted_rate=admitted,
        queue_mean=queue,
    )


def finite_queue_gap(model: Model, stage: Stage) -> str:
    """Why the stage with a ``queue_capacity`` has no exact estimate ("" when it has one).

    Exact: the only stage of its role, its role the only one of the model (pure delays around
    it are fine), visited once by every case, one case type, no patience, no parallel work,
    and exponential service (any service for a loss system, ``queue_capacity: 0``). A
    finite queue inside a network thins the flow to the stages after it, and turned-away
    cases change every other role's load: no closed form is used there.
    """
    if stage.role is None or stage.queue_capacity is None:
        return ""
    staffed = [s for s in model.stages if s.role is not None]
    if len(staffed) > 1 or len(model.roles) > 1:
        return f"{NO_ESTIMATE}: a finite queue (stage {stage.name}) inside a network"
    parallel = any(s.split for s in model.stages)
    if len(model.case_types) > 1 or stage.patience is not None or parallel:
        return f"{NO_ESTIMATE}: a finite queue with case types, patience or parallel work"
    if abs(float(model.visit_ratios()[stage.id]) - 1.0) > 1e-9:
        return f"{NO_ESTIMATE}: a finite queue visited more than once (rework)"
    if stage.queue_capacity > 0 and stage.duration.family != "expon":
        return (
            f"{NO_ESTIMATE}: a finite queue with non-exponential service "
            f"(M/M/c/K needs exponential durations)"
        )
    return ""


@dataclass(frozen=True)
class Branch:
    """One branch of a parallel split, as the fork-join formulas see it.

    Attributes
    ----------
    kind
        ``mm1`` (one stage at a single-server role with exponential service, the role's only
        stage), ``delay`` (a pure delay with exponential or zero duration) or ``other``.
    mean
        Mean sojourn of the branch (its M/M/1 response time, or the delay's mean).
    mu, rate
        Service rate and arrival rate of an ``mm1`` branch.
    """

    kind: str
    mean: float
    mu: float = math.nan
    rate: float = math.nan


def fork_join_mean(branches: list[Branch]) -> float | None:
    """Mean time from the split until both of two branches are done, where a closed form is
    exact; None elsewhere.

    * Two identical M/M/1 queues: ``(12 - rho) / 8 / (mu - lam)`` (Flatto & Hahn 1984; Nelson
      & Tantawi 1988).
    * Otherwise, when at most one branch queues: their sojourns are independent and
      exponential (an M/M/1 response time is exponential with rate ``mu - lam``), so
      ``E[max] = a + b - a b / (a + b)``; a zero-length branch adds nothing.
    """
    if len(branches) != 2 or any(b.kind == "other" for b in branches):
        return None
    first, second = branches
    if first.kind == second.kind == "mm1":
        if not (math.isclose(first.mu, second.mu) and math.isclose(first.rate, second.rate)):
            return None  # two different queues fed by the same arrivals: no closed form here
        rho = first.rate / first.mu
        return (12 - rho) / 8 / (first.mu - first.rate) if rho < 1 else math.inf
    a, b = first.mean, second.mean
    if math.isinf(a) or math.isinf(b):
        return math.inf
    if a <= 0 or b <= 0:
        return max(a, b)
    return a + b - a * b / (a + b)
