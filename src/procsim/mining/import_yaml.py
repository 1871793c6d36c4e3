"""Writing an imported Prosimos model as a procsim process config that reads like a
hand-written one: a header saying where it came from and what was approximated, a comment
per stage naming its BPMN element and how its duration was made, roles with their pools,
staffing (head counts, or shifts from the calendars), arrivals and a run length.

Called by :func:`procsim.mining.model_import.import_model`, which validates the text.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from procsim.files import file_sha256
from procsim.mining.prosimos_params import DAYS, Period
from procsim.mining.yaml_text import printable, scalar, string

if TYPE_CHECKING:
    from procsim.mining.model_import import ImportedModel, ImportedRole

_DAY = [d[:3].lower() for d in DAYS]


def write_import(m: ImportedModel) -> str:
    """The config text (YAML with comments)."""
    lines = ["# @package _global_"]
    lines += _header(m)
    lines += _process(m)
    lines += _roles(m)
    lines += _arrivals(m)
    lines += [
        "run:",
        "  horizon: 8w                 # Prosimos runs a number of cases: run.cases=N does too",
        "  warmup: 1w",
    ]
    return "\n".join(printable(line) for line in lines) + "\n"


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 96 - len(indent))]


def _header(m: ImportedModel) -> list[str]:
    lines = [
        f"# Imported by procsim-import from the Prosimos/Simod model {m.bpmn.name} + "
        f"{m.params_path.name}.",
        f"# BPMN SHA-256: {file_sha256(m.bpmn)}",
        f"# parameters SHA-256: {file_sha256(m.params_path)}",
        f"# Times in {m.time_unit} (Prosimos' are seconds).",
    ]
    if m.notes:
        lines.append("# What procsim approximates or leaves out:")
        for n in m.notes:
            wrapped = textwrap.wrap(n, 92)
            lines += [f"#  - {wrapped[0]}"] + [f"#    {w}" for w in wrapped[1:]]
    return lines


def _process(m: ImportedModel) -> list[str]:
    lines = [
        "process:",
        f"  name: {string(m.name)}",
        "  description: "
        + string(f"Imported from the Prosimos/Simod model {m.bpmn.name} ({m.params_path.name})."),
        f"  time_unit: {m.time_unit}",
        '  calendar: {start: "2024-01-01"}   # a Monday; Prosimos models have no date',
        f"  start: {m.routing.start}",
        "  stages:",
    ]
    for st in m.routing.stages:
        imp = m.stages[st.key]
        lines.append(f"    {st.key}:")
        if st.node is not None:
            lines.append(f"      description: {string(st.node.name or st.node.label)}")
            lines.append(f"      # BPMN {st.node.kind} {st.node.id}")
        else:
            lines.append(f"      description: {string(st.description)}")
        if imp.role is not None:
            lines.append(f"      role: {imp.role}")
        else:
            why = {
                "instant": "takes no time in the model",
                "routing": "a routing step",
                "event": "an intermediate event: a delay",
                "missing": "no durations given",
            }
            lines.append(f"      role: null                  # {why.get(imp.source, '')}")
        if imp.duration is None:
            lines.append("      duration: 0")
        else:
            lines += _comment(
                "duration: "
                + imp.duration.note
                + ("" if imp.duration.exact else " (approximated)"),
                "      ",
            )
            lines.append(f"      duration: {scalar(imp.duration.dist)}")
        lines.append(f"      value: {'value_adding' if imp.source == 'task' else 'necessary'}")
        nxt = st.next
        if "parallel" in nxt:
            lines.append(
                f"      next: {{parallel: {scalar(nxt['parallel'])}, join: {nxt['join']}}}"
            )
        elif len(nxt) == 1 and next(iter(nxt.values())) == 1:
            lines.append(f"      next: {next(iter(nxt))}")
        else:
            lines.append(f"      next: {scalar(nxt)}")
    return lines


def _roles(m: ImportedModel) -> list[str]:
    if not m.roles:
        return []
    lines = ["roles:"]
    for r in m.roles:
        lines.append(
            f"  {r.key}: {{cost_per_hour: {scalar(round(r.cost_per_hour, 4))}, "
            f"description: {string(f'Pool {r.pool}: {r.people} people')}}}"
        )
    lines.append("staffing:")
    for r in m.roles:
        lines += _staffing(r)
    return lines


def _staffing(r: ImportedRole) -> list[str]:
    if not r.shifts:
        return [f"  {r.key}: {r.people}                 # always on duty (24/7 calendars)"]
    lines = [f"  {r.key}:", "    shifts:                       # from the resources' calendars"]
    for periods, count in r.shifts:
        for p in periods:
            lines.append(
                f'      - {{days: {_days(p)}, from: "{_clock(p.begin)}", '
                f'to: "{_clock(p.end)}", count: {count}}}'
            )
    return lines


def _arrivals(m: ImportedModel) -> list[str]:
    lines = ["arrivals:"]
    lines += _comment(m.arrival_note, "  ")
    if "interarrival" in m.arrivals:
        lines.append(f"  interarrival: {scalar(m.arrivals['interarrival'])}")
        return lines
    periods: list[Period] = m.arrivals["rate"]  # type: ignore[assignment]
    per_hour = float(m.arrival_note.split()[0])
    lines.append("  rate:")
    day_sets = [_day_set(p) for p in periods]
    if sum(len(d) for d in day_sets) == len(set().union(*day_sets)):  # no day in two periods
        for p in periods:
            lines.append(
                f'    {_days(p)}: [{{from: "{_clock(p.begin)}", to: "{_clock(p.end)}", '
                f"rate: {scalar(per_hour)}}}]"
            )
        return lines
    by_day: dict[str, list[str]] = {}
    for p in periods:
        day = p.first
        while True:
            by_day.setdefault(_DAY[day], []).append(
                f'{{from: "{_clock(p.begin)}", to: "{_clock(p.end)}", rate: {scalar(per_hour)}}}'
            )
            if day == p.last:
                break
            day = (day + 1) % 7
    for name in _DAY:
        if name in by_day:
            lines.append(f"    {name}: [{', '.join(by_day[name])}]")
    return lines


def _day_set(p: Period) -> set[int]:
    out, day = {p.first}, p.first
    while day != p.last:
        day = (day + 1) % 7
        out.add(day)
    return out


def _days(p: Period) -> str:
    return _DAY[p.first] if p.first == p.last else f"{_DAY[p.first]}-{_DAY[p.last]}"


def _clock(hours: float) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
