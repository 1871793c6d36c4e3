"""Validation: a plain config mapping -> a :class:`~procsim.model.process.Model` and run settings.

Sits after config composition (Hydra or a notebook dict) and before the engine. It reports every
problem at once, each with its config path, what was expected, what was found and a hint, by
raising a single :class:`~procsim.errors.ModelError`. Non-fatal findings (offered load >= 1, an
unused role) become the model's warnings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from procsim.errors import Issue, ModelError, did_you_mean
from procsim.model.arrival_rates import parse_rate_profile
from procsim.model.business_hours import parse_hours
from procsim.model.calendar import Calendar, WeeklyProfile, parse_calendar
from procsim.model.case_types import build_case_types
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.flow_checks import check_graph
from procsim.model.issues import Collector, short
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.model.process import (
    INTERNAL_RUN_FIELDS,
    Anchor,
    Model,
    Role,
    RunSettings,
    Sla,
    Stage,
    Target,
)
from procsim.model.routing import EXIT_NAMES, Handoffs
from procsim.model.shifts import parse_shifts
from procsim.model.stages import build_stage
from procsim.model.units import UNIT_HOURS, canonical_unit

#: Keys of the model sections, as the analyst writes them.
MODEL_SECTIONS = ("process", "roles", "staffing", "arrivals", "case_types", "sla", "targets")
PROCESS_KEYS = (
    "name",
    "description",
    "time_unit",
    "start",
    "stages",
    "calendar",
    "business_hours",
)
ROLE_KEYS = ("cost_per_hour", "description", "preemptive")
STAFFING_KEYS = ("shifts",)
ARRIVAL_KEYS = ("interarrival", "rate")
SLA_KEYS = ("within", "from", "to", "target", "description", "clock", "types")
TARGET_KEYS = ("kpi", "of", "max", "min")
#: Top-level keys the command line layer reads (Hydra's composed config holds them beside the
#: model sections); validation accepts and ignores them.
COMMAND_LINE_KEYS = (
    "scenario",
    "compare",
    "rank_by",
    "optimize",
    "optimize_roles",
    "experiment",
    "redesign_only",
    "hydra",
)
#: Every top-level key a config may hold; anything else is a typo (``slas`` for ``sla``).
TOP_LEVEL_KEYS = (*MODEL_SECTIONS, "run", *COMMAND_LINE_KEYS)
#: Where replications can run (run.backend).
BACKENDS = ("processes", "dask", "ray")

#: Hints for the whole-number run settings: the range and an example.
RUN_HINTS = {
    "replications": "a whole number >= 2, e.g. run.replications=20",
    "seed": "a whole number >= 0, e.g. run.seed=7",
    "workers": "a whole number >= 0 (0 = one per CPU core), e.g. run.workers=4",
    "max_events": "a whole number >= 1, e.g. run.max_events=50000000",
    "max_replications": "a whole number >= 2, e.g. run.max_replications=200",
    "cases": "a whole number >= 1, e.g. run.cases=5000",
}

RUN_KEYS = tuple(
    f.name for f in dataclasses.fields(RunSettings) if f.name not in INTERNAL_RUN_FIELDS
)


def validate(
    config: Mapping[str, Any],
    *,
    provenance: Mapping[str, str] | None = None,
    context: str = "the configuration",
) -> tuple[Model, RunSettings]:
    """Validate a config mapping and build the model and run settings.

    Parameters
    ----------
    config
        A mapping with the sections ``process``, ``staffing``, ``arrivals`` and optionally
        ``roles``, ``case_types``, ``sla``, ``targets`` and ``run``. The command line's own
        keys (:data:`COMMAND_LINE_KEYS`) are ignored; any other top-level key is reported
        (a misspelt section would otherwise vanish without a trace).
    provenance
        Config paths set by scenarios (path -> scenario name), to point hints at the scenario
        that caused a problem.
    context
        Names the configuration in the error message (e.g. ``scenario 'merged_approval'``).

    Returns
    -------
    (Model, RunSettings)

    Raises
    ------
    ModelError
        With every problem found, each with its path and a hint.
    """
    c = Collector(provenance)
    if isinstance(config, Mapping):
        c.issues += unknown_top_level_keys(config)
    model = _build_model(config, c)
    run = _build_run(config.get("run"), c, model.time_unit if model else "hours")
    if c.issues or model is None:
        raise ModelError(c.issues, context)
    if run.warmup > 0 and run.horizon is not None and run.warmup >= run.horizon:
        raise ModelError(
            [
                Issue(
                    "run.warmup",
                    "warm-up must be shorter than the horizon",
                    f"< {run.horizon:g}",
                    f"{run.warmup:g}",
                )
            ],
            context,
        )
    return model, run


def validate_model(
    config: Mapping[str, Any],
    *,
    provenance: Mapping[str, str] | None = None,
    context: str = "the configuration",
) -> Model:
    """Like :func:`validate` for the model alone (no ``run`` section needed)."""
    c = Collector(provenance)
    if isinstance(config, Mapping):
        c.issues += unknown_top_level_keys(config)
    model = _build_model(config, c)
    if c.issues or model is None:
        raise ModelError(c.issues, context)
    return model


def unknown_top_level_keys(config: Mapping[str, Any]) -> list[Issue]:
    """Issues for top-level keys that are neither a model section nor a command-line key.

    Parameters
    ----------
    config
        A config mapping (a process file, Hydra's composed config or a notebook dict).

    Returns
    -------
    list of Issue
        One per unknown key, with the closest known key as the hint.
    """
    sections = ", ".join((*MODEL_SECTIONS, "run"))
    return [
        Issue(
            str(key), "unknown top-level key", f"one of {sections}", repr(key), top_level_hint(key)
        )
        for key in config
        if str(key) not in TOP_LEVEL_KEYS
    ]


def top_level_hint(key: object) -> str:
    """Did-you-mean for an unknown top-level key: the closest known key, or else the list of
    model sections (not the command line's keys, which an analyst rarely means)."""
    hint = did_you_mean(str(key), TOP_LEVEL_KEYS)
    if hint.startswith("did you mean"):
        return hint
    return did_you_mean(str(key), (*MODEL_SECTIONS, "run"))


def _build_run(value: object, c: Collector, unit: str) -> RunSettings:
    raw = c.mapping(value, "run", required=False, allowed=RUN_KEYS)
    defaults = RunSettings()
    values: dict[str, Any] = {}
    minimums = {"replications": 2, "seed": 0, "workers": 0, "max_events": 1, "max_replications": 2}
    for key, minimum in minimums.items():
        if raw.get(key) is not None:
            got = c.number(raw[key], f"run.{key}", minimum=minimum, integer=True, what="an integer",
                           hint=RUN_HINTS[key])  # fmt: skip
            if got is not None:
                values[key] = int(got)
    if raw.get("cases") is not None:
        got = c.number(raw["cases"], "run.cases", minimum=1, integer=True, what="an integer",
                       hint=RUN_HINTS["cases"])  # fmt: skip
        if got is not None:
            values["cases"] = int(got)
    if isinstance(raw.get("warmup"), str) and raw["warmup"].strip().lower() == "auto":
        values["auto_warmup"] = True
        raw = {k: v for k, v in raw.items() if k != "warmup"}
        if raw.get("horizon") is None:
            c.add(
                "run.warmup",
                "an automatic warm-up needs a horizon",
                "run.horizon=<time> with run.warmup=auto",
                "run.cases",
                "give a fixed warm-up with run.cases, or simulate a horizon",
            )
    for key in ("horizon", "warmup"):
        if raw.get(key) is not None:
            hint = (
                f"a length in {unit} or a time with a unit (30min, 8h, 2d, 4w), "
                + ("e.g. run.horizon=4w" if key == "horizon" else
                   "e.g. run.warmup=1w; 0 for none, auto to estimate it")
            )  # fmt: skip
            got = c.number(
                raw[key], f"run.{key}", minimum=0, strict=key == "horizon", time_unit=unit,
                hint=hint,
            )  # fmt: skip
            if got is not None:
                values[key] = got
    if raw.get("backend") is not None:
        backend = str(raw["backend"]).strip().lower()
        if backend not in BACKENDS:
            c.add("run.backend", "unknown backend", " or ".join(BACKENDS), repr(raw["backend"]),
                  did_you_mean(backend, BACKENDS))  # fmt: skip
        else:
            values["backend"] = backend
    if raw.get("address") is not None:
        values["address"] = str(raw["address"]).strip()
    if raw.get("max_seconds") is not None:
        got = c.number(raw["max_seconds"], "run.max_seconds", minimum=0, strict=True,
                       what="seconds")  # fmt: skip
        if got is not None:
            values["max_seconds"] = float(got)
    _build_precision(raw, values, c)
    has_h, has_c = raw.get("horizon") is not None, raw.get("cases") is not None
    if has_h == has_c:
        c.add(
            "run",
            "set exactly one of run.horizon and run.cases",
            "a horizon (e.g. run.horizon=30d) or a number of cases (run.cases=5000)",
            "both" if has_h else "neither",
            "pick a horizon for a period ('a four-week pilot'), cases for a fixed workload",
        )
    return dataclasses.replace(defaults, **values)


def _build_precision(raw: dict[str, Any], values: dict[str, Any], c: Collector) -> None:
    if raw.get("precision") is not None:
        got = c.number(raw["precision"], "run.precision", minimum=0, strict=True, what="a share")
        if got is not None and got >= 1:
            c.add(
                "run.precision",
                "a relative half-width of 1 or more asks for nothing",
                "a share such as 0.05 (5% of the mean)",
                f"{got:g}",
            )
        elif got is not None:
            values["precision"] = got
    if raw.get("confidence") is not None:
        got = c.number(raw["confidence"], "run.confidence", minimum=0.5, what="a level")
        if got is not None and got >= 1:
            c.add("run.confidence", "must be below 1", "a level such as 0.95", f"{got:g}")
        elif got is not None:
            values["confidence"] = got
    kpis = raw.get("precision_kpis")
    if kpis is not None:
        items = [kpis] if isinstance(kpis, str) else kpis
        if not isinstance(items, list | tuple) or not all(isinstance(k, str) for k in items):
            c.add(
                "run.precision_kpis",
                "must be a list of KPI names",
                "e.g. [cycle_time_mean, 'sla_attainment:resolution_24h']",
                short(kpis),
            )
        else:
            for item in items:
                metric = item.partition(":")[0]
                if metric not in CATALOGUE:
                    c.add(
                        "run.precision_kpis",
                        "unknown KPI",
                        "a KPI name, or metric:entity",
                        repr(item),
                        did_you_mean(metric, CATALOGUE),
                    )
            values["precision_kpis"] = tuple(items)


def _build_model(config: object, c: Collector) -> Model | None:
    if not isinstance(config, Mapping):
        c.add("<root>", "the configuration must be a mapping", "a mapping", type(config).__name__)
        return None
    proc = c.mapping(
        config.get("process"), "process", allowed=PROCESS_KEYS, example="{name: ..., stages: {...}}"
    )
    unit = _time_unit(proc.get("time_unit"), c)
    stages_raw = c.mapping(
        proc.get("stages"),
        "process.stages",
        example="{intake: {role: clerk, duration: {dist: expon, mean: 1}}}",
    )
    stages_raw = {k: v for k, v in stages_raw.items() if v is not None}  # null removes a stage
    if not stages_raw and "stages" in proc:
        c.add("process.stages", "the process has no stages", "at least one stage", "none")
    for name in stages_raw:
        if name in EXIT_NAMES:
            c.add(
                f"process.stages.{name}",
                f"'{name}' is reserved for leaving the process",
                "another stage name",
                repr(name),
            )

    staffing = c.mapping(
        config.get("staffing"), "staffing", required=False, example="{reviewer: 3}"
    )
    # A role set to null is removed (the scenario way); say so where it is still used.
    nulled = {k for k, v in staffing.items() if v is None}
    staffing = {k: v for k, v in staffing.items() if v is not None}
    roles_cfg = c.mapping(config.get("roles"), "roles", required=False)
    roles_cfg = {k: v for k, v in roles_cfg.items() if v is not None}

    calendar = parse_calendar(
        proc.get("calendar"), "process.calendar", UNIT_HOURS[unit], c.issues
    ) or Calendar(hours_per_unit=UNIT_HOURS[unit])
    role_names = list(staffing)
    roles: list[Role] = []
    for rid, name in enumerate(role_names):
        rc = c.mapping(roles_cfg.get(name), f"roles.{name}", required=False, allowed=ROLE_KEYS)
        cost = 0.0
        if rc.get("cost_per_hour") is not None:
            cost = c.number(rc["cost_per_hour"], f"roles.{name}.cost_per_hour", minimum=0) or 0.0
        preemptive = rc.get("preemptive", False)
        if not isinstance(preemptive, bool):
            c.add(f"roles.{name}.preemptive", "must be true or false", "a boolean",
                  short(preemptive))  # fmt: skip
            preemptive = False
        servers, shifts = _staffing(staffing[name], f"staffing.{name}", calendar, c)
        roles.append(
            Role(
                rid,
                name,
                servers,
                cost,
                c.text(rc.get("description"), f"roles.{name}.description"),
                shifts,
                preemptive,
            )
        )
    for name in roles_cfg:
        if name in nulled:
            c.add(
                f"roles.{name}",
                "role has a cost but its head count is null (removed)",
                "a head count under staffing",
                f"staffing.{name}: null",
                f"a role needs a head count, e.g. staffing.{name}=1; to remove the role, set "
                f"roles.{name} to null too (in a scenario) and give its stages another role",
            )
        elif name not in staffing:
            c.add(
                f"roles.{name}",
                "role has a cost but no head count",
                "a matching entry under staffing",
                "none",
                did_you_mean(name, staffing) if staffing else f"add staffing.{name}=1",
            )

    stage_names = list(stages_raw)
    sid = {name: i for i, name in enumerate(stage_names)}
    rid_of = {r.name: r.id for r in roles}
    stages: list[Stage] = []
    handoffs = Handoffs(len(stage_names))
    for name in stage_names:
        stage = build_stage(
            name, stages_raw[name], sid, rid_of, unit, calendar, handoffs, c, removed=nulled
        )
        if stage is not None:
            stages.append(stage)
    complete = len(stages) == len(stage_names)
    case_types = build_case_types(config.get("case_types"), stages, sid, unit, handoffs, c)
    stages += handoffs.stages
    used_roles = {role_names[s.role] for s in stages if s.role is not None}

    start_name = proc.get("start")
    start = 0
    if start_name is None:
        if len(stage_names) > 1:
            c.add(
                "process.start",
                "missing: which stage do cases start at?",
                "a stage name",
                "nothing",
                f"add process.start: {stage_names[0]}",
            )
    elif not isinstance(start_name, str) or start_name not in sid:
        c.add(
            "process.start",
            "unknown stage",
            "one of " + ", ".join(stage_names),
            repr(start_name),
            did_you_mean(str(start_name), stage_names),
        )
    else:
        start = sid[start_name]

    arrivals = c.mapping(
        config.get("arrivals"),
        "arrivals",
        allowed=ARRIVAL_KEYS,
        example="{interarrival: {dist: expon, mean: 1}} or {rate: {mon-fri: 4}}",
    )
    interarrival: Distribution | None = None
    profile: WeeklyProfile | None = None
    has_gap, has_rate = arrivals.get("interarrival") is not None, arrivals.get("rate") is not None
    if has_gap and has_rate:
        c.add(
            "arrivals",
            "give either an inter-arrival distribution or a rate profile, not both",
            "interarrival or rate",
            "both",
            "remove one with arrivals.<key>: null",
        )
    elif has_gap:
        interarrival = parse_distribution(
            arrivals["interarrival"], "arrivals.interarrival", unit, c.issues
        )
        if interarrival is not None and interarrival.mean <= 0:
            c.add(
                "arrivals.interarrival",
                "mean time between arrivals must be positive",
                "a distribution with mean > 0",
                interarrival.describe(),
            )
            interarrival = None
    elif has_rate:
        per_hour = parse_rate_profile(arrivals["rate"], "arrivals.rate", calendar, c.issues)
        # Rates are written per hour; the engine works per time unit.
        profile = per_hour.scaled(UNIT_HOURS[unit]) if per_hour is not None else None
    elif arrivals or config.get("arrivals") is not None:
        c.add(
            "arrivals.interarrival",
            "missing",
            "a distribution such as {dist: expon, mean: 1}, or arrivals.rate by hour of week",
            "nothing",
        )
    business_hours = None
    if proc.get("business_hours") is not None:
        business_hours = parse_hours(
            proc["business_hours"], "process.business_hours", calendar, c.issues
        )

    type_names = [t.name for t in case_types if t.name]
    slas = _build_slas(config.get("sla"), sid, type_names, business_hours, unit, c)
    entities = {
        "stage": [s.name for s in stages],
        "role": role_names,
        "sla": [s.name for s in slas],
        "case_type": type_names,
    }
    targets = _build_targets(config.get("targets"), slas, entities, unit, c)

    if c.issues or (interarrival is None and profile is None) or not complete:
        return None
    warnings: list[str] = []
    check_graph(stages, start, case_types, c)
    if c.issues:
        return None
    if any(r.preemptive for r in roles) and len({t.priority for t in case_types}) < 2:
        warnings.append(
            "roles: preemptive is set but all case types have the same priority, so nothing "
            "is ever interrupted"
        )
    for name in role_names:
        if name not in used_roles:
            warnings.append(
                f"staffing.{name}: role is staffed but no stage uses it "
                "(its staff still count in cost)"
            )
    if not any(s.value == "value_adding" for s in stages):
        warnings.append(
            "process.stages: no stage is marked value: value_adding, so cycle efficiency is 0"
        )
    model = Model(
        name=c.text(proc.get("name"), "process.name", "process"),
        description=c.text(proc.get("description"), "process.description"),
        time_unit=unit,
        stages=tuple(stages),
        roles=tuple(roles),
        start=start,
        interarrival=interarrival,
        slas=tuple(slas),
        targets=tuple(targets),
        arrival_profile=profile,
        case_types=tuple(case_types),
        calendar=calendar,
        business_hours=business_hours,
    )
    shifts_used = any(r.shifts is not None for r in roles)
    for role, load in model.offered_load().items():
        if load >= 1:
            warnings.append(
                f"staffing.{role}: offered load is {load:.2f} per person (>= 1"
                + (", averaged over the week" if profile is not None or shifts_used else "")
                + "): its queue will grow without bound; results depend on the run length. "
                "Hint: add staff or shorten its stages"
            )
    return dataclasses.replace(model, warnings=tuple(warnings))


def _staffing(
    value: object, path: str, calendar: Calendar, c: Collector
) -> tuple[int, WeeklyProfile | None]:
    """A head count, or shifts: ``{shifts: [{days: mon-fri, from: "09:00", to: "17:00",
    count: 3}]}``. Returns the largest head count and the profile (None if constant)."""
    if isinstance(value, Mapping | list):
        spec: object = value
        if isinstance(value, Mapping):
            raw = c.mapping(value, path, allowed=STAFFING_KEYS, example="{shifts: [...]}")
            spec = raw.get("shifts")
            path = f"{path}.shifts"
            if spec is None:
                c.add(path, "missing", "a list of shifts", "nothing")
                return 1, None
        profile = parse_shifts(spec, path, calendar, c.issues)
        if profile is None:
            return 1, None
        peak = int(max(profile.values))
        if peak < 1:
            c.add(path, "nobody is ever on duty", "at least one shift with count >= 1", "none")
            return 1, None
        if profile.constant is not None:
            return int(profile.constant), None
        return peak, profile
    role = path.rpartition(".")[2]
    hint = f"a whole number of people >= 1, e.g. {path}=2, or shifts ({{shifts: [...]}})"
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 1:
        hint = (
            f"a role needs at least one person, e.g. {path}=1; shifts may staff it at 0 for some "
            f"hours; to take '{role}' out, remove it in a scenario ({path}: null)"
        )
    servers = c.number(
        value, path, minimum=1, integer=True, what="a head count or shifts", hint=hint
    )
    return int(servers or 1), None


def _time_unit(value: object, c: Collector) -> str:
    if value is None:
        return "hours"
    unit = canonical_unit(str(value)) if isinstance(value, str) else None
    if unit is None:
        c.add(
            "process.time_unit",
            "unknown time unit",
            "one of " + ", ".join(UNIT_HOURS),
            short(value),
            did_you_mean(str(value), UNIT_HOURS),
        )
        return "hours"
    return unit


def _anchor(value: object, path: str, default: str, sid: dict[str, int], c: Collector) -> Anchor:
    text = default if value is None else value
    if not isinstance(text, str):
        c.add(
            path, "must be text", "arrival, completion, start:<stage> or end:<stage>", short(value)
        )
        return Anchor("arrival")
    text = text.strip()
    if text in ("arrival", "completion"):
        return Anchor(text)  # type: ignore[arg-type]
    kind, _, stage = text.partition(":")
    kind, stage = kind.strip(), stage.strip()
    if kind in ("start", "end") and stage:
        if stage not in sid:
            c.add(
                path,
                "unknown stage",
                "a stage name after 'start:' or 'end:'",
                repr(stage),
                did_you_mean(stage, sid),
            )
            return Anchor("arrival")
        return Anchor(kind, sid[stage])  # type: ignore[arg-type]
    c.add(
        path,
        "unknown moment",
        "arrival, completion, start:<stage> or end:<stage>",
        repr(text),
        "e.g. to: start:initial_review for a first-response SLA",
    )
    return Anchor("arrival")


def _build_slas(
    value: object,
    sid: dict[str, int],
    type_names: list[str],
    business_hours: WeeklyProfile | None,
    unit: str,
    c: Collector,
) -> list[Sla]:
    raw = c.mapping(value, "sla", required=False)
    out: list[Sla] = []
    for name, spec in raw.items():
        if spec is None:
            continue
        path = f"sla.{name}"
        s = c.mapping(spec, path, allowed=SLA_KEYS, example="{within: 24h, to: completion}")
        if not s:
            continue
        within = c.number(
            s.get("within"), f"{path}.within", minimum=0, strict=True, time_unit=unit, what="a time"
        )
        start = _anchor(s.get("from"), f"{path}.from", "arrival", sid, c)
        end = _anchor(s.get("to"), f"{path}.to", "completion", sid, c)
        target = None
        if s.get("target") is not None:
            target = c.number(s["target"], f"{path}.target", minimum=0, what="a share (0..1)")
            if target is not None and target > 1:
                c.add(
                    f"{path}.target",
                    "a share above 1",
                    "a share in [0, 1] (0.9 = 90%)",
                    f"{target:g}",
                    f"did you mean {target / 100:g}?",
                )
                target = None
        clock = s.get("clock", "calendar")
        if clock not in ("calendar", "business"):
            c.add(f"{path}.clock", "unknown clock", "calendar or business", short(clock),
                  did_you_mean(str(clock), ["calendar", "business"]))  # fmt: skip
        elif clock == "business" and business_hours is None:
            c.add(
                f"{path}.clock",
                "a business-hours clock needs the process's business hours",
                "process.business_hours, e.g. {mon-fri: '09:00-17:00'}",
                "none defined",
            )
        types = _sla_types(s.get("types"), f"{path}.types", type_names, c)
        if within is not None:
            out.append(
                Sla(
                    name,
                    within,
                    start,
                    end,
                    target,
                    c.text(s.get("description"), f"{path}.description"),
                    "business" if clock == "business" else "calendar",
                    types,
                )
            )
    return out


def _sla_types(
    value: object, path: str, type_names: list[str], c: Collector
) -> tuple[int, ...] | None:
    """Case types an SLA applies to (None: all). Ids follow the order of ``case_types``."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        c.add(path, "must be a list of case types", "e.g. [urgent]", short(value))
        return None
    out: list[int] = []
    for item in items:
        if item not in type_names:
            c.add(
                path,
                "unknown case type",
                "one of " + (", ".join(type_names) or "(no case_types defined)"),
                short(item),
                did_you_mean(str(item), type_names) if type_names else "define case_types",
            )
        else:
            out.append(type_names.index(item))
    return tuple(out)


def _build_targets(
    value: object, slas: list[Sla], entities: dict[str, list[str]], unit: str, c: Collector
) -> list[Target]:
    raw = c.mapping(value, "targets", required=False)
    out: list[Target] = []
    for sla in slas:
        if sla.target is not None:
            out.append(Target(f"sla {sla.name}", "sla_attainment", sla.name, ">=", sla.target))
    for name, spec in raw.items():
        if spec is None:
            continue
        path = f"targets.{name}"
        t = c.mapping(spec, path, allowed=TARGET_KEYS, example="{kpi: cycle_time_mean, max: 24h}")
        if not t:
            continue
        metric = t.get("kpi")
        kpi = CATALOGUE.get(str(metric))
        if kpi is None:
            c.add(
                f"{path}.kpi",
                "unknown KPI",
                "a KPI name such as cycle_time_mean",
                short(metric),
                did_you_mean(str(metric), CATALOGUE),
            )
            continue
        entity = t.get("of")
        if kpi.entity:
            choices = entities[kpi.entity]
            if entity not in choices:
                c.add(
                    f"{path}.of",
                    f"{kpi.name} is measured per {kpi.entity}; name which",
                    f"one of {', '.join(choices) or '(none defined)'}",
                    short(entity),
                    did_you_mean(str(entity), choices),
                )
                continue
        elif entity is not None:
            c.add(f"{path}.of", f"{kpi.name} is a process-wide KPI", "no 'of'", short(entity))
            continue
        has_max, has_min = t.get("max") is not None, t.get("min") is not None
        if has_max == has_min:
            c.add(
                path,
                "a target needs exactly one bound",
                "max: <value> or min: <value>",
                "both" if has_max else "neither",
            )
            continue
        key = "max" if has_max else "min"
        bound = c.number(t[key], f"{path}.{key}", time_unit=unit if kpi.unit == "time" else None)
        if bound is not None:
            out.append(Target(name, kpi.name, str(entity or ""), "<=" if has_max else ">=", bound))
    return out
