"""The staffing week figure: demand (arrivals per hour) and the head count on duty per role
over an ordinary week, per scenario.

Reads the model descriptions of ``run.json`` (drawn by
:mod:`~procsim.review.figures.run_figures`, and by the fit report for a fitted process).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from procsim.review.figures.scenarios import colors_for
from procsim.review.figures.style import WIDTH, legend_below, styled, week_axis

#: A week as a step function: hours since Monday 00:00 and the values from each hour on.
_Step = tuple[np.ndarray, np.ndarray]


def _step(week: Mapping[str, Any]) -> _Step:
    """(hours, values) of a weekly step function, closed at the end of the week."""
    hours = np.asarray(week.get("hours", [0.0]), dtype=float)
    values = np.asarray(week.get("values", [0.0]), dtype=float)
    return np.r_[hours, 168.0], np.r_[values, values[-1:]]


def week_varies(models: Mapping[str, Mapping[str, Any]]) -> bool:
    """True when any scenario has shifts or an arrival rate that changes over the week."""
    for m in models.values():
        if len(set(_mapping_of(m.get("arrivals_per_hour")).get("values", []))) > 1:
            return True
        if any(r.get("shifts") for r in m.get("roles", [])):
            return True
    return False


def _mapping_of(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@styled
def plot_staffing_week(
    models: Mapping[str, Mapping[str, Any]],
    *,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Demand and staff over an ordinary week: arrivals per hour and head count on duty.

    The first panel is the arrival rate by hour of week; one panel follows per role whose
    head count changes over the week (shifts) or differs between scenarios, with a line per
    scenario, so peak-hour staff can be checked against the peaks of demand.

    Parameters
    ----------
    models
        Scenario -> model description (``run.json``'s ``models``, see
        :func:`procsim.study.api.describe_model`): ``arrivals_per_hour`` and the roles'
        ``on_duty_week``, each ``{"hours": [...], "values": [...]}``.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        The demand panel, then a panel per role drawn.
    """
    scenarios = list(models)
    col = colors_for(colors, scenarios)
    weeks = _staff_weeks(models)
    roles = [
        name
        for name, per in weeks.items()
        if any(len(set(v.tolist())) > 1 for _, v in per.values())
        or len({tuple(v.tolist()) for _, v in per.values()}) > 1
    ]
    panels = 1 + len(roles)
    fig = Figure(figsize=(WIDTH, 1.2 + 1.35 * panels), layout="constrained")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    _draw_demand(axes[0], models, col)
    for ax, role in zip(axes[1:], roles, strict=True):
        _draw_staff(ax, role, weeks[role], scenarios, col)
    handles: list[Any] = [Line2D([], [], color=col[s], lw=1.6) for s in scenarios]
    last = axes[-1]
    week_axis(last)
    last.set_xlabel("day of an ordinary week (closed days and holidays not shown)")
    legend_below(fig, handles, scenarios)
    return fig


def _staff_weeks(models: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, _Step]]:
    """Role -> scenario -> head count on duty over the week, for the roles that say."""
    weeks: dict[str, dict[str, _Step]] = {}
    for s, m in models.items():
        for r in m.get("roles", []):
            week = _mapping_of(r.get("on_duty_week"))
            if week:
                weeks.setdefault(str(r["name"]), {})[s] = _step(week)
    return weeks


def _draw_demand(ax: Axes, models: Mapping[str, Mapping[str, Any]], col: Mapping[str, str]) -> None:
    """The arrival rate by hour of week, a line per scenario whose demand differs."""
    scenarios = list(models)
    for i, s in enumerate(scenarios):
        week = _mapping_of(models[s].get("arrivals_per_hour"))
        if not week:
            continue
        h, v = _step(week)
        # Same demand in every scenario: one line, drawn once, in the current process's colour.
        same = i > 0 and all(
            _mapping_of(models[o].get("arrivals_per_hour")) == week for o in scenarios[:i]
        )
        if not same:
            ax.step(h, v, where="post", color=col[s], lw=1.4)
    ax.set_ylabel("arrivals\nper hour")
    ax.set_ylim(bottom=0)
    ax.set_title("Demand and staff on duty over a week")


def _draw_staff(
    ax: Axes,
    role: str,
    per: Mapping[str, _Step],
    scenarios: list[str],
    col: Mapping[str, str],
) -> None:
    """One role's head count on duty over the week, a line per scenario."""
    for k, s in enumerate(scenarios):
        if s not in per:
            continue
        h, v = per[s]
        offset = 0.04 * k  # overlapping lines stay visible side by side
        ax.step(h, v + offset, where="post", color=col[s], lw=1.4)
    top = max(float(v.max()) for _, v in per.values())
    ax.set_ylim(0, top + 0.8)
    ax.set_ylabel(f"{role}\non duty")
    # The default locator of an axis is a MaxNLocator: whole head counts as ticks.
    cast(MaxNLocator, ax.yaxis.get_major_locator()).set_params(integer=True)
