"""SLAs: the ``sla`` section -> deadlines between two moments of a case.

Part of validation (:mod:`procsim.model.validate` assembles it once the stages and case types
are known): each SLA has a time allowed (``within``) from one moment (arrival, the start or end
of a stage) to another, optionally a target share met, a clock (calendar or business hours)
and the case types it applies to. Every problem is collected with its path. The SLAs feed the
model, the targets (:mod:`procsim.model.targets`, an SLA's target share is one) and the metrics.
"""

from __future__ import annotations

from typing import Any, Literal

from procsim.errors import did_you_mean
from procsim.model.calendar import WeeklyProfile
from procsim.model.issues import Collector, short
from procsim.model.process import Anchor, Sla

SLA_KEYS = ("within", "from", "to", "target", "description", "clock", "types")
CLOCKS = ("calendar", "business")


def build_slas(
    value: object,
    sid: dict[str, int],
    type_names: list[str],
    business_hours: WeeklyProfile | None,
    unit: str,
    c: Collector,
) -> list[Sla]:
    """The ``sla`` section -> the SLAs that passed their checks.

    Parameters
    ----------
    value
        The ``sla`` mapping of the config: name -> ``{within, from, to, target, clock, ...}``.
    sid
        Stage ids by name, for moments such as ``start:<stage>``.
    type_names
        The case types' names, in the order of their ids.
    business_hours
        The process's business hours (None: none defined, so no business clock).
    unit
        The process time unit.
    c
        Collects every problem found.

    Returns
    -------
    list of Sla
        In the order given; an SLA without a valid ``within`` is left out.
    """
    out: list[Sla] = []
    example = "{within: 24h, to: completion}"
    for name, path, s in c.entries(value, "sla", allowed=SLA_KEYS, example=example):
        within = c.number(
            s.get("within"), f"{path}.within", minimum=0, strict=True, time_unit=unit, what="a time"
        )
        start = _anchor(s.get("from"), f"{path}.from", "arrival", sid, c)
        end = _anchor(s.get("to"), f"{path}.to", "completion", sid, c)
        target = _target_share(s, path, c)
        clock = _clock(s.get("clock", "calendar"), path, business_hours, c)
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
                    clock,
                    types,
                )
            )
    return out


def _target_share(s: dict[str, Any], path: str, c: Collector) -> float | None:
    """The share of cases that should meet the SLA (None: no target)."""
    if s.get("target") is None:
        return None
    target = c.number(s["target"], f"{path}.target", minimum=0, what="a share (0..1)")
    if target is not None and target > 1:
        c.add(
            f"{path}.target",
            "a share above 1",
            "a share in [0, 1] (0.9 = 90%)",
            f"{target:g}",
            f"did you mean {target / 100:g}?",
        )
        return None
    return target


def _clock(
    clock: object, path: str, business_hours: WeeklyProfile | None, c: Collector
) -> Literal["calendar", "business"]:
    """The clock the SLA's time runs on (the calendar clock when the given one is wrong)."""
    if clock not in CLOCKS:
        c.add(f"{path}.clock", "unknown clock", "calendar or business", short(clock),
              did_you_mean(str(clock), ["calendar", "business"]))  # fmt: skip
    elif clock == "business" and business_hours is None:
        c.add(
            f"{path}.clock",
            "a business-hours clock needs the process's business hours",
            "process.business_hours, e.g. {mon-fri: '09:00-17:00'}",
            "none defined",
        )
    return "business" if clock == "business" else "calendar"


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
