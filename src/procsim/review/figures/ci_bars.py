"""Bars with CI whiskers from the ``summary`` table: one group per stage, role or SLA and one
bar per scenario.

Shared by the waiting (:mod:`~procsim.review.figures.stages`), utilization and SLA
attainment figures, in the style of :mod:`~procsim.review.figures.style`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import new_figure

_ERR = {"ecolor": "#222222", "elinewidth": 0.9}


def metric_rows(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric (NaN means included: they are drawn as 'n/a')."""
    return summary[summary["metric"] == metric]


@dataclass(frozen=True)
class GroupedBars:
    """One metric of the ``summary`` table, ready to draw as grouped bars.

    Attributes
    ----------
    rows
        The metric's rows.
    scenarios
        Their scenarios in order, the current process first.
    colors
        Scenario -> colour.
    entities
        The groups top to bottom: the preferred order first, then order of appearance.
    """

    rows: pd.DataFrame
    scenarios: list[str]
    colors: dict[str, str]
    entities: list[str]

    def figure(
        self,
        entities: Sequence[str] | None = None,
        *,
        scale: float = 1.0,
        absent: str = "such entity",
        per_group: float = 0.32,
    ) -> tuple[Figure, Axes]:
        """A figure tall enough for a group of bars per entity (``per_group`` inches each,
        more with many scenarios) with the bars drawn: one group per entity (all of them by
        default), values times ``scale``, ``no <absent>`` where a scenario lacks one."""
        shown = self.entities if entities is None else entities
        k = len(self.scenarios)
        fig = new_figure(max(2.6, 1.6 + per_group * len(shown) * max(1.0, 0.55 * k)))
        ax = fig.add_subplot()
        height = 0.8 / k
        for j, s in enumerate(self.scenarios):
            found = self.rows[self.rows["scenario"] == s].to_dict("records")
            by_entity = {str(r["entity"]): r for r in found}
            for i, entity in enumerate(shown):
                y = i + (j - (k - 1) / 2) * height
                _draw_bar(ax, y, height, by_entity.get(entity), self.colors[s], scale, absent)
        ax.set_yticks(range(len(shown)), shown)
        spare = max(3 - len(shown), 0) / 2  # a lone group keeps a normal bar thickness
        ax.set_ylim(len(shown) - 0.5 + spare, -0.5 - spare)
        ax.grid(axis="y", visible=False)
        return fig, ax

    def patches(self) -> list[Any]:
        """Legend swatches, one per scenario in its colour."""
        return [Patch(color=self.colors[s]) for s in self.scenarios]


def grouped_bars(
    summary: pd.DataFrame,
    metric: str,
    colors: Mapping[str, str] | None,
    preferred: Sequence[str] | None = None,
) -> GroupedBars:
    """The rows of ``metric``, its scenarios and their colours (``colors``, else
    :func:`~procsim.review.figures.scenarios.scenario_colors`), and its entities with those
    in ``preferred`` first, in that order."""
    rows = metric_rows(summary, metric)
    scenarios = scenario_order(rows)
    present = list(dict.fromkeys(str(e) for e in rows["entity"]))
    entities = [e for e in (preferred or []) if e in present] + [
        e for e in present if e not in (preferred or [])
    ]
    return GroupedBars(rows, scenarios, colors_for(colors, scenarios), entities)


def _draw_bar(
    ax: Axes,
    y: float,
    height: float,
    r: Mapping[Hashable, Any] | None,
    color: str,
    scale: float,
    absent: str,
) -> None:
    """One scenario's bar of one group, with its CI whisker; text where there is no bar."""
    if r is None:  # the scenario has no such stage or role
        ax.text(0, y, f" no {absent}", va="center", ha="left", fontsize=9, color="#666666")
        return
    mean = float(r["mean"]) * scale
    if not math.isfinite(mean):
        ax.text(0, y, " n/a", va="center", ha="left", fontsize=9, color="#444444")
        return
    low, high = float(r["ci_low"]) * scale, float(r["ci_high"]) * scale
    err = None
    if math.isfinite(low) and math.isfinite(high):
        err = [[max(mean - low, 0.0)], [max(high - mean, 0.0)]]
    ax.barh(y, mean, height=height * 0.92, color=color, xerr=err, error_kw=_ERR)
    if mean == 0:  # no bar to see: say so
        ax.text(0, y, " 0", va="center", ha="left", fontsize=9, color="#666666")
