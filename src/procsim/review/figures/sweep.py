"""The sweep figures: one figure per headline KPI against the swept parameter, with CI bands
and the KPI's target.

Sits after a sweep is collected: :func:`procsim.study.sweep.write_sweep` hands over the
collected table (:class:`procsim.study.sweep.SweepResults`) and these figures go into the
sweep folder's ``figures/``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from procsim.model.kpi_catalogue import CATALOGUE
from procsim.review.figures.scenarios import scenario_colors

#: KPIs plotted against the swept parameter.
SWEEP_PLOTS = (
    "throughput_per_day",
    "cycle_time_mean",
    "cycle_time_p90",
    "wip_mean",
    "sla_attainment",
    "utilization",
    "cost_per_case",
)
_DASHES = ["-", "--", ":", "-."]
#: Axis unit of each kind of KPI.
_UNITS = {"share": "%", "money": "cost", "per_day": "cases/day", "cases": "cases"}


class CollectedSweep(Protocol):
    """What the sweep figures read of a collected sweep (a
    :class:`procsim.study.sweep.SweepResults`)."""

    #: One row per job, scenario, metric and entity: the swept parameters, ``mean, ci_low,
    #: ci_high``.
    summary: pd.DataFrame
    #: The swept parameters (override keys whose values differ between jobs).
    parameters: list[str]


def plot_sweep(
    result: CollectedSweep,
    folder: Path,
    targets: dict[tuple[str, str], float],
    time_unit: str = "hours",
) -> list[Path]:
    """One figure per headline KPI (and entity) against the first swept parameter, with CI
    bands, a line per scenario (and per value of any other swept parameter), and the KPI's
    target as a dashed line. Non-numeric first parameters are drawn as categories.

    Parameters
    ----------
    result
        The collected sweep.
    folder
        Where ``sweep_<metric>[_<entity>].png`` and ``.svg`` go (made when missing).
    targets
        ``(metric, entity)`` -> target value.
    time_unit
        The model's time unit, for the axis labels.

    Returns
    -------
    list of pathlib.Path
        The PNG files, in the order of :data:`SWEEP_PLOTS`.
    """
    table = result.summary
    if table.empty or not result.parameters:
        return []
    x_key = result.parameters[0]
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    colors = scenario_colors(list(dict.fromkeys(str(s) for s in table["scenario"])))
    for metric in SWEEP_PLOTS:
        sub_all = table[table["metric"] == metric]
        for entity in sub_all["entity"].drop_duplicates():
            sub = sub_all[sub_all["entity"] == entity]
            kpi = CATALOGUE[metric]
            scale = 100.0 if kpi.unit == "share" else 1.0
            fig = Figure(figsize=(7, 4.2), layout="constrained")
            ax = fig.add_subplot()
            numeric = all(isinstance(v, float) for v in sub[x_key])
            categories = list(dict.fromkeys(str(v) for v in sub[x_key]))
            _draw_lines(ax, sub, result.parameters, numeric, categories, scale, colors)
            goal = targets.get((metric, str(entity)))
            if goal is not None and math.isfinite(goal):
                ax.axhline(
                    goal * scale,
                    linestyle="--",
                    color="black",
                    linewidth=1,
                    label=f"target {goal * scale:g}",
                )
            if not numeric:
                ax.set_xticks(range(len(categories)), categories)
            elif all(float(v).is_integer() for v in sub[x_key]):
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            unit = time_unit if kpi.unit == "time" else _UNITS[kpi.unit]
            title = kpi.label + (f" [{entity}]" if entity else "")
            ax.set_title(f"{title} against {x_key}")
            ax.set_xlabel(x_key)
            ax.set_ylabel(f"{kpi.label} ({unit})")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
            name = f"sweep_{metric}" + (f"_{entity}" if entity else "")
            path = folder / f"{name}.png"
            fig.savefig(path, dpi=130)
            fig.savefig(folder / f"{name}.svg")
            written.append(path)
    return written


def _draw_lines(
    ax: Axes,
    sub: pd.DataFrame,
    parameters: list[str],
    numeric: bool,
    categories: list[str],
    scale: float,
    colors: dict[str, str],
) -> None:
    """A line with its CI band per scenario and per value of the other swept parameters (a
    dash style each), against the first swept parameter."""
    x_key, others = parameters[0], parameters[1:]
    variants: dict[str, int] = {}
    for keys, line in sub.groupby(["scenario", *others], sort=False):
        parts = keys if isinstance(keys, tuple) else (keys,)
        label = " ".join(str(k) for k in parts)
        rest = " ".join(str(k) for k in parts[1:])
        style = _DASHES[variants.setdefault(rest, len(variants)) % len(_DASHES)]
        line = line.copy()
        xs = (
            line[x_key].astype(float).to_numpy()
            if numeric
            else np.array([categories.index(str(v)) for v in line[x_key]], dtype=float)
        )
        order = np.argsort(xs)
        xs = xs[order]
        mean = line["mean"].to_numpy(dtype=float)[order] * scale
        low = line["ci_low"].to_numpy(dtype=float)[order] * scale
        high = line["ci_high"].to_numpy(dtype=float)[order] * scale
        color = colors[str(parts[0])]
        ax.plot(xs, mean, marker="o", label=label, color=color, linestyle=style)
        ax.fill_between(xs, low, high, alpha=0.15, color=color)
