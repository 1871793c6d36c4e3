"""Validation: a plain config mapping -> a :class:`~procsim.model.process.Model` and run settings.

Sits after config composition (Hydra or a notebook dict) and before the engine. The entry
points check the top-level keys and assemble the model from the checks of each section, in
the order of the data they need: the process header and its stage table, staffing and roles
(:mod:`procsim.model.staffing`), the calendar, the stages (:mod:`procsim.model.stages`, with
:mod:`procsim.model.routing`), case types (:mod:`procsim.model.case_types`), arrivals
(:mod:`procsim.model.arrivals`), business hours, SLAs (:mod:`procsim.model.slas`), targets
(:mod:`procsim.model.targets`), then the whole-process checks (:mod:`procsim.model.flow_checks`)
and the run settings (:mod:`procsim.model.run_settings`). It reports every problem at once, each
with its config path, what was expected, what was found and a hint, by raising a single
:class:`~procsim.errors.ModelError`. Non-fatal findings (offered load >= 1, an unused role)
become the model's warnings (:mod:`procsim.model.model_warnings`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procsim.errors import Issue, ModelError, did_you_mean
from procsim.model.arrivals import build_arrivals
from procsim.model.business_hours import parse_hours
from procsim.model.calendar import Calendar, parse_calendar
from procsim.model.case_types import build_case_types
from procsim.model.flow_checks import check_graph
from procsim.model.issues import Collector, short
from procsim.model.model_warnings import model_warnings
from procsim.model.process import CaseType, Model, Role, RunSettings, Stage
from procsim.model.routing import Handoffs
from procsim.model.run_settings import build_run_settings
from procsim.model.slas import build_slas
from procsim.model.staffing import build_roles, read_staffing
from procsim.model.stages import build_stage, read_stages, start_stage
from procsim.model.targets import build_targets
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
    run = build_run_settings(config.get("run"), c, model.time_unit if model else "hours")
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


def _build_model(config: object, c: Collector) -> Model | None:
    if not isinstance(config, Mapping):
        c.add("<root>", "the configuration must be a mapping", "a mapping", type(config).__name__)
        return None
    proc = c.mapping(
        config.get("process"), "process", allowed=PROCESS_KEYS, example="{name: ..., stages: {...}}"
    )
    unit = _time_unit(proc.get("time_unit"), c)
    stage_specs = read_stages(proc, c)
    staffing = read_staffing(config, c)
    calendar = parse_calendar(
        proc.get("calendar"), "process.calendar", UNIT_HOURS[unit], c.issues
    ) or Calendar(hours_per_unit=UNIT_HOURS[unit])
    roles = build_roles(staffing, calendar, c)
    flow = _build_flow(config, proc, stage_specs, roles, staffing.removed, unit, calendar, c)
    interarrival, profile = build_arrivals(config.get("arrivals"), unit, calendar, c)
    business_hours = None
    if proc.get("business_hours") is not None:
        business_hours = parse_hours(
            proc["business_hours"], "process.business_hours", calendar, c.issues
        )
    type_names = [t.name for t in flow.case_types if t.name]
    slas = build_slas(config.get("sla"), flow.sid, type_names, business_hours, unit, c)
    entities = {
        "stage": [s.name for s in flow.stages],
        "role": [r.name for r in roles],
        "sla": [s.name for s in slas],
        "case_type": type_names,
    }
    targets = build_targets(config.get("targets"), slas, entities, unit, c)

    if c.issues or (interarrival is None and profile is None) or not flow.complete:
        return None
    check_graph(flow.stages, flow.start, flow.case_types, c)
    if c.issues:
        return None
    model = Model(
        name=c.text(proc.get("name"), "process.name", "process"),
        description=c.text(proc.get("description"), "process.description"),
        time_unit=unit,
        stages=tuple(flow.stages),
        roles=tuple(roles),
        start=flow.start,
        interarrival=interarrival,
        slas=tuple(slas),
        targets=tuple(targets),
        arrival_profile=profile,
        case_types=tuple(flow.case_types),
        calendar=calendar,
        business_hours=business_hours,
    )
    return dataclasses.replace(model, warnings=model_warnings(model))


@dataclass
class _Flow:
    """The process's stages (handoff stages after the real ones), case types and start."""

    sid: dict[str, int]
    stages: list[Stage]
    case_types: list[CaseType]
    start: int
    #: Every stage of the table was built without problems.
    complete: bool


def _build_flow(
    config: Mapping[str, Any],
    proc: dict[str, Any],
    stage_specs: dict[str, Any],
    roles: list[Role],
    removed: frozenset[str],
    unit: str,
    calendar: Calendar,
    c: Collector,
) -> _Flow:
    """The stages, then the case types that override them, then the start stage."""
    stage_names = list(stage_specs)
    sid = {name: i for i, name in enumerate(stage_names)}
    rid_of = {r.name: r.id for r in roles}
    stages: list[Stage] = []
    handoffs = Handoffs(len(stage_names))
    for name in stage_names:
        stage = build_stage(
            name, stage_specs[name], sid, rid_of, unit, calendar, handoffs, c, removed=removed
        )
        if stage is not None:
            stages.append(stage)
    complete = len(stages) == len(stage_names)
    case_types = build_case_types(config.get("case_types"), stages, sid, unit, handoffs, c)
    stages += handoffs.stages
    start = start_stage(proc.get("start"), sid, c)
    return _Flow(sid, stages, case_types, start, complete)


def _time_unit(value: object, c: Collector) -> str:
    if value is None:
        return "hours"
    unit = canonical_unit(str(value)) if isinstance(value, str) else None
    if unit is None:
        c.unknown("process.time_unit", "unknown time unit", UNIT_HOURS, short(value), value)
        return "hours"
    return unit
