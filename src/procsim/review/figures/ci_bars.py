"""Bars with CI whiskers from the ``summary`` table: one group per stage, role or SLA and one
bar per scenario.

Shared by the waiting (:mod:`~procsim.review.figures.stages`), utilization and SLA
attainment figures; draws on :mod:`~procsim.review.figures.style`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

_ERR = {"ecolor": "#222222", "elinewidth": 0.9}


def metric_rows(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric (NaN means included: they are drawn as 'n/a')."""
    return summary[summary["metric"] == metric]


def entity_order(rows: pd.DataFrame, preferred: Sequence[str] | None = None) -> list[str]:
    """The entities of ``rows``: those in ``preferred`` first, in its order, then the others
    in order of appearance."""
    present = list(dict.fromkeys(str(e) for e in rows["entity"]))
    return [e for e in (preferred or []) if e in present] + [
        e for e in present if e not in (preferred or [])
    ]


def bars_height(groups: int, scenarios: int, per_group: float = 0.32) -> float:
    """Figure height for ``groups`` groups of bars, each a bar per scenario."""
    return max(2.6, 1.6 + per_group * groups * max(1.0, 0.55 * scenarios))


def grouped_barh(
    ax: Axes,
    summary: pd.DataFrame,
    metric: str,
    entities: Sequence[str],
    scenarios: Sequence[str],
    col: Mapping[str, str],
    scale: float = 1.0,
    absent: str = "such entity",
) -> None:
    """Horizontal bars, one group per entity (top to bottom) and one bar per scenario."""
    k = len(scenarios)
    height = 0.8 / k
    sub = metric_rows(summary, metric)
    for j, s in enumerate(scenarios):
        rows = {str(r["entity"]): r for r in sub[sub["scenario"] == s].to_dict("records")}
        for i, entity in enumerate(entities):
            y = i + (j - (k - 1) / 2) * height
            r = rows.get(entity)
            if r is None:  # the scenario has no such stage or role
                ax.text(0, y, f" no {absent}", va="center", ha="left", fontsize=9, color="#666666")
                continue
            mean = float(r["mean"]) * scale
            if not math.isfinite(mean):
                ax.text(0, y, " n/a", va="center", ha="left", fontsize=9, color="#444444")
                continue
            low, high = float(r["ci_low"]) * scale, float(r["ci_high"]) * scale
            err = None
            if math.isfinite(low) and math.isfinite(high):
                err = [[max(mean - low, 0.0)], [max(high - mean, 0.0)]]
            ax.barh(y, mean, height=height * 0.92, color=col[s], xerr=err, error_kw=_ERR)
            if mean == 0:  # no bar to see: say so
                ax.text(0, y, " 0", va="center", ha="left", fontsize=9, color="#666666")
    ax.set_yticks(range(len(entities)), entities)
    spare = max(3 - len(entities), 0) / 2  # a lone group keeps a normal bar thickness
    ax.set_ylim(len(entities) - 0.5 + spare, -0.5 - spare)
    ax.grid(axis="y", visible=False)


def scenario_patches(scenarios: Sequence[str], col: Mapping[str, str]) -> list[Any]:
    """Legend swatches, one per scenario in its colour."""
    return [Patch(color=col[s]) for s in scenarios]
