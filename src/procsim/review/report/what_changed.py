"""What changed: a redesign's resolved config against the current process's, as rows for
people.

Reads two resolved configs (``resolved/<label>.yaml`` of a run folder, through
:mod:`~procsim.review.report.config_values`); its table goes into the report's "What changed"
section (:mod:`~procsim.review.report.build`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from procsim.model.units import UNIT_HOURS, canonical_unit, parse_time
from procsim.review.report.config_values import (
    DASH,
    as_text,
    mapping,
    present_entries,
    section,
)

#: One changed item: ``(area, item, current, proposed)``, all text.
_Row = tuple[str, str, str, str]
#: A value in a form that compares equal when it means the same (times in hours).
_Key = Callable[[Any, str], Any]
#: The entries of one section of a config (``sla``, ``run``, ...).
_Entries = Callable[[Mapping[str, Any]], dict[str, Any]]
#: Items named for people where the config's key is terse: ``(area, key)`` -> name.
_ITEM_NAMES = {("arrivals", "interarrival"): "interarrival time"}
#: Distribution parameters that are times: compared in hours, whatever unit they were written in.
_TIME_PARAMS = frozenset({"mean", "low", "high", "mode", "sd", "scale", "value", "values", "loc"})


def what_changed(current: Mapping[str, Any], proposed: Mapping[str, Any]) -> pd.DataFrame:
    """Diff a redesign's resolved config against the current process, for people.

    Parameters
    ----------
    current, proposed
        Model configs as saved in ``resolved/<label>.yaml`` (sections ``process``, ``roles``,
        ``staffing``, ``arrivals``, ``sla``, ``targets``, ``run``). ``null`` entries (what a
        scenario removed) count as absent; ``next: b`` equals ``next: {b: 1.0}``; times equal
        after unit conversion (``60min`` is ``1h``); defaults (``value: necessary``, ``cost: 0``)
        equal their absence.

    Returns
    -------
    pandas.DataFrame
        Columns ``area, item, current, proposed`` (all text; ``—`` where something is absent),
        in the order: process, stages (removed, added, changed role / duration / value / cost),
        routing, staffing, role cost, arrivals, SLA, target, run. Empty when nothing differs.

    Examples
    --------
    >>> a = {"staffing": {"clerk": 1}}
    >>> what_changed(a, {"staffing": {"clerk": 2}}).values.tolist()
    [['staffing', 'clerk', '1', '2']]
    """
    cp, pp = section(current, "process"), section(proposed, "process")
    units = (_unit(cp), _unit(pp))
    rows: list[_Row] = []
    if units[0] != units[1]:
        rows.append(("process", "time unit", *units))
    rows += _stage_changes(cp, pp, units)
    rows += _staffing_changes(current, proposed)
    keyed: list[tuple[str, _Entries, _Key, Callable[[Any], str]]] = [
        ("arrivals", lambda c: section(c, "arrivals"), _dist_key, _dist_text),
        ("SLA", lambda c: present_entries(c.get("sla")), _sla_key, _sla_text),
        ("target", lambda c: present_entries(c.get("targets")), _target_key, _target_text),
        ("run", lambda c: section(c, "run"), _as_is, as_text),
    ]
    for area, entries, key, text in keyed:
        rows += _keyed_changes(area, entries(current), entries(proposed), units, key, text)
    return pd.DataFrame(rows, columns=["area", "item", "current", "proposed"])


def _stage_changes(
    cp: Mapping[str, Any], pp: Mapping[str, Any], units: tuple[str, str]
) -> list[_Row]:
    """The start, the stages removed and added, the changes of the stages in both, and their
    routing, of two ``process`` sections."""
    rows: list[_Row] = []
    sc, sp = present_entries(cp.get("stages")), present_entries(pp.get("stages"))
    start_c = str(cp.get("start") or next(iter(sc), DASH))
    start_p = str(pp.get("start") or next(iter(sp), DASH))
    if start_c != start_p:
        rows.append(("routing", "start", start_c, start_p))
    for name, stage in sc.items():
        if name not in sp:
            rows.append(("stages", name, _stage_text(stage), "removed"))
    for name, stage in sp.items():
        if name not in sc:
            rows.append(("stages", name, DASH, "added: " + _stage_text(stage)))
    both = [name for name in sc if name in sp]
    for name in both:
        rows += _changes_of_stage(name, mapping(sc[name]), mapping(sp[name]), units)
    for name in both:
        ea, eb = _edges(mapping(sc[name]).get("next")), _edges(mapping(sp[name]).get("next"))
        for target in _union(ea, eb):
            if not _same(ea.get(target), eb.get(target)):
                rows.append(
                    (
                        "routing",
                        f"{name} → {target}",
                        as_text(ea.get(target)),
                        as_text(eb.get(target)),
                    )
                )
    return rows


def _changes_of_stage(
    name: str, a: Mapping[str, Any], b: Mapping[str, Any], units: tuple[str, str]
) -> list[_Row]:
    """Role, duration, value and cost of one stage in both configs, where they differ."""
    rows: list[_Row] = []
    if a.get("role") != b.get("role"):
        rows.append(("stages", f"{name}: role", _role_text(a), _role_text(b)))
    if _dist_key(a.get("duration"), units[0]) != _dist_key(b.get("duration"), units[1]):
        rows.append(
            (
                "stages",
                f"{name}: duration",
                _dist_text(a.get("duration")),
                _dist_text(b.get("duration")),
            )
        )
    value_a, value_b = a.get("value") or "necessary", b.get("value") or "necessary"
    if value_a != value_b:
        rows.append(("stages", f"{name}: value", str(value_a), str(value_b)))
    if not _same(a.get("cost") or 0, b.get("cost") or 0):
        rows.append(
            ("stages", f"{name}: cost", as_text(a.get("cost") or 0), as_text(b.get("cost") or 0))
        )
    return rows


def _staffing_changes(current: Mapping[str, Any], proposed: Mapping[str, Any]) -> list[_Row]:
    """Head counts of the roles (added, removed, changed), then the hourly cost of the roles
    in both configs."""
    rows: list[_Row] = []
    staff_c = present_entries(current.get("staffing"))
    staff_p = present_entries(proposed.get("staffing"))
    roles_c, roles_p = present_entries(current.get("roles")), present_entries(proposed.get("roles"))
    for role in _union(staff_c, staff_p):
        a_n, b_n = staff_c.get(role), staff_p.get(role)
        if a_n is None or b_n is None:
            rows.append(
                (
                    "staffing",
                    role,
                    _staff_text(a_n, roles_c.get(role)),
                    _staff_text(b_n, roles_p.get(role)),
                )
            )
        elif not _same(a_n, b_n):
            rows.append(("staffing", role, as_text(a_n), as_text(b_n)))
    for role in staff_c:
        if role in staff_p:
            cost_a = mapping(roles_c.get(role)).get("cost_per_hour") or 0
            cost_b = mapping(roles_p.get(role)).get("cost_per_hour") or 0
            if not _same(cost_a, cost_b):
                rows.append(
                    (
                        "role cost",
                        role,
                        f"{as_text(cost_a)} per hour",
                        f"{as_text(cost_b)} per hour",
                    )
                )
    return rows


def _keyed_changes(
    area: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    units: tuple[str, str],
    key: _Key,
    text: Callable[[Any], str],
) -> list[_Row]:
    """The entries of one section, current ``a`` and proposed ``b``, whose ``key`` differs,
    as ``text``."""
    rows: list[_Row] = []
    for name in _union(a, b):
        a_v, b_v = a.get(name), b.get(name)
        if key(a_v, units[0]) != key(b_v, units[1]):
            item = _ITEM_NAMES.get((area, name), str(name))
            rows.append((area, item, text(a_v), text(b_v)))
    return rows


def _union(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """The keys of ``a``, then those only ``b`` has."""
    return [*a, *(k for k in b if k not in a)]


def _as_is(value: Any, unit: str) -> Any:
    return value


def _unit(process: Mapping[str, Any]) -> str:
    raw = process.get("time_unit")
    return (canonical_unit(raw) if isinstance(raw, str) else None) or "hours"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _hours(value: Any, unit: str) -> Any:
    """A time parameter in hours (numbers are in ``unit``); other values unchanged."""
    if isinstance(value, list):
        return [_hours(v, unit) for v in value]
    try:
        return round(parse_time(value, unit) * UNIT_HOURS[unit], 9)
    except (ValueError, KeyError):
        return value


def _dist_key(value: Any, unit: str) -> Any:
    """A distribution in a comparable form (times in hours)."""
    if not isinstance(value, Mapping):
        return _hours(value, unit) if value is not None else None
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = str(k)
        if key == "dist":
            out[key] = str(v).lower()
        elif key in _TIME_PARAMS:
            out[key] = _hours(v, unit)
        else:
            out[key] = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
    return tuple(sorted(out.items(), key=lambda kv: kv[0]))


def _dist_text(value: Any) -> str:
    """``lognormal(mean=2h, cv=1)`` as the analyst wrote it."""
    if not isinstance(value, Mapping):
        return as_text(value)
    params = []
    for k, v in value.items():
        if k == "dist":
            continue
        if k == "values" and isinstance(v, list):
            params.append(f"n={len(v)} values")
        else:
            params.append(f"{k}={as_text(v)}")
    return f"{value.get('dist', '?')}({', '.join(params)})"


def _edges(value: Any) -> dict[str, float]:
    """Routing as ``{successor: probability}``; ``end`` stands for leaving the process."""
    if value is None:
        return {"end": 1.0}
    if isinstance(value, str):
        return {"end" if value == "exit" else value: 1.0}
    edges = {("end" if str(k) == "exit" else str(k)): v for k, v in present_entries(value).items()}
    return {k: float(v) if isinstance(v, int | float) else v for k, v in edges.items()} or {
        "end": 1.0
    }


def _edges_text(value: Any) -> str:
    edges = _edges(value)
    if len(edges) == 1:
        return next(iter(edges))
    return ", ".join(f"{k} {as_text(v)}" for k, v in edges.items())


def _role_text(stage: Mapping[str, Any]) -> str:
    role = stage.get("role")
    return str(role) if role is not None else "none (a delay)"


def _stage_text(stage: Any) -> str:
    s = mapping(stage)
    role = s.get("role")
    who = str(role) if role is not None else "delay"
    return f"{who}, {_dist_text(s.get('duration'))}, next: {_edges_text(s.get('next'))}"


def _staff_text(count: Any, role: Any) -> str:
    if count is None:
        return DASH
    cost = mapping(role).get("cost_per_hour")
    return as_text(count) + (f" at {as_text(cost)} per hour" if cost is not None else "")


def _sla_key(value: Any, unit: str) -> Any:
    if value is None:
        return None
    s = mapping(value)
    return (
        _hours(s.get("within"), unit),
        str(s.get("from") or "arrival"),
        str(s.get("to") or "completion"),
        s.get("target"),
    )


def _sla_text(value: Any) -> str:
    if value is None:
        return DASH
    s = mapping(value)
    text = (
        f"within {as_text(s.get('within'))}, {s.get('from') or 'arrival'} → "
        f"{s.get('to') or 'completion'}"
    )
    target = s.get("target")
    if isinstance(target, int | float):
        text += f", target {target * 100:g} %"
    return text


def _target_key(value: Any, unit: str) -> Any:
    if value is None:
        return None
    t = mapping(value)
    op = "max" if t.get("max") is not None else "min"
    return (t.get("kpi"), t.get("of"), op, _hours(t.get(op), unit))


def _target_text(value: Any) -> str:
    if value is None:
        return DASH
    t = mapping(value)
    name = str(t.get("kpi", "?")) + (f" of {t['of']}" if t.get("of") else "")
    if t.get("max") is not None:
        return f"{name} <= {as_text(t['max'])}"
    return f"{name} >= {as_text(t.get('min'))}"
