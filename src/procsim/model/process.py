"""The validated model: frozen plain objects with integer ids, ready for the engine.

Sits after validation (:mod:`procsim.model.validate` builds these from a config mapping) and before
the engine. Nothing here imports SimPy or Hydra, so a notebook can build and inspect a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from procsim.model.distribution_families import Distribution

if TYPE_CHECKING:
    from procsim.model.calendar import Calendar, WeeklyProfile

#: Successor id that means "the case leaves the process".
EXIT = -1
#: The label of the current process in every table; redesigns carry their scenario names.
BASELINE = "current"

ValueClass = Literal["value_adding", "necessary", "waste"]
VALUE_CLASSES: tuple[str, ...] = ("value_adding", "necessary", "waste")


@dataclass(frozen=True)
class Batch:
    """Work at a stage is released in batches: on a weekly schedule, at a size, or both.

    Attributes
    ----------
    times
        Release moments as hours since Monday 00:00 (e.g. 113.0 for Thursday 17:00), repeated
        every week and skipped on closed days; empty for size-only batching.
    size
        Release as soon as this many cases wait (None: only on the schedule).
    """

    times: tuple[float, ...] = ()
    size: int | None = None


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
    split: tuple[int, ...] = ()
    join: int | None = None
    patience: Distribution | None = None
    queue_capacity: int | None = None
    batch: Batch | None = None
    handoff: bool = False

    @property
    def plain(self) -> bool:
        """True when the engine's fast path handles the stage (no split, patience or batch)."""
        return (
            not self.split
            and self.patience is None
            and self.queue_capacity is None
            and (self.batch is None)
        )


@dataclass(frozen=True)
class Role:
    """A group of interchangeable staff with a head count and an hourly cost.

    Attributes
    ----------
    servers
        Head count; with shifts, the largest head count on duty at any time.
    shifts
        Head count by time of week (None: ``servers`` all the time).
    preemptive
        Whether a higher-priority case interrupts a lower-priority one in service (which
        resumes later where it left off); otherwise priorities only order the queue.
    """

    id: int
    name: str
    servers: int
    cost_per_hour: float = 0.0
    description: str = ""
    shifts: WeeklyProfile | None = None
    preemptive: bool = False

    def mean_servers(self) -> float:
        """Average head count on duty over an ordinary week."""
        if self.shifts is None:
            return float(self.servers)
        return self.shifts.per_week / (168.0 / self.shifts.calendar.hours_per_unit)


@dataclass(frozen=True)
class CaseType:
    """A kind of case with its share of arrivals, priority and stage overrides.

    Attributes
    ----------
    share
        Fraction of arrivals of this type.
    priority
        Higher is served first at every role (FIFO within a priority).
    durations
        Stage id -> duration for this type (other stages use the stage's own).
    routing
        Stage id -> ``(successors, probabilities)`` for this type.
    """

    id: int
    name: str
    share: float
    priority: int = 0
    durations: dict[int, Distribution] = field(default_factory=dict)
    routing: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = field(default_factory=dict)
    description: str = ""

    def successors(self, stage: Stage) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """This type's routing after ``stage``."""
        return self.routing.get(stage.id, (stage.successors, stage.probabilities))

    def duration(self, stage: Stage) -> Distribution:
        """This type's duration at ``stage``."""
        return self.durations.get(stage.id, stage.duration)


