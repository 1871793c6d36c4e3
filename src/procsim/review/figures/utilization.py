"""The utilization figure: each role's busy share of its paid time per scenario, with CIs and
the line above which a role is highly loaded.

Reads the ``summary`` table of a run folder (drawn by
:mod:`~procsim.review.figures.run_figures`); the bars come from
:mod:`~procsim.review.figures.ci_bars`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from procsim.review.figures.ci_bars import (
    bars_height,
    entity_order,
    grouped_barh,
    metric_rows,
    scenario_patches,
)
from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import PERCENT, ci_label, legend_below, new_figure, styled

#: Utilization above which a role is marked as highly loaded.
HIGH_LOAD = 0.85


@styled
def plot_utilization(
    summary: pd.DataFrame,
    *,
    roles: Sequence[str] | None = None,
    level: float = 0.95,
    high_load: float = HIGH_LOAD,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Utilization per role with CI error bars, one bar per scenario, and a high-load line.

    Parameters
    ----------
    summary
        The ``summary`` table.
    roles
        Role order (default: order of appearance).
    level
        Confidence level of the CIs, for the axis label.
    high_load
        Share marked by a dashed line ("high load").
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    sub = metric_rows(summary, "utilization")
    scenarios = scenario_order(sub)
    col = colors_for(colors, scenarios)
    order = entity_order(sub, roles)
    fig = new_figure(bars_height(len(order), len(scenarios)))
    ax = fig.add_subplot()
    grouped_barh(ax, summary, "utilization", order, scenarios, col, 100.0, "such role")
    ax.axvline(high_load * 100, color="#B00020", ls="--", lw=1.1)
    ax.annotate(
        "high load",
        (high_load * 100, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=9,
        color="#B00020",
    )
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlabel(f"utilization (busy share of paid time), {ci_label(level)}")
    ax.set_title("Utilization per role", pad=14)
    legend_below(fig, scenario_patches(scenarios, col), scenarios)
    return fig
