"""The utilization figure: each role's busy share of its paid time per scenario, with CIs and
the line above which a role is highly loaded.

A figure of the ``summary`` table, drawn for a run by
:mod:`~procsim.review.figures.run_figures`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from procsim.review.figures.ci_bars import grouped_bars
from procsim.review.figures.style import PERCENT, ci_label, legend_below, styled

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
        One axes: a group of bars per role, the high-load share dashed.
    """
    bars = grouped_bars(summary, "utilization", colors, roles)
    fig, ax = bars.figure(scale=100.0, absent="such role")
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
    legend_below(fig, bars.patches(), bars.scenarios)
    return fig
