"""The validated model: frozen plain objects with integer ids, ready for the engine.

Sits after validation (:mod:`procsim.validate` builds these from a config mapping) and before the
engine. Nothing here imports SimPy or Hydra, so a notebook can build and inspect a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from procsim.distributions import Distribution

#: Successor id that means "the case leaves the process".
EXIT = -1

ValueClass = Literal["value_adding", "necessary", "waste"]
VALUE_CLASSES: tuple[str, ...] = ("value_adding", "necessary", "waste")


@dataclass(frozen=True)
class Stage:
    """One activity of the process.

    Attributes
    ----------
    id, name
        Integer id used inside the engine, and the analyst's name.
    role
        Id of the role that does the work, or None for a pure delay (nobody works; e.g. waiting
        for the customer), which has no queue.
    duration
        Processing (or delay) time per visit, in the process time unit.
    successors, probabilities
        XOR routing: after a visit the case moves to ``successors[i]`` with probability
        ``probabilities[i]``; :data:`EXIT` means it leaves.
    value
        Value class for cycle efficiency: ``value_adding``, ``necessary`` or ``waste``.
    cost
        Fixed cost per visit (e.g. an automation's cost per execution).
    """

    id: int
    name: str
    role: int | None
    duration: Distribution
    successors: tuple[int, ...]
    probabilities: tuple[float, ...]
    value: ValueClass = "necessary"
    cost: float = 0.0
    description: str = ""


@dataclass(frozen=True)
class Role:
    """A group of interchangeable staff with a head count and an hourly cost."""

    id: int
    name: str
    servers: int
    cost_per_hour: float = 0.0
    description: str = ""


@dataclass(frozen=True)
class Anchor:
    """A moment in a case's life: its arrival, its completion, or the start/end of a stage."""

    kind: Literal["arrival", "completion", "start", "end"]
    stage: int | None = None

    def label(self, stage_names: tuple[str, ...]) -> str:
        """Readable form: ``start of initial_review``."""
        if self.stage is None:
            return self.kind
        return f"{self.kind} of {stage_names[self.stage]}"


@dataclass(frozen=True)
class Sla:
    """A service-level agreement: from ``start`` to ``end`` within ``within`` time units."""

    name: str
    within: float
    start: Anchor
    end: Anchor
    target: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Target:
    """A target on a KPI, e.g. ``cycle_time_mean <= 24``."""

    name: str
    metric: str
    entity: str
    op: Literal["<=", ">="]
    value: float

    def met(self, estimate: float) -> bool:
        """Whether an estimate meets the target."""
        return estimate <= self.value if self.op == "<=" else estimate >= self.value

    def label(self) -> str:
        """Readable form: ``<= 24``."""
        return f"{self.op} {self.value:g}"


@dataclass(frozen=True)
class RunSettings:
    """How to run the replications. Every default lives here (and nowhere else).

    Attributes
    ----------
    replications
        Independent replications; KPIs get 95% CIs across them.
    horizon
        Simulated time per replication (process time unit); cases still open then are reported
        as open (censored). Exactly one of ``horizon`` and ``cases`` is set.
    cases
        Alternative to ``horizon``: stop arrivals after this many cases arrived after warm-up
        and run until all are complete.
    warmup
        Initial period excluded from every KPI (process time unit).
    seed
        Root seed; each replication and each named stream derives its own generator.
    workers
        Parallel worker processes; 0 means one per CPU core. Never changes results.
    max_events
        Guard: a replication stops (and says so) after this many events.
    precision
        Relative CI half-width to reach (0.05 = within 5% of the mean) for ``precision_kpis``;
        replications are added until it holds for every model, or ``max_replications``.
    precision_kpis
        KPIs the precision applies to: ``metric`` or ``metric:entity``.
    max_replications
        Cap on replications when a precision is asked for.
    confidence
        Confidence level of every interval.
    auto_warmup
        Set by ``warmup: auto``: the warm-up is estimated from the runs (MSER-5 on WIP).
    """

    replications: int = 20
    horizon: float | None = None
    cases: int | None = None
    warmup: float = 0.0
    seed: int = 1
    workers: int = 0
    max_events: int = 20_000_000
    precision: float | None = None
    precision_kpis: tuple[str, ...] = ("cycle_time_mean",)
    max_replications: int = 200
    confidence: float = 0.95
    auto_warmup: bool = False


#: Run settings that are derived, not written by the analyst.
INTERNAL_RUN_FIELDS = ("auto_warmup",)


@dataclass(frozen=True)
class Model:
    """A validated process, ready to simulate.

    Attributes
    ----------
    name, description
        The process (or scenario stack) name and its description.
    time_unit
        Unit of every time in the model (``hours``, ``minutes``, ...).
    stages, roles
        Indexed by their integer id.
    start
        Id of the stage every case starts at.
    interarrival
        Time between consecutive arrivals.
    slas, targets
        Service levels and KPI targets, evaluated by the metrics and stats stages.
    warnings
        Non-fatal findings (e.g. offered load >= 1), reported with the results.
    """

    name: str
    description: str
    time_unit: str
    stages: tuple[Stage, ...]
    roles: tuple[Role, ...]
    start: int
    interarrival: Distribution
    slas: tuple[Sla, ...] = ()
    targets: tuple[Target, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def stage_names(self) -> tuple[str, ...]:
        """Stage names by id."""
        return tuple(s.name for s in self.stages)

    @property
    def role_names(self) -> tuple[str, ...]:
        """Role names by id."""
        return tuple(r.name for r in self.roles)

    @property
    def arrival_rate(self) -> float:
        """Cases per time unit."""
        return 1.0 / self.interarrival.mean

    def visit_ratios(self) -> np.ndarray:
        """Expected visits per case to each stage, from the traffic equations ``v = e + vP``."""
        n = len(self.stages)
        routing = np.zeros((n, n))
        for stage in self.stages:
            for succ, prob in zip(stage.successors, stage.probabilities, strict=True):
                if succ != EXIT:
                    routing[stage.id, succ] += prob
        entry = np.zeros(n)
        entry[self.start] = 1.0
        return np.linalg.solve(np.eye(n) - routing.T, entry)

    def offered_load(self) -> dict[str, float]:
        """Offered load per role: arrival rate x visits x mean duration / head count."""
        visits = self.visit_ratios()
        load = dict.fromkeys(self.role_names, 0.0)
        for stage in self.stages:
            if stage.role is not None:
                role = self.roles[stage.role]
                load[role.name] += float(
                    self.arrival_rate * visits[stage.id] * stage.duration.mean / role.servers
                )
        return load
