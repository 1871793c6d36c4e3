"""Targets: the ``targets`` section (and the SLAs' target shares) -> bounds on KPIs.

Part of validation (:mod:`procsim.model.validate` assembles it last, once stages, roles, SLAs
and case types are known): each target names a KPI of :mod:`procsim.model.kpi_catalogue`, the
entity it is measured on where the KPI is per stage, role, SLA or case type, and one bound
(``max`` or ``min``). Every problem is collected with its path. The targets feed the model,
and the study reports whether each redesign meets them.
"""

from __future__ import annotations

from typing import Any

from procsim.errors import did_you_mean
from procsim.model.issues import Collector, short
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.model.process import Sla, Target

TARGET_KEYS = ("kpi", "of", "max", "min")


def build_targets(
    value: object, slas: list[Sla], entities: dict[str, list[str]], unit: str, c: Collector
) -> list[Target]:
    """The SLAs' target shares, then the ``targets`` section, as bounds on KPIs.

    Parameters
    ----------
    value
        The ``targets`` mapping of the config: name -> ``{kpi, of, max | min}``.
    slas
        The SLAs built; one with a ``target`` share becomes a target on its attainment.
    entities
        The names a per-entity KPI may be measured on: ``stage``, ``role``, ``sla`` and
        ``case_type`` -> names.
    unit
        The process time unit, for bounds on time KPIs.
    c
        Collects every problem found.

    Returns
    -------
    list of Target
        The SLAs' first, then the section's in the order given.
    """
    out: list[Target] = []
    for sla in slas:
        if sla.target is not None:
            out.append(Target(f"sla {sla.name}", "sla_attainment", sla.name, ">=", sla.target))
    example = "{kpi: cycle_time_mean, max: 24h}"
    for name, path, t in c.entries(value, "targets", allowed=TARGET_KEYS, example=example):
        target = _target(name, t, path, entities, unit, c)
        if target is not None:
            out.append(target)
    return out


def _target(
    name: str,
    t: dict[str, Any],
    path: str,
    entities: dict[str, list[str]],
    unit: str,
    c: Collector,
) -> Target | None:
    """One target: a known KPI, the entity it is measured on, and exactly one bound."""
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
        return None
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
            return None
    elif entity is not None:
        c.add(f"{path}.of", f"{kpi.name} is a process-wide KPI", "no 'of'", short(entity))
        return None
    has_max, has_min = t.get("max") is not None, t.get("min") is not None
    if has_max == has_min:
        c.add(
            path,
            "a target needs exactly one bound",
            "max: <value> or min: <value>",
            "both" if has_max else "neither",
        )
        return None
    key = "max" if has_max else "min"
    bound = c.number(t[key], f"{path}.{key}", time_unit=unit if kpi.unit == "time" else None)
    if bound is None:
        return None
    return Target(name, kpi.name, str(entity or ""), "<=" if has_max else ">=", bound)
