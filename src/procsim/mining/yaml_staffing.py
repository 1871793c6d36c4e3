"""Writing the ``roles:`` and ``staffing:`` sections of a fitted config.

Part of the YAML writer (:func:`procsim.mining.yaml_writer.write_config` puts these lines after
the process): each discovered role with its members, and its head counts by hour of week
(:mod:`procsim.mining.staffing`) as shift rows such as
``{days: mon-fri, from: "09:00", to: "17:00", count: 3}``.
"""

from __future__ import annotations

import numpy as np

from procsim.mining.process_fit import ProcessFit
from procsim.mining.week import DAY_NAMES
from procsim.mining.yaml_text import number, string


def roles_and_staffing(fit: ProcessFit) -> list[str]:
    """The lines of the ``roles:`` and ``staffing:`` sections.

    Parameters
    ----------
    fit
        The discovered process, whose roles have their members and head counts by hour of
        week.

    Returns
    -------
    list of str
        Nothing when no role was found; else a blank line first, to set the sections apart.
    """
    if not fit.roles:
        return []
    lines = ["", "roles:"]
    for r in fit.roles:
        desc = f"{len(r.members)} people ({r.source})"
        lines.append(f"  {r.key}: {{cost_per_hour: 0, description: {string(desc)}}}")
    lines.append("")
    lines.append("# Head count on duty by hour of week: each person counts as on duty from")
    lines.append("# their first start to their last end on each day they worked, averaged")
    lines.append("# over the weeks of the log and rounded.")
    lines.append("staffing:")
    for r in fit.roles:
        runs = staffing_runs(r.staffing)
        peak = float(np.max(r.on_duty)) if r.on_duty.size else 0.0
        lines.append(f"  {r.key}:   # peak mean on duty {number(peak)}")
        if not runs:
            lines.append("    1")
            continue
        lines.append("    shifts:")
        for days, a_h, b_h, count in runs:
            lines.append(
                f"      - {{days: {string(days)}, from: {_clock(a_h)}, "
                f"to: {_clock(b_h)}, count: {count}}}"
            )
    return lines


def _clock(hour: int) -> str:
    return f'"{hour:02d}:00"'


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
