"""Importing a Prosimos/Simod model (BPMN 2.0 + JSON parameters) as a procsim process config.

The data flow: :mod:`procsim.mining.bpmn_model` reads the control flow,
:mod:`procsim.mining.prosimos_params` the parameters, :mod:`procsim.mining.bpmn_routing`
turns gateways into stage routing, :mod:`procsim.mining.duration_mix` durations into procsim
distributions; this module decides roles, staffing and shifts, arrivals and the time unit, and
:mod:`procsim.mining.import_yaml` writes the commented config, which is validated before it
is returned. Writes no file: the ``procsim-import`` command (:mod:`procsim.cli.import_model`)
decides where it goes.

How Prosimos concepts map (and what is approximated, which the notes say):

- tasks and intermediate events -> stages; XOR gateways -> probabilities; AND gateways ->
  ``parallel``/``join``; loops -> edges back;
- the people who may do a task -> a role (tasks with the same set of people share one, named
  after their pool); its head count is the people's ``amount``; their calendars -> shifts;
  someone in two such sets is counted in both (procsim has no shared staff);
- per-resource durations -> the pool's equally weighted mix (procsim draws one distribution
  per stage);
- a task whose durations are all zero (``start``/``end`` markers) -> a zero-time stage with no
  role;
- the arrival distribution -> ``arrivals.interarrival`` when cases may arrive at any time, or
  a Poisson rate during the arrival calendar's hours otherwise.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from procsim.errors import FitError, ModelError
from procsim.mining.bpmn_model import BpmnGraph, read_bpmn
from procsim.mining.bpmn_routing import RESERVED, Routing, route
from procsim.mining.config_keys import fresh_key, slug
from procsim.mining.duration_mix import Mixed, stage_duration
from procsim.mining.prosimos_params import Period, ProsimosParams, Spec, read_params

WEEK = [Period(0, 6, 0.0, 24.0)]


@dataclass
class ImportedRole:
    """A role: the people who may do its tasks, and what procsim makes of them."""

    key: str
    pool: str
    people: int
    cost_per_hour: float
    #: (calendar periods, people on it) per calendar; empty: always on duty.
    shifts: list[tuple[list[Period], int]]
    resources: tuple[str, ...]


@dataclass
class ImportedStage:
    """A stage's role and duration (its routing is in :class:`Routing`)."""

    key: str
    role: str | None
    duration: Mixed | None
    source: str


@dataclass
class ImportedModel:
    """Everything the YAML writer needs."""

    name: str
    bpmn: Path
    params_path: Path
    time_unit: str
    routing: Routing
    stages: dict[str, ImportedStage]
    roles: list[ImportedRole]
    arrivals: dict[str, object]
    arrival_note: str
    notes: list[str] = field(default_factory=list)


def import_model(bpmn: Path, params: Path, name: str) -> tuple[str, ImportedModel]:
    """The text of a procsim process config for a Prosimos model, and what was imported.

    Parameters
    ----------
    bpmn, params
        The BPMN 2.0 file and the Prosimos/Simod JSON parameter file.
    name
        The process name.

    Returns
    -------
    tuple of str and ImportedModel

    Raises
    ------
    ModelError
        Problems in either file, each named with its file and place.
    FitError
        The written config does not validate (a bug of the import).
    """
    from procsim.mining.import_yaml import write_import

    graph = read_bpmn(bpmn)
    pars = read_params(params)
    routing = route(graph, pars.branching)
    model = _assemble(graph, pars, routing, name, bpmn, params)
    text = write_import(model)
    _check(text, name)
    return text, model


def _assemble(
    graph: BpmnGraph, pars: ProsimosParams, routing: Routing, name: str, bpmn: Path, params: Path
) -> ImportedModel:
    notes = list(routing.notes)
    means = [
        statistics.fmean(truncated_mean(s) for _, s in specs)
        for specs in pars.durations.values()
        if specs and any(s.name != "fix" or s.params[0] > 0 for _, s in specs)
    ]
    unit, seconds = (
        ("hours", 3600.0) if means and statistics.median(means) > 7200 else ("minutes", 60.0)
    )
    roles, role_of = _roles(graph, pars, routing, notes)
    stages: dict[str, ImportedStage] = {}
    for st in routing.stages:
        if st.node is None:
            stages[st.key] = ImportedStage(st.key, None, None, "routing")
            continue
        node = st.node
        if not node.is_task:
            spec = pars.events.get(node.id)
            dur = stage_duration([(spec, 1)], seconds) if spec is not None else None
            if spec is None:
                notes.append(f"event '{node.label}' has no delay in the parameters: zero time")
            stages[st.key] = ImportedStage(st.key, None, dur, "event")
            continue
        specs = pars.durations.get(node.id, [])
        if not specs:
            notes.append(
                f"task '{node.label}' has no durations in the parameters: zero time, no role"
            )
            stages[st.key] = ImportedStage(st.key, None, None, "missing")
            continue
        if _instant(specs):
            stages[st.key] = ImportedStage(st.key, None, None, "instant")
            continue
        weights = [(s, pars.resources[r].amount) for r, s in specs]
        dur = stage_duration(weights, seconds)
        if len({s for _, s in specs}) > 1:
            notes.append(
                f"'{node.label}': per-resource durations differ; procsim draws one "
                f"distribution per stage, so the pool's mix is used ({dur.note})"
            )
        stages[st.key] = ImportedStage(st.key, role_of[node.id], dur, "task")
    arrivals, arrival_note = _arrivals(pars, seconds, notes)
    notes += [f"not imported: {what}" for what in pars.unmodelled]
    notes += [
        f"not imported: {n} {kind} element(s)"
        for kind, n in graph.ignored.items()
        if kind not in ("laneSet", "association", "textAnnotation")
    ]
    return ImportedModel(
        name, bpmn, params, unit, routing, stages, roles, arrivals, arrival_note, notes
    )


