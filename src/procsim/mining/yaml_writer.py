"""Writing a discovered process as a config that reads like a hand-written one.

Sits at the end of the fitting data flow (:mod:`procsim.mining.discover` -> here ->
``conf/process``): one comment per fitted item says where it came from (sample size, chosen family,
goodness of fit), so an analyst can review and edit the file like any other process config.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import yaml

from procsim.mining.config_keys import ARRIVAL_STAGE
from procsim.mining.durations import DurationFit
from procsim.mining.process_fit import ProcessFit
from procsim.mining.routing import rounded_probabilities
from procsim.mining.week import DAY_NAMES


def _num(x: float) -> str:
    """4 significant digits, no exponent for ordinary sizes."""
    if x == 0 or not math.isfinite(x):
        return "0"
    if abs(x) < 1e-4:
        return f"{x:.3e}"  # always with a dot: YAML reads 1e-05 as text, 1.000e-05 as a number
    text = f"{x:.4g}"
    if "e" in text:
        text = f"{x:.1f}"
    return text


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    return _string(str(value))


def _string(text: str) -> str:
    """A YAML scalar: plain when YAML reads it back as this very text, else double-quoted
    (JSON strings are valid YAML): "-5", "1e5", "yes" or "null" are quoted."""
    # Starting with a letter: OmegaConf (which Hydra loads configs with) reads "1e5" as a
    # number where PyYAML does not.
    plain = text and (text[0].isalpha() or text[0] == "_")
    plain = plain and all(c.isalnum() or c in "_-" for c in text)
    if plain and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _dist(fit: DurationFit | None, constant: float) -> str:
    if fit is None:
        return _scalar({"dist": "constant", "value": constant})
    return _scalar(dict(fit.chosen.spec))


def _hhmm(hour: int) -> str:
    return f'"{hour:02d}:00"'


def write_config(fit: ProcessFit) -> str:
    """The process config (YAML text with comments) for a discovered process.

    Activities become stages with their role, fitted duration and routing. Waiting that is
    not queueing for staff becomes a pure-delay stage ``wait_<activity>`` before the
    activity (value class ``necessary``). With more than one start activity a
    zero-time stage ``arrival`` routes each new case to its first activity.

    Parameters
    ----------
    fit
        What :func:`procsim.mining.discover.discover` found.

    Returns
    -------
    str
        The file's text; ``# @package _global_`` first, as every process config.
    """
    in_block = {k for b in fit.parallel for k in b.branches}
    split_of = {b.split: b for b in fit.parallel}
    delays = {
        a.key: f"wait_{a.key}"
        for a in fit.activities
        if a.delay is not None and a.key not in in_block  # a branch starts at its activity
    }
    taken = {a.key for a in fit.activities}
    for k, v in list(delays.items()):
        while v in taken:
            v += "_"
        delays[k] = v
        taken.add(v)

    share = {a.key: a.delay_share for a in fit.activities if a.delay is not None}

    def route(probs: dict[str, float]) -> dict[str, float]:
        """Edges into an activity with a delay go through the delay in its share of cases."""
        out: dict[str, float] = {}
        for k, p in probs.items():
            if k in delays:
                out[delays[k]] = out.get(delays[k], 0.0) + p * share[k]
                out[k] = out.get(k, 0.0) + p * (1 - share[k])
            else:
                out[k] = out.get(k, 0.0) + p
        return rounded_probabilities(out)

    lines: list[str] = ["# @package _global_"]
    lines += [
        f"# Fitted by procsim-fit from {fit.source}",
        f"# {fit.cases:,} cases, {fit.events:,} events, "
        f"{fit.first:%Y-%m-%d} to {fit.last:%Y-%m-%d} (local time).",
    ]
    if fit.starts_estimated:
        lines.append(
            "# The log records completions only: start times were estimated, so durations "
            "may include waiting."
        )
    for note in fit.notes:
        lines.append("# Note: " + note)
    lines.append("process:")
    lines.append(f"  name: {_string(fit.name)}")
    lines.append(
        "  description: "
        + _string(
            f"Current process fitted from the event log {fit.source} "
            f"({fit.cases:,} cases, {fit.first:%Y-%m-%d} to {fit.last:%Y-%m-%d})."
        )
    )
    lines.append("  time_unit: hours")
    monday = (fit.first.normalize() - np.timedelta64(int(fit.first.day_of_week), "D")).date()
    lines.append(
        f"  calendar: {{start: {monday.isoformat()}}}   # the Monday of the log's first week"
    )
    starts = route(fit.start)
    if len(starts) == 1:
        lines.append(f"  start: {next(iter(starts))}")
    else:
        lines.append(f"  start: {ARRIVAL_STAGE}")
    lines.append("  stages:")
    if len(starts) > 1:
        lines.append(f"    {ARRIVAL_STAGE}:")
        lines.append('      description: "New case: routed to its first activity as in the log"')
        lines.append("      role: null")
        lines.append("      duration: 0")
        lines.append("      value: necessary")
        lines.append(f"      # next: first activities of {fit.cases:,} cases")
        lines.append(f"      next: {_scalar(starts)}")
    for a in fit.activities:
        if a.delay is not None and a.key in delays:
            wait = a.delay
            lines.append(f"    {delays[a.key]}:")
            lines.append(
                "      description: "
                + _string(f"Waiting before {a.name} that is not queueing for staff")
            )
            lines.append("      role: null")
            lines.append(
                f"      # duration: {wait.note}; {a.delay_share:.0%} of the cases wait here. "
                f"Mean wait before the activity {_num(a.wait_mean)} h, {_num(a.delay_mean)} h "
                "of it with staff free"
            )
            lines.append(f"      duration: {_dist(wait, 0.0)}")
            lines.append("      value: necessary")
            lines.append(f"      next: {a.key}")
        lines.append(f"    {a.key}:")
        lines.append(f"      description: {_string(a.name)}")
        if a.role is not None:
            lines.append(f"      role: {a.role}")
        else:
            lines.append("      role: null                  # nobody recorded: a pure delay")
        if a.batch:
            lines.append(f"      # batch: {a.batch_note}; work waits for the next release")
            lines.append(f"      batch: {{at: {_scalar(list(a.batch))}}}")
            lines.append("      duration: 0                  # released all at once")
        else:
            note = (
                a.duration.note
                if a.duration is not None
                else f"n={a.count:,}: median as a constant"
            )
            lines.append(f"      # duration: {note}")
            lines.append(f"      duration: {_dist(a.duration, a.constant)}")
        lines.append("      value: value_adding")
        block = split_of.get(a.key)
        join = next((b.join for b in fit.parallel if a.key in b.branches), None)
        if block is not None:
            lines.append(
                f"      # next: parallel work ({block.overlap:.0%} of {block.cases:,} cases "
                "with both overlap in time)"
            )
            lines.append(
                f"      next: {{parallel: {_scalar(list(block.branches))}, join: {block.join}}}"
            )
        elif join is not None:
            lines.append(f"      next: {join}                  # a parallel branch")
        else:
            nxt = route(a.next)
            lines.append(f"      # next: directly-follows over {a.count:,} instances")
            lines.append(f"      next: {_scalar(nxt)}")

    if fit.roles:
        lines.append("")
        lines.append("roles:")
        for r in fit.roles:
            desc = f"{len(r.members)} people ({r.source})"
            lines.append(f"  {r.key}: {{cost_per_hour: 0, description: {_string(desc)}}}")
        lines.append("")
        lines.append("# Head count on duty by hour of week: each person counts as on duty from")
        lines.append("# their first start to their last end on each day they worked, averaged")
        lines.append("# over the weeks of the log and rounded.")
        lines.append("staffing:")
        for r in fit.roles:
            runs = staffing_runs(r.staffing)
            peak = float(np.max(r.on_duty)) if r.on_duty.size else 0.0
            lines.append(f"  {r.key}:   # peak mean on duty {_num(peak)}")
            if not runs:
                lines.append("    1")
                continue
            lines.append("    shifts:")
            for days, a_h, b_h, count in runs:
                lines.append(
                    f"      - {{days: {_string(days)}, from: {_hhmm(a_h)}, "
                    f"to: {_hhmm(b_h)}, count: {count}}}"
                )

    lines.append("")
    lines.append("arrivals:")
    lines.append("  # cases per hour by hour of day: first events of the cases, averaged over")
    lines.append("  # the weeks of the log")
    if fit.trend is not None:
        lines.append(f"  # trend over the period: {fit.trend * 100:+.1f}% a week (not modelled)")
    lines.append("  rate:")
    for d, day in enumerate(DAY_NAMES):
        rates = [float(x) for x in fit.arrivals[d * 24 : (d + 1) * 24]]
        lines.append(f"    {day}: [{', '.join(_num(x) for x in rates)}]")
    weeks = max(1, math.ceil((fit.last - fit.first).days / 7))
    lines.append("")
    lines.append("run:")
    lines.append(f"  horizon: {weeks + 2}w   # the log's {weeks} week(s) after a warm-up")
    lines.append("  warmup: 2w")
    return "\n".join(_printable(line) for line in lines) + "\n"


def _printable(line: str) -> str:
    """Control and other non-printable characters (from activity names in comments) as
    escapes: YAML refuses them raw. Inside a double-quoted string the escape means the same
    character again."""
    if line.isprintable():
        return line
    return "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        for c in line
    )


def staffing_runs(staffing: np.ndarray) -> list[tuple[str, int, int, int]]:
    """A 168-hour head-count profile as shift rows ``(days, from_hour, to_hour, count)``.

    Days with the same 24-hour pattern share rows (``mon-fri``); each row is a run of hours
    with the same head count.

    Parameters
    ----------
    staffing
        Head count per hour of week (168 integers, Monday 00:00 first).

    Returns
    -------
    list of tuple
        Hours of nobody on duty have no row; days with nobody at all have none either.
    """
    by_pattern: dict[tuple[int, ...], list[int]] = {}
    for d in range(7):
        pattern = tuple(int(x) for x in staffing[d * 24 : (d + 1) * 24])
        if any(pattern):
            by_pattern.setdefault(pattern, []).append(d)
    rows: list[tuple[str, int, int, int]] = []
    for pattern, days in by_pattern.items():
        text = _days_text(days)
        h = 0
        while h < 24:
            count = pattern[h]
            end = h
            while end < 24 and pattern[end] == count:
                end += 1
            if count:
                rows.append((text, h, end, count))
            h = end
    return rows


def _days_text(days: list[int]) -> str:
    """``[0, 1, 2, 3, 4]`` -> ``mon-fri``; ``[0, 2]`` -> ``mon,wed``."""
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{DAY_NAMES[days[i]]}-{DAY_NAMES[days[j]]}")
        else:
            parts += [DAY_NAMES[d] for d in days[i : j + 1]]
        i = j + 1
    return ",".join(parts)
