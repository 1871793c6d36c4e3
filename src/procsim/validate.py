"""Validation: a plain config mapping -> a :class:`~procsim.model.Model` and run settings.

Sits after config composition (Hydra or a notebook dict) and before the engine. It reports every
problem at once, each with its config path, what was expected, what was found and a hint, by
raising a single :class:`~procsim.errors.ModelError`. Non-fatal findings (offered load >= 1, an
unused role) become the model's warnings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, cast

from procsim.distributions import Distribution, parse_distribution
from procsim.errors import Issue, ModelError, did_you_mean
from procsim.kpis import CATALOGUE
from procsim.model import (
    EXIT,
    INTERNAL_RUN_FIELDS,
    VALUE_CLASSES,
    Anchor,
    Model,
    Role,
    RunSettings,
    Sla,
    Stage,
    Target,
    ValueClass,
)
from procsim.units import UNIT_HOURS, canonical_unit, parse_time

#: Keys of the model sections, as the analyst writes them.
MODEL_SECTIONS = ("process", "roles", "staffing", "arrivals", "sla", "targets")
PROCESS_KEYS = ("name", "description", "time_unit", "start", "stages")
STAGE_KEYS = ("role", "duration", "next", "value", "cost", "description")
ROLE_KEYS = ("cost_per_hour", "description")
ARRIVAL_KEYS = ("interarrival",)
SLA_KEYS = ("within", "from", "to", "target", "description")
TARGET_KEYS = ("kpi", "of", "max", "min")
RUN_KEYS = tuple(
    f.name for f in dataclasses.fields(RunSettings) if f.name not in INTERNAL_RUN_FIELDS
)
EXIT_NAMES = ("end", "exit")

_PROB_TOL = 1e-6


class _Collector:
    """Accumulates issues while walking a config."""

    def __init__(self, provenance: Mapping[str, str] | None = None) -> None:
        self.issues: list[Issue] = []
        self.provenance = dict(provenance or {})

    def add(
        self, path: str, message: str, expected: str = "", got: str = "", hint: str = ""
    ) -> None:
        self.issues.append(Issue(path, message, expected, got, hint))

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: bool = True,
        allowed: tuple[str, ...] | None = None,
        example: str = "",
    ) -> dict[str, Any]:
        """Check a mapping (and its keys); return it, or {} when it is not one."""
        if value is None:
            if required:
                self.add(
                    path,
                    "missing",
                    "a mapping" + (f" such as {example}" if example else ""),
                    "nothing",
                )
            return {}
        if not isinstance(value, Mapping):
            self.add(
                path,
                "must be a mapping",
                "a mapping" + (f" such as {example}" if example else ""),
                f"{type(value).__name__} {_short(value)}",
            )
            return {}
        out = {str(k): v for k, v in value.items()}
        if allowed is not None:
            for key in out:
                if key not in allowed:
                    self.add(
                        f"{path}.{key}",
                        "unknown key",
                        "one of " + ", ".join(allowed),
                        repr(key),
                        did_you_mean(key, allowed),
                    )
        return out

    def number(
        self,
        value: object,
        path: str,
        *,
        minimum: float | None = None,
        strict: bool = False,
        integer: bool = False,
        time_unit: str | None = None,
        what: str = "a number",
    ) -> float | None:
        """Check a number (or a time string when ``time_unit`` is given) against a minimum."""
        number: float | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and time_unit is not None:
            try:
                number = parse_time(value, time_unit)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            expected = what + (" or a time such as '24h'" if time_unit else "")
            self.add(
                path, "not a valid number", expected, f"{type(value).__name__} {_short(value)}"
            )
            return None
        if integer and not float(number).is_integer():
            self.add(path, "must be a whole number", "an integer", _short(value))
            return None
        if minimum is not None and (number < minimum or (strict and number == minimum)):
            op = ">" if strict else ">="
            self.add(
                path,
                f"out of range ({op} {minimum:g} required)",
                f"{what} {op} {minimum:g}",
                _short(value),
            )
            return None
        return number

    def text(self, value: object, path: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            self.add(path, "must be text", "a string", f"{type(value).__name__} {_short(value)}")
            return default
        return value


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        ``roles``, ``sla``, ``targets`` and ``run`` (other top-level keys are ignored: they
        belong to the command line layer).
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
    c = _Collector(provenance)
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
    c = _Collector(provenance)
    model = _build_model(config, c)
    if c.issues or model is None:
        raise ModelError(c.issues, context)
    return model


def _build_run(value: object, c: _Collector, unit: str) -> RunSettings:
    raw = c.mapping(value, "run", required=False, allowed=RUN_KEYS)
    defaults = RunSettings()
    values: dict[str, Any] = {}
    minimums = {"replications": 2, "seed": 0, "workers": 0, "max_events": 1, "max_replications": 2}
    for key, minimum in minimums.items():
        if raw.get(key) is not None:
            got = c.number(raw[key], f"run.{key}", minimum=minimum, integer=True, what="an integer")
            if got is not None:
                values[key] = int(got)
    if raw.get("cases") is not None:
        got = c.number(raw["cases"], "run.cases", minimum=1, integer=True, what="an integer")
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
            got = c.number(
                raw[key], f"run.{key}", minimum=0, strict=key == "horizon", time_unit=unit
            )
            if got is not None:
                values[key] = got
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


def _build_precision(raw: dict[str, Any], values: dict[str, Any], c: _Collector) -> None:
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
                _short(kpis),
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


def _build_model(config: object, c: _Collector) -> Model | None:
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
    staffing = {k: v for k, v in staffing.items() if v is not None}
    roles_cfg = c.mapping(config.get("roles"), "roles", required=False)
    roles_cfg = {k: v for k, v in roles_cfg.items() if v is not None}

    role_names = list(staffing)
    roles: list[Role] = []
    for rid, name in enumerate(role_names):
        servers = c.number(
            staffing[name], f"staffing.{name}", minimum=1, integer=True, what="a head count"
        )
        rc = c.mapping(roles_cfg.get(name), f"roles.{name}", required=False, allowed=ROLE_KEYS)
        cost = 0.0
        if rc.get("cost_per_hour") is not None:
            cost = c.number(rc["cost_per_hour"], f"roles.{name}.cost_per_hour", minimum=0) or 0.0
        roles.append(
            Role(
                rid,
                name,
                int(servers or 1),
                cost,
                c.text(rc.get("description"), f"roles.{name}.description"),
            )
        )
    for name in roles_cfg:
        if name not in staffing:
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
    used_roles: set[str] = set()
    for name in stage_names:
        stage = _build_stage(name, stages_raw[name], sid, rid_of, unit, c)
        if stage is not None:
            stages.append(stage)
            if stage.role is not None:
                used_roles.add(role_names[stage.role])

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
        example="{interarrival: {dist: expon, mean: 1}}",
    )
    interarrival: Distribution | None = None
    if "interarrival" in arrivals:
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
    elif arrivals or config.get("arrivals") is not None:
        c.add(
            "arrivals.interarrival",
            "missing",
            "a distribution such as {dist: expon, mean: 1}",
            "nothing",
        )

    slas = _build_slas(config.get("sla"), sid, unit, c)
    targets = _build_targets(config.get("targets"), slas, stage_names, role_names, unit, c)

    if c.issues or interarrival is None or len(stages) != len(stage_names):
        return None
    warnings: list[str] = []
    _check_graph(stages, start, c)
    if c.issues:
        return None
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
    )
    for role, load in model.offered_load().items():
        if load >= 1:
            warnings.append(
                f"staffing.{role}: offered load is {load:.2f} per person (>= 1): its queue will "
                "grow without bound; results depend on the run length. Hint: add staff or "
                "shorten its stages"
            )
    return dataclasses.replace(model, warnings=tuple(warnings))


def _time_unit(value: object, c: _Collector) -> str:
    if value is None:
        return "hours"
    unit = canonical_unit(str(value)) if isinstance(value, str) else None
    if unit is None:
        c.add(
            "process.time_unit",
            "unknown time unit",
            "one of " + ", ".join(UNIT_HOURS),
            _short(value),
            did_you_mean(str(value), UNIT_HOURS),
        )
        return "hours"
    return unit


def _build_stage(
    name: str,
    raw_value: object,
    sid: dict[str, int],
    rid_of: dict[str, int],
    unit: str,
    c: _Collector,
) -> Stage | None:
    path = f"process.stages.{name}"
    raw = c.mapping(
        raw_value,
        path,
        allowed=STAGE_KEYS,
        example="{role: reviewer, duration: {dist: expon, mean: 2}, next: {...}}",
    )
    n_before = len(c.issues)
    role: int | None = None
    role_name = raw.get("role")
    if role_name is not None:
        if not isinstance(role_name, str) or role_name not in rid_of:
            hint = did_you_mean(str(role_name), rid_of) if rid_of else ""
            hint = hint or f"add staffing.{role_name}=1"
            c.add(
                f"{path}.role",
                "role has no head count under staffing",
                "a role listed under staffing (or null for a pure delay)",
                _short(role_name),
                hint,
            )
        else:
            role = rid_of[role_name]
    duration = None
    if "duration" not in raw or raw["duration"] is None:
        c.add(
            f"{path}.duration",
            "missing",
            "a distribution such as {dist: expon, mean: 2}",
            "nothing",
        )
    else:
        duration = parse_distribution(raw["duration"], f"{path}.duration", unit, c.issues)

    successors, probabilities = _build_next(raw.get("next"), path, sid, c)
    value = raw.get("value", "necessary")
    if value not in VALUE_CLASSES:
        c.add(
            f"{path}.value",
            "unknown value class",
            "one of " + ", ".join(VALUE_CLASSES),
            _short(value),
            did_you_mean(str(value), VALUE_CLASSES),
        )
    cost = 0.0
    if raw.get("cost") is not None:
        cost = c.number(raw["cost"], f"{path}.cost", minimum=0) or 0.0
    description = c.text(raw.get("description"), f"{path}.description")
    if len(c.issues) > n_before or duration is None:
        return None
    return Stage(
        sid[name],
        name,
        role,
        duration,
        successors,
        probabilities,
        cast(ValueClass, value),
        cost,
        description,
    )


def _build_next(
    value: object, path: str, sid: dict[str, int], c: _Collector
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    npath = f"{path}.next"
    if value is None:
        return (EXIT,), (1.0,)
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, Mapping):
        c.add(
            npath,
            "routing must be a mapping of successor -> probability",
            "e.g. {delivery: 0.8, drafting: 0.2}, or one stage name",
            _short(value),
        )
        return (), ()
    edges = {str(k): v for k, v in value.items() if v is not None}  # null removes an edge
    if not edges:
        return (EXIT,), (1.0,)
    succ: list[int] = []
    probs: list[float] = []
    ok = True
    for target, prob in edges.items():
        p = c.number(prob, f"{npath}.{target}", minimum=0, what="a probability")
        if p is not None and p > 1:
            c.add(f"{npath}.{target}", "probability above 1", "a probability in [0, 1]", f"{p:g}")
            p = None
        if target in EXIT_NAMES:
            succ.append(EXIT)
        elif target in sid:
            succ.append(sid[target])
        else:
            c.add(
                f"{npath}.{target}",
                "unknown successor stage",
                "a stage name, or 'end' to leave the process",
                repr(target),
                did_you_mean(target, [*sid, "end"]),
            )
            ok = False
        if p is None:
            ok = False
        else:
            probs.append(p)
    if not ok:
        return (), ()
    total = sum(probs)
    if abs(total - 1.0) > _PROB_TOL:
        hint = "make them sum to 1; use 'end' for the share that leaves the process"
        touched = sorted({scen for p, scen in c.provenance.items() if p.startswith(npath)})
        if touched:
            hint = (
                f"scenario {', '.join(repr(t) for t in touched)} changed this routing; did it "
                f"forget to remove an old edge? Remove one with '<stage>: null' under {npath}"
            )
        c.add(
            npath,
            "successor probabilities do not sum to 1",
            "a sum of 1",
            f"{total:g} over " + ", ".join(f"{k}={edges[k]}" for k in edges),
            hint,
        )
        return (), ()
    return tuple(succ), tuple(probs)


def _check_graph(stages: list[Stage], start: int, c: _Collector) -> None:
    n = len(stages)
    forward: list[set[int]] = [set() for _ in range(n)]
    reaches_exit = [False] * n
    for s in stages:
        for t, p in zip(s.successors, s.probabilities, strict=True):
            if p <= 0:
                continue
            if t == EXIT:
                reaches_exit[s.id] = True
            else:
                forward[s.id].add(t)
    seen = {start}
    todo = [start]
    while todo:
        for t in forward[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for s in stages:
        if s.id not in seen:
            c.add(
                f"process.stages.{s.name}",
                "stage is unreachable from the start stage",
                f"a path from '{stages[start].name}'",
                "no route leads here",
                "route to it from another stage's next, or remove it with null",
            )
    # Backward closure from stages that can leave.
    backward: list[set[int]] = [set() for _ in range(n)]
    for src in range(n):
        for t in forward[src]:
            backward[t].add(src)
    can_exit = {i for i in range(n) if reaches_exit[i]}
    todo = list(can_exit)
    while todo:
        for prev in backward[todo.pop()]:
            if prev not in can_exit:
                can_exit.add(prev)
                todo.append(prev)
    for s in stages:
        if s.id in seen and s.id not in can_exit:
            c.add(
                f"process.stages.{s.name}.next",
                "cases that reach this stage never leave the process",
                "a route to 'end'",
                "a closed loop",
                "give one stage of the loop an 'end' (or exit) probability",
            )


def _anchor(value: object, path: str, default: str, sid: dict[str, int], c: _Collector) -> Anchor:
    text = default if value is None else value
    if not isinstance(text, str):
        c.add(
            path, "must be text", "arrival, completion, start:<stage> or end:<stage>", _short(value)
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


def _build_slas(value: object, sid: dict[str, int], unit: str, c: _Collector) -> list[Sla]:
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
        if within is not None:
            out.append(
                Sla(
                    name,
                    within,
                    start,
                    end,
                    target,
                    c.text(s.get("description"), f"{path}.description"),
                )
            )
    return out


def _build_targets(
    value: object, slas: list[Sla], stages: list[str], roles: list[str], unit: str, c: _Collector
) -> list[Target]:
    raw = c.mapping(value, "targets", required=False)
    out: list[Target] = []
    for sla in slas:
        if sla.target is not None:
            out.append(Target(f"sla {sla.name}", "sla_attainment", sla.name, ">=", sla.target))
    entities = {"stage": stages, "role": roles, "sla": [s.name for s in slas]}
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
                _short(metric),
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
                    _short(entity),
                    did_you_mean(str(entity), choices),
                )
                continue
        elif entity is not None:
            c.add(f"{path}.of", f"{kpi.name} is a process-wide KPI", "no 'of'", _short(entity))
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