def truncated_mean(spec: Spec) -> float:
    """The mean of a Prosimos distribution as drawn (truncation included), in seconds."""
    from procsim.mining.duration_mix import truncated

    t = truncated(spec)
    if t.rv is None:
        return t.constant
    lo, hi = t.support()
    if hi <= lo:
        return lo
    return float(t.rv.expect(lambda x: x, lb=lo, ub=hi, conditional=True))


def _instant(specs: list[tuple[str, Spec]]) -> bool:
    return all(s.name == "fix" and s.params[0] <= 0 for _, s in specs)


def _roles(
    graph: BpmnGraph, pars: ProsimosParams, routing: Routing, notes: list[str]
) -> tuple[list[ImportedRole], dict[str, str]]:
    """One role per set of people that may do a task (tasks in stage order)."""
    sets: dict[tuple[str, ...], list[str]] = {}
    for st in routing.stages:
        if st.node is None or not st.node.is_task:
            continue
        specs = pars.durations.get(st.node.id, [])
        if specs and not _instant(specs):
            sets.setdefault(tuple(sorted({r for r, _ in specs})), []).append(st.node.id)
    used = {s.key for s in routing.stages} | set(RESERVED)
    roles: list[ImportedRole] = []
    role_of: dict[str, str] = {}
    for people, tasks in sets.items():
        res = [pars.resources[r] for r in people]
        pools = sorted({r.pool for r in res})
        key = fresh_key(slug(pools[0] if len(pools) == 1 else "_".join(pools)), used)
        head = sum(r.amount for r in res)
        costs = {r.cost_per_hour for r in res}
        cost = sum(r.cost_per_hour * r.amount for r in res) / head
        if len(costs) > 1:
            notes.append(
                f"role {key}: people cost {min(costs):g}-{max(costs):g} an hour; "
                f"the head-count-weighted mean {cost:.4g} is used"
            )
        by_cal: dict[str, int] = {}
        for r in res:
            by_cal[r.calendar] = by_cal.get(r.calendar, 0) + r.amount
        shifts = [(pars.calendars[c], n) for c, n in by_cal.items()]
        if all(_always(p) for p, _ in shifts):
            shifts = []
        roles.append(ImportedRole(key, ", ".join(pools), head, cost, shifts, people))
        for t in tasks:
            role_of[t] = key
    shared = _shared(roles)
    if shared:
        notes.append(
            "people who may do the tasks of several roles are counted in each "
            "(procsim has no shared staff, so those roles have more capacity than "
            f"the model): {', '.join(shared[:8])}" + (" ..." if len(shared) > 8 else "")
        )
    if any(r.shifts for r in roles):
        notes.append(
            "calendars become shifts: at a shift's end procsim's staff finish the case "
            "in hand (overtime), where Prosimos pauses the task until the next period"
        )
    return roles, role_of


def _shared(roles: list[ImportedRole]) -> list[str]:
    seen: dict[str, int] = {}
    for r in roles:
        for p in r.resources:
            seen[p] = seen.get(p, 0) + 1
    return sorted(p for p, n in seen.items() if n > 1)


def _always(periods: list[Period]) -> bool:
    """Whether a calendar covers the whole week."""
    hours = [0.0] * 7
    for p in periods:
        day = p.first
        while True:
            hours[day] += p.end - p.begin
            if day == p.last:
                break
            day = (day + 1) % 7
    return all(h >= 23.99 for h in hours)


def _arrivals(
    pars: ProsimosParams, seconds: float, notes: list[str]
) -> tuple[dict[str, object], str]:
    spec = pars.arrival
    if spec is None:
        raise ModelError([], "the parameter file (no arrival_time_distribution)")
    calendar = pars.arrival_calendar
    if calendar is None:
        notes.append(
            "no arrival_time_calendar: cases may arrive at any time (Prosimos would "
            "use the calendars of the first tasks' resources)"
        )
        calendar = WEEK
    gap = stage_duration([(spec, 1)], seconds)
    if _always(calendar):
        return {"interarrival": gap.dist}, f"inter-arrival time {gap.note}"
    mean_s = truncated_mean(spec)
    per_hour = 3600.0 / mean_s if mean_s > 0 else 0.0
    notes.append(
        "arrivals only in the arrival calendar's hours: a Poisson stream at the mean rate of "
        f"the inter-arrival distribution ({per_hour:.4g} an hour); its shape (cv "
        f"{gap.cv:.2f}) is not kept"
    )
    return {"rate": calendar}, f"{per_hour:.6g} cases an hour in the arrival calendar's hours"


def _check(text: str, name: str) -> None:
    """The written config must validate; if it does not, that is a bug in the import."""
    import yaml

    from procsim.model.validate import validate_model

    try:
        validate_model(yaml.safe_load(text))
    except ModelError as exc:
        raise FitError(
            f"the imported config for {name} does not validate; this is a bug in "
            f"procsim-import, please report it with the model. {exc}"
        ) from None


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0
