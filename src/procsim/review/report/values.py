"""KPI values, changes and run lengths as the report writes them.

Shared by the content sections (:mod:`~procsim.review.report.evaluation`, the ranking, the
case types, the caveats, the settings); values are formatted as in the terminal table
(:func:`procsim.review.terminal.format_value`).
"""

from __future__ import annotations

import math
from typing import Any

from procsim.model.kpi_catalogue import CATALOGUE, in_points
from procsim.model.units import UNIT_HOURS
from procsim.review.report.config_values import DASH
from procsim.review.terminal import format_value, short_unit


def as_number(value: Any) -> float:
    """``value`` as a float; NaN when it is none (a missing cell, text)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def kpi_label(metric: str, entity: str) -> str:
    """The KPI's name for people, with its stage, role or SLA: ``waiting, mean [check]``."""
    kpi = CATALOGUE.get(metric)
    label = kpi.label if kpi else metric
    return label + (f" [{entity}]" if entity else "")


def value_text(metric: str, mean: Any, half: Any, unit: str) -> str:
    """``48.2 ± 1.3 h``: a mean and its CI half-width in the KPI's unit."""
    if metric not in CATALOGUE:
        return f"{as_number(mean):.4g} ± {as_number(half):.2g}"
    h = as_number(half)
    return format_value(metric, as_number(mean), h if math.isfinite(h) else None, unit)


def signed_percent(value: float) -> str:
    """``+4.2``, ``−12.0``: a change in % or pp with its sign (a true minus sign)."""
    text = f"{value:+.1f}" if abs(value) < 1000 else f"{value:+,.0f}"
    return text.replace("-", "−")


def signed(metric: str, value: float, unit: str) -> str:
    """A difference of a KPI with its sign: ``−3.50 h``, or ``+4.1 pp`` for a proportion."""
    if metric not in CATALOGUE or not math.isfinite(value):
        return f"{value:+.3g}"
    if in_points(metric):
        # A difference of two proportions, in percentage points (as every change of one).
        return f"{signed_percent(value * 100)} pp"
    text = format_value(metric, abs(value), None, unit)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def duration_text(value: Any, unit: str) -> str:
    """A run length in the model's unit, and in weeks or days when it is a whole number of
    them: ``336 h (2 weeks)``."""
    v = as_number(value)
    if not math.isfinite(v):
        return DASH
    short = short_unit(unit)
    text = f"{v:,.6g} {short}"
    hours = v * UNIT_HOURS.get(unit, 1.0)
    for name, size in (("weeks", 168.0), ("days", 24.0)):
        if hours >= size and unit != name and math.isclose(hours / size, round(hours / size)):
            return (
                f"{text} ({round(hours / size)} {name if round(hours / size) != 1 else name[:-1]})"
            )
    return text
