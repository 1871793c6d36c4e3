"""The SLA attainment figure: the share of cases that meet each SLA per scenario, with CIs
and each SLA's target.

Its bars come from the ``summary`` table and its targets from the SLAs of the run's models
(``run.json``), both read by :mod:`~procsim.review.figures.run_figures`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from procsim.review.figures.ci_bars import grouped_bars
from procsim.review.figures.style import PERCENT, ci_label, legend_below, styled


def sla_targets(models: Mapping[str, Mapping[str, Any]]) -> dict[str, float | None]:
    """SLA name -> target share over all models (``run.json`` ``models``), the first model
    that sets one giving it; None for an SLA without a target."""
    targets: dict[str, float | None] = {}
    for model in models.values():
        for sla in model.get("slas", []):
            name = str(sla["name"])
            if targets.get(name) is None:
                t = sla.get("target")
                targets[name] = float(t) if t is not None else None
    return targets


@styled
def plot_sla_attainment(
    summary: pd.DataFrame,
    *,
    targets: Mapping[str, float | None] | None = None,
    level: float = 0.95,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """SLA attainment with CI error bars per scenario, and each SLA's target.

    Parameters
    ----------
    summary
        The ``summary`` table (``sla_attainment`` rows).
    targets
        SLA name -> target share (None or missing: no target drawn).
    level
        Confidence level of the error bars, named in the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a group of bars per SLA, each target a short red line.
    """
    bars = grouped_bars(summary, "sla_attainment", colors)
    fig, ax = bars.figure(scale=100.0, absent="such SLA", per_group=0.4)
    handles = bars.patches()
    names = list(bars.scenarios)
    drawn = False
    for i, name in enumerate(bars.entities):
        target = (targets or {}).get(name)
        if target is None or not math.isfinite(target):
            continue
        ax.plot([target * 100] * 2, [i - 0.45, i + 0.45], color="#B00020", lw=2.2)
        drawn = True
    if drawn:
        handles.append(Line2D([], [], color="#B00020", lw=2.2))
        names.append("target")
    high = bars.rows["ci_high"].to_numpy(dtype=float)
    right = max(100.0, float(np.nanmax(high)) * 100 if np.isfinite(high).any() else 100.0)
    ax.set_xlim(0, right)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlabel(f"cases within the SLA, {ci_label(level)}")
    ax.set_title("SLA attainment")
    legend_below(fig, handles, names)
    return fig