#: The single case type of a process that defines none.
DEFAULT_TYPE = CaseType(0, "", 1.0)


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
    clock: Literal["calendar", "business"] = "calendar"
    case_types: tuple[int, ...] | None = None


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
    backend
        Where replications run: ``processes`` (this machine), ``dask`` or ``ray`` (a
        cluster at ``address``, or a local one of ``workers`` processes). Never changes
        results.
    address
        Scheduler address for ``dask`` (``tcp://host:8786``) or ``ray`` (``auto``,
        ``ray://host:10001``); empty: start a local cluster.
    max_events
        Guard: a replication stops (and says so) after this many events.
    max_seconds
        Guard: a replication stops (and says so) after this much wall-clock time.
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
    backend: str = "processes"
    address: str = ""
    max_events: int = 20_000_000
    max_seconds: float = 900.0
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
        Time between consecutive arrivals (None when ``arrival_profile`` is given).
    slas, targets
        Service levels and KPI targets, evaluated by the metrics and stats stages.
    warnings
        Non-fatal findings (e.g. offered load >= 1), reported with the results.
    arrival_profile
        Arrival rate (cases per time unit) by time of week: a non-homogeneous Poisson process.
    case_types
        Kinds of case with their mix; one unnamed type when the process defines none.
    calendar
        Maps simulation time to dates (time 0 is the calendar's start) and knows closed days.
    business_hours
        1 inside business hours, 0 outside: the clock of SLAs with ``clock: business``.
    """

    name: str
    description: str
    time_unit: str
    stages: tuple[Stage, ...]
    roles: tuple[Role, ...]
    start: int
    interarrival: Distribution | None
    slas: tuple[Sla, ...] = ()
    targets: tuple[Target, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    arrival_profile: WeeklyProfile | None = None
    case_types: tuple[CaseType, ...] = (DEFAULT_TYPE,)
    calendar: Calendar | None = None
    business_hours: WeeklyProfile | None = None

    @property
    def stage_names(self) -> tuple[str, ...]:
        """Stage names by id."""
        return tuple(s.name for s in self.stages)

    @property
    def role_names(self) -> tuple[str, ...]:
        """Role names by id."""
        return tuple(r.name for r in self.roles)

    @property
    def type_names(self) -> tuple[str, ...]:
        """Case type names by id ("" for the single type of a process without types)."""
        return tuple(t.name for t in self.case_types)

    @property
    def arrival_rate(self) -> float:
        """Cases per time unit (averaged over an ordinary week for a rate profile)."""
        if self.arrival_profile is not None:
            week = 168.0 / self.arrival_profile.calendar.hours_per_unit
            return float(self.arrival_profile.per_week / week)
        assert self.interarrival is not None
        return 1.0 / self.interarrival.mean

    def visit_ratios(self, case_type: CaseType | None = None) -> np.ndarray:
        """Expected visits per case to each stage, from the traffic equations ``v = e + vP``.

        Without ``case_type``: averaged over the case mix. A parallel split sends one token
        down every branch; the join is entered once per split.
        """
        if case_type is None:
            return np.asarray(
                np.sum([t.share * self.visit_ratios(t) for t in self.case_types], axis=0)
            )
        n = len(self.stages)
        routing = np.zeros((n, n))
        for stage in self.stages:
            if stage.split:
                for branch in stage.split:
                    routing[stage.id, branch] += 1.0
                continue
            succ, probs = case_type.successors(stage)
            for target, prob in zip(succ, probs, strict=True):
                if target != EXIT:
                    routing[stage.id, target] += prob
        # A join receives one token per branch but is entered once.
        for stage in self.stages:
            if stage.split and stage.join is not None:
                routing[:, stage.join] /= len(stage.split)
        entry = np.zeros(n)
        entry[self.start] = 1.0
        return np.linalg.solve(np.eye(n) - routing.T, entry)

    def work_per_case(self) -> dict[str, float]:
        """Expected work per arriving case for each role (time units), over the case mix."""
        work = dict.fromkeys(self.role_names, 0.0)
        for ctype in self.case_types:
            visits = self.visit_ratios(ctype)
            for stage in self.stages:
                if stage.role is not None:
                    role = self.roles[stage.role].name
                    work[role] += float(ctype.share * visits[stage.id] * ctype.duration(stage).mean)
        return work

    def offered_load(self) -> dict[str, float]:
        """Offered load per role: arrival rate x work per case / average head count."""
        work = self.work_per_case()
        return {
            role.name: self.arrival_rate * work[role.name] / role.mean_servers()
            for role in self.roles
        }
