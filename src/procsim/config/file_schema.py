"""JSON Schemas of the analyst's files, for editors that check a file while it is typed.

Part of the config layer (the analyst's files and their formats): built from the same key lists
and distribution families that validation reads (:mod:`procsim.model.validate` and its section
readers, :mod:`procsim.config.scenario_files`, :mod:`procsim.config.experiments`), so a key
added there is offered here. ``procsim schema`` (:mod:`procsim.cli.schema_command`) writes them
out; an editor with the YAML language server picks one up from a modeline such as
``# yaml-language-server: $schema=procsim-process.schema.json``.

The schemas check the shape: known keys only (a typo is flagged), types, the distribution
families and their parameters, value classes, head counts. What needs the whole model (a
successor naming a stage that exists, probabilities summing to 1, a shift ending after it
starts) stays with validation, which runs before every simulation.
"""

from __future__ import annotations

from typing import Any

from procsim.config.experiments import EXPERIMENT_KEYS
from procsim.config.scenario_files import SCENARIO_KEYS
from procsim.model.arrivals import ARRIVAL_KEYS
from procsim.model.calendar import CALENDAR_KEYS
from procsim.model.case_types import CASE_TYPE_KEYS, TYPE_STAGE_KEYS
from procsim.model.distribution_families import ALIASES, FAMILIES
from procsim.model.process import VALUE_CLASSES
from procsim.model.routing import EDGE_KEYS
from procsim.model.run_settings import RUN_KEYS
from procsim.model.shifts import BREAK_KEYS, SHIFT_KEYS
from procsim.model.slas import CLOCKS, SLA_KEYS
from procsim.model.staffing import ROLE_KEYS, STAFFING_KEYS
from procsim.model.stages import BATCH_KEYS, STAGE_KEYS
from procsim.model.targets import TARGET_KEYS
from procsim.model.units import UNIT_ALIASES
from procsim.model.validate import MODEL_SECTIONS, PROCESS_KEYS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]

#: A time: a number in the process unit, or a quantity with its unit (``"30min"``, ``"1.5 h"``).
TIME: Schema = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*[A-Za-zµ]*\s*$"},
    ],
    "description": "a number in the process time unit, or a quantity such as 30min, 2h, 1.5d",
}
NAME: Schema = {"type": "string", "minLength": 1}
TEXT: Schema = {"type": "string"}
SHARE: Schema = {"type": "number", "minimum": 0, "maximum": 1}


