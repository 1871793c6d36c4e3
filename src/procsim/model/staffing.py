"""Staffing and roles: the ``staffing`` and ``roles`` sections -> the model's roles.

Part of validation (:mod:`procsim.model.validate` assembles it): each staffed role becomes a
:class:`~procsim.model.process.Role` with its head count, or a weekly shift table read by
:mod:`procsim.model.shifts`, and from ``roles`` its cost per hour, description and whether it
preempts. A role given a cost but no head count is reported, with a hint when a scenario
removed its head count. The roles feed the stage checks (:mod:`procsim.model.stages`), which
name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procsim.errors import did_you_mean
from procsim.model.calendar import Calendar, WeeklyProfile
from procsim.model.issues import Collector, short
from procsim.model.process import Role
from procsim.model.shifts import parse_shifts

ROLE_KEYS = ("cost_per_hour", "description", "preemptive")
STAFFING_KEYS = ("shifts",)


@dataclass(frozen=True)
class StaffingSections:
    """The ``staffing`` and ``roles`` sections as given, with their null entries taken out.

    Attributes
    ----------
    head_counts
        ``staffing``: role -> head count or shifts, in the order given (the roles' ids).
    roles
        ``roles``: role -> cost per hour, description, preemptive.
    removed
        Roles whose head count is null: a scenario's way to take a role out.
    """

    head_counts: dict[str, Any]
    roles: dict[str, Any]
    removed: frozenset[str]


def read_staffing(config: Mapping[str, Any], c: Collector) -> StaffingSections:
    """The ``staffing`` and ``roles`` mappings of a config, checked to be mappings.

    Parameters
    ----------
    config
        The whole config mapping.
    c
        Collects every problem found.

    Returns
    -------
    StaffingSections
    """
    staffing = c.mapping(
        config.get("staffing"), "staffing", required=False, example="{reviewer: 3}"
    )
    # A role set to null is removed (the scenario way); say so where it is still used.
    removed = frozenset(k for k, v in staffing.items() if v is None)
    staffing = {k: v for k, v in staffing.items() if v is not None}
    roles_cfg = c.mapping(config.get("roles"), "roles", required=False)
    roles_cfg = {k: v for k, v in roles_cfg.items() if v is not None}
    return StaffingSections(staffing, roles_cfg, removed)


def build_roles(sections: StaffingSections, calendar: Calendar, c: Collector) -> list[Role]:
    """One role per staffed name, with its head count or shifts and its ``roles`` entry.

    Parameters
    ----------
    sections
        The sections read by :func:`read_staffing`.
    calendar
        The process calendar, for shift tables.
    c
        Collects every problem found.

    Returns
    -------
    list of Role
        In the order of ``staffing`` (a role's id is its place).
    """
    roles: list[Role] = []
    for rid, name in enumerate(sections.head_counts):
        rc = c.mapping(sections.roles.get(name), f"roles.{name}", required=False, allowed=ROLE_KEYS)
        cost = 0.0
        if rc.get("cost_per_hour") is not None:
            cost = c.number(rc["cost_per_hour"], f"roles.{name}.cost_per_hour", minimum=0) or 0.0
        preemptive = rc.get("preemptive", False)
        if not isinstance(preemptive, bool):
            c.add(f"roles.{name}.preemptive", "must be true or false", "a boolean",
                  short(preemptive))  # fmt: skip
            preemptive = False
        servers, shifts = _head_count(sections.head_counts[name], f"staffing.{name}", calendar, c)
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
    _roles_without_head_count(sections, c)
    return roles


def _roles_without_head_count(sections: StaffingSections, c: Collector) -> None:
    """A ``roles`` entry must name a staffed role: a cost alone staffs nobody."""
    for name in sections.roles:
        if name in sections.removed:
            c.add(
                f"roles.{name}",
                "role has a cost but its head count is null (removed)",
                "a head count under staffing",
                f"staffing.{name}: null",
                f"a role needs a head count, e.g. staffing.{name}=1; to remove the role, set "
                f"roles.{name} to null too (in a scenario) and give its stages another role",
            )
        elif name not in sections.head_counts:
            staffing = sections.head_counts
            c.add(
                f"roles.{name}",
                "role has a cost but no head count",
                "a matching entry under staffing",
                "none",
                did_you_mean(name, staffing) if staffing else f"add staffing.{name}=1",
            )


def _head_count(
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