def _mapping(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    """A mapping with only the given keys; ``null`` for any of them means "not given", as it
    does for validation."""
    properties = {k: _or_null(v) for k, v in properties.items()}
    out: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


def _or_null(schema: Schema) -> Schema:
    """``schema`` or ``null`` (anything already accepts null)."""
    if not schema or {"type": "null"} in schema.get("anyOf", []):
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _only(keys: tuple[str, ...], known: dict[str, Schema]) -> dict[str, Schema]:
    """The properties of ``keys``: their schema where it is known, anything else accepted."""
    return {k: known.get(k, {}) for k in keys}


def _by_name(item: Schema) -> Schema:
    """A mapping of names the analyst chooses -> ``item``."""
    return {"type": "object", "additionalProperties": item}


def distribution() -> Schema:
    """A duration, gap or patience: a time (a constant) or ``{dist: <family>, ...}``."""
    families = []
    for name, family in FAMILIES.items():
        params = {p: {"type": "number"} if p in ("cv", "shape") else TIME
                  for p in (*family.required, *family.optional)}  # fmt: skip
        if "values" in params:
            params["values"] = {"type": "array", "items": TIME, "minItems": 1}
        if "interpolate" in params:
            params["interpolate"] = {"type": "boolean"}
        names = [name, *(a for a, target in ALIASES.items() if target == name)]
        families.append(
            {
                "type": "object",
                "properties": {"dist": {"enum": names}, **params},
                "required": ["dist", *family.required],
                "additionalProperties": False,
                "description": family.help,
            }
        )
    return {"anyOf": [TIME, *families]}


def _routing() -> Schema:
    """``next``: one stage name, successor -> probability (or ``{p, handoff}``), or a split."""
    edge = {
        "anyOf": [
            SHARE,
            {"type": "null"},
            _mapping(_only(EDGE_KEYS, {"p": SHARE, "handoff": distribution()})),
        ]
    }
    split = _mapping(
        {"parallel": {"type": "array", "items": NAME, "minItems": 2}, "join": NAME},
        ("parallel", "join"),
    )
    return {"anyOf": [{"type": "null"}, NAME, split, _by_name(edge)]}


def _stage() -> Schema:
    known: dict[str, Schema] = {
        "role": {"anyOf": [NAME, {"type": "null"}]},
        "duration": distribution(),
        "next": _routing(),
        "value": {"enum": list(VALUE_CLASSES)},
        "cost": {"type": "number", "minimum": 0},
        "description": TEXT,
        "patience": distribution(),
        "queue_capacity": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        "batch": _mapping(
            _only(
                BATCH_KEYS,
                {
                    "size": {"type": "integer", "minimum": 1},
                    "at": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
                },
            )
        ),
    }
    return _mapping(_only(STAGE_KEYS, known))


def _staffing() -> Schema:
    clock = {"anyOf": [TEXT, {"type": "number"}]}
    shift = _mapping(
        _only(
            SHIFT_KEYS,
            {
                "days": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
                "from": clock,
                "to": clock,
                "count": {"type": "integer", "minimum": 0},
                "breaks": {"type": "array", "items": _mapping(_only(BREAK_KEYS, {"from": clock,
                                                                               "to": clock}))},
            },
        ),
        ("from", "to", "count"),
    )  # fmt: skip
    shifts = _mapping(
        _only(STAFFING_KEYS, {"shifts": {"type": "array", "items": shift, "minItems": 1}})
    )
    return _by_name({"anyOf": [{"type": "integer", "minimum": 0}, shifts]})


def _sections() -> dict[str, Schema]:
    """The model sections of a process file, by key."""
    process = _mapping(
        _only(
            PROCESS_KEYS,
            {
                "name": TEXT,
                "description": TEXT,
                "time_unit": {"enum": sorted(UNIT_ALIASES)},
                "start": NAME,
                "stages": _by_name({"anyOf": [_stage(), {"type": "null"}]}),
                # (dates: a YAML reader may hand them over as strings or as dates)
                "calendar": _mapping(_only(CALENDAR_KEYS, {"timezone": TEXT})),
            },
        )
    )  # fmt: skip
    case_type = _mapping(
        _only(
            CASE_TYPE_KEYS,
            {
                "share": SHARE,
                "priority": {"type": "integer"},
                "description": TEXT,
                "stages": _by_name(
                    _mapping(_only(TYPE_STAGE_KEYS, {"duration": distribution(),
                                                     "next": _routing()}))
                ),
            },
        )
    )  # fmt: skip
    sla = _mapping(
        _only(
            SLA_KEYS,
            {"within": TIME, "from": TEXT, "to": TEXT, "target": SHARE, "description": TEXT,
             "clock": {"enum": list(CLOCKS)}, "types": {"type": "array", "items": NAME}},
        ),
    )  # fmt: skip
    bound = {"anyOf": [TIME, {"type": "number"}]}
    target = _mapping(_only(TARGET_KEYS, {"kpi": NAME, "of": NAME, "max": bound, "min": bound}))
    role = _mapping(
        _only(ROLE_KEYS, {"cost_per_hour": {"type": "number", "minimum": 0},
                          "description": TEXT, "preemptive": {"type": "boolean"}})
    )  # fmt: skip
    return {
        "process": process,
        "roles": _by_name({"anyOf": [role, {"type": "null"}]}),
        "staffing": _staffing(),
        "arrivals": _mapping(_only(ARRIVAL_KEYS, {"interarrival": distribution()})),
        "case_types": _by_name({"anyOf": [case_type, {"type": "null"}]}),
        "sla": _by_name({"anyOf": [sla, {"type": "null"}]}),
        "targets": _by_name({"anyOf": [target, {"type": "null"}]}),
        "run": _mapping(_only(RUN_KEYS, {})),
    }


def _nullable(schema: Schema) -> Schema:
    """``schema`` with every key optional and ``null`` allowed (a scenario removes with null),
    all the way down its mappings."""
    if "anyOf" in schema:
        inner = [_nullable(s) for s in schema["anyOf"]]
        return {**schema, "anyOf": [*inner, {"type": "null"}]}
    out = dict(schema)
    if out.get("type") == "object":
        out.pop("required", None)
        if "properties" in out:
            out["properties"] = {k: _nullable(v) for k, v in out["properties"].items()}
        if isinstance(out.get("additionalProperties"), dict):
            out["additionalProperties"] = _nullable(out["additionalProperties"])
        return {"anyOf": [out, {"type": "null"}]}
    return {"anyOf": [out, {"type": "null"}]} if out else out


def process_schema() -> Schema:
    """The JSON Schema of a process file (``conf/process/<name>.yaml``).

    Returns
    -------
    dict
        A draft 2020-12 schema.
    """
    sections = _sections()
    return {
        "$schema": DRAFT,
        "$id": "procsim-process.schema.json",
        "title": "procsim process",
        "description": "A current process: stages, roles and staffing, arrivals, SLAs, targets.",
        **_mapping({k: sections[k] for k in (*MODEL_SECTIONS, "run")}, ("process",)),
    }


def scenario_schema() -> Schema:
    """The JSON Schema of a scenario file (``scenarios/<name>.yaml``): what it changes of the
    process it ``redesigns``; any key may be ``null`` (removed).

    Returns
    -------
    dict
        A draft 2020-12 schema.
    """
    sections = _sections()
    known = {"description": TEXT, "redesigns": NAME}
    known |= {k: _nullable(v) for k, v in sections.items()}
    return {
        "$schema": DRAFT,
        "$id": "procsim-scenario.schema.json",
        "title": "procsim scenario (redesign)",
        "description": "A redesign: the changes it makes to the process it redesigns.",
        **_mapping(_only(SCENARIO_KEYS, known), ("redesigns",)),
    }


def experiment_schema() -> Schema:
    """The JSON Schema of an experiment file (``experiments/<name>.yaml``).

    Returns
    -------
    dict
        A draft 2020-12 schema.
    """
    scalar = {"type": ["string", "number", "boolean"]}
    known = {
        "description": TEXT,
        "process": NAME,
        "overrides": {"type": "array", "items": TEXT},
        "sweep": {"type": "object", "additionalProperties": {"anyOf": [
            {"type": "array", "items": scalar}, TEXT]}},
    }  # fmt: skip
    return {
        "$schema": DRAFT,
        "$id": "procsim-experiment.schema.json",
        "title": "procsim experiment",
        "description": "A named study: a process, overrides and a sweep.",
        **_mapping(_only(EXPERIMENT_KEYS, known)),
    }


#: File name -> schema builder, as ``procsim schema`` writes them.
SCHEMAS = {
    "procsim-process.schema.json": process_schema,
    "procsim-scenario.schema.json": scenario_schema,
    "procsim-experiment.schema.json": experiment_schema,
}
