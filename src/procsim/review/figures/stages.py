"""The stage figures: where cases wait (mean waiting time per stage) and where the time goes
(a Pareto chart of each stage's share of the time cases spend in stages).

Both take the ``summary`` table of a run folder (the Pareto chart also its ``kpis``) and are
drawn for a run by :mod:`~procsim.review.figures.run_figures`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from procsim.review.figures.ci_bars import grouped_bars, metric_rows
from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import (
    PERCENT,
    ci_label,
    legend_below,
    new_figure,
    styled,
    text_on,
    time_label,
)
from procsim.review.terminal import short_unit


def stage_order(models: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Stage names of all models in process order (``run.json`` ``models``).

    A stage only a redesign has goes right after its predecessor in that redesign.
    """
    order: list[str] = []
    for model in models.values():
        previous: str | None = None
        for stage in model.get("stages", []):
            name = str(stage["name"])
            if name not in order:
                order.insert(order.index(previous) + 1 if previous in order else len(order), name)
            previous = name
    return order


@styled
def plot_stage_waiting(
    summary: pd.DataFrame,
    *,
    stages: Sequence[str] | None = None,
    time_unit: str = "hours",
    level: float = 0.95,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Mean waiting time per stage (``wait_mean``) with CI error bars, one bar per scenario.

    Stages where no scenario waits (pure delays, stages without a queue) are listed under
    the axis instead of drawn as empty rows.

    Parameters
    ----------
    summary
        The ``summary`` table.
    stages
        Stage order (default: order of appearance); see :func:`stage_order`.
    time_unit
        The model's time unit, for the waiting times' axis label.
    level
        Confidence level of the CIs, for the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a group of bars per stage where some scenario waits.
    """
    bars = grouped_bars(summary, "wait_mean", colors, stages)
    waits = bars.rows.groupby("entity")["mean"].max()
    shown = [s for s in bars.entities if float(waits.get(s, math.nan)) > 0]
    silent = [s for s in bars.entities if s not in shown]
    fig, ax = bars.figure(shown, absent="such stage")
    ax.set_xlim(left=0)
    label = f"mean waiting time before the stage ({time_label(time_unit)}), {ci_label(level)}"
    if silent:
        note = "no waiting (not shown): " + ", ".join(silent)
        label += "\n" + "\n".join(textwrap.wrap(note, 70))
    ax.set_xlabel(label)
    ax.set_title("Waiting time per stage")
    legend_below(fig, bars.patches(), bars.scenarios)
    return fig


def stage_time(summary: pd.DataFrame, kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where the time goes, per scenario and stage: share of the summed stage time and time
    per completed case, largest first.

    ``time_share`` is a stage's time (enabled to done, over the completed cases) over their
    total cycle time. With parallel branches, overlapping branch time is counted in each
    branch, so the shares of a case can add up to more than 100%; as shares of the *summed*
    stage time (``time_share`` over the sum of the scenario's ``time_share``) they always add
    up to 100% (and equal the shares of cycle time when there is no parallel work).

    Parameters
    ----------
    summary
        The ``summary`` table (``time_share`` and ``cycle_time_mean`` rows).
    kpis
        The per-replication ``kpis`` table, for the exact time per case (``time_share`` times
        the mean cycle time, replication by replication, averaged). None: the product of the
        means, which differs from it only by their covariance over replications.

    Returns
    -------
    pandas.DataFrame
        ``scenario, stage, share`` (0..1, adds up to 1 per scenario), ``per_case`` (time per
        completed case, process time unit) and ``cumulative``, stages with no time left out.
    """
    sub = metric_rows(summary, "time_share")
    sub = sub[np.isfinite(sub["mean"].to_numpy(dtype=float))]
    cycle = metric_rows(summary, "cycle_time_mean").set_index("scenario")["mean"]
    per_case: dict[tuple[str, str], float] = {}
    if kpis is not None and len(kpis):
        wide = kpis[kpis["metric"].isin(["time_share", "cycle_time_mean"])]
        shares = wide[wide["metric"] == "time_share"]
        ct = wide[wide["metric"] == "cycle_time_mean"][["scenario", "replication", "value"]]
        both = shares.merge(ct, on=["scenario", "replication"], suffixes=("", "_ct"))
        both = both.assign(per_case=both["value"] * both["value_ct"])
        for (scenario, stage), g in both.groupby(["scenario", "entity"], observed=True):
            per_case[(str(scenario), str(stage))] = float(np.nanmean(g["per_case"]))
    frames = []
    for s in scenario_order(sub):
        rows = sub[sub["scenario"] == s]
        share = rows["mean"].to_numpy(dtype=float)
        total = share.sum()
        if not total > 0:
            continue
        stages = [str(e) for e in rows["entity"]]
        hours = [
            per_case.get((s, st), v * float(cycle.get(s, np.nan)))
            for st, v in zip(stages, share, strict=True)
        ]
        frame = pd.DataFrame(
            {"scenario": s, "stage": stages, "share": share / total, "per_case": hours}
        )
        frame = frame[frame["share"] > 0].sort_values("share", ascending=False, kind="stable")
        frames.append(frame.assign(cumulative=frame["share"].cumsum()))
    columns = ["scenario", "stage", "share", "per_case", "cumulative"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _grid(panels: int) -> tuple[int, int]:
    """Rows and columns for small multiples: one column up to two panels, then two (three
    from seven panels), so that five scenarios stay within a printed A4 page."""
    cols = 1 if panels <= 2 else 2 if panels <= 6 else 3
    return -(-panels // cols), cols


def _short_time(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return ""
    return f"{value:.2g} {unit}" if abs(value) < 10 else f"{value:,.0f} {unit}"


@styled
def plot_time_pareto(
    summary: pd.DataFrame,
    *,
    kpis: pd.DataFrame | None = None,
    time_unit: str = "hours",
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Pareto chart of where the time goes: one panel per scenario.

    Bars: each stage's share of the summed stage time (see :func:`stage_time`; it adds up
    to 100% even with parallel branches), sorted descending, labelled with the share and the
    time per completed case (which compares across scenarios when the total changes); stages
    with no time are left out. Line: cumulative share on the right axis (0-100%).

    Parameters
    ----------
    summary
        The ``summary`` table.
    kpis
        The per-replication ``kpis`` table, for the exact time per case (optional).
    time_unit
        The model's time unit, for the labels.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        A panel per scenario (unused cells of the grid hidden).

    Raises
    ------
    ValueError
        When no scenario has a finite ``time_share`` (no completed case).
    """
    data = stage_time(summary, kpis)
    if data.empty:
        raise ValueError("no time_share values to draw (no completed case in any scenario)")
    scenarios = scenario_order(data)
    col = colors_for(colors, scenarios)
    unit = short_unit(time_unit)
    nrows, ncols = _grid(len(scenarios))
    fig = new_figure(0.7 + 3.0 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(scenarios) :]:
        ax.set_visible(False)
    for i, (ax, s) in enumerate(zip(axes, scenarios, strict=False)):
        _pareto_panel(ax, data[data["scenario"] == s], s, col[s], unit, ncols, i % ncols == 0)
    fig.suptitle(
        "Where the time goes: each stage's share of the time cases spend in stages"
        + "\n(bar labels: share, and time per completed case)"
    )
    return fig


def _pareto_panel(
    ax: Axes,
    rows: pd.DataFrame,
    scenario: str,
    color: str,
    unit: str,
    ncols: int,
    first_column: bool,
) -> None:
    """One scenario's panel: a bar per stage labelled with its share and time per case, the
    cumulative share as a line, and the total time per case in the title."""
    share = rows["share"].to_numpy(dtype=float) * 100
    hours = rows["per_case"].to_numpy(dtype=float)
    names = list(rows["stage"])
    x = np.arange(len(names))
    ax.bar(x, share, color=color, width=0.7)
    # Bars and the cumulative line share one 0-100% axis (the shares add up to 100%), so
    # the line starts at the top of the first bar and ends at 100%.
    ax.plot(x, np.cumsum(share), color="#222222", marker="o", ms=3.5, lw=1.2, clip_on=False)
    for xi, v, h in zip(x, share, hours, strict=True):
        # A bar tall enough for the two-line label holds it inside, below the line's
        # marker; a short one has it on top, where the line is already higher.
        inside = v >= 20
        pct = f"{v:.0f}%" if v >= 0.5 else "<1%"
        ax.annotate(
            f"{pct}\n{_short_time(h, unit)}",
            (xi, v),
            xytext=(0, -5 if inside else 1.5),
            textcoords="offset points",
            ha="center",
            va="top" if inside else "bottom",
            fontsize=7 if ncols > 1 else 9,
            color=text_on(color) if inside else "black",
        )
    ax.set_xticks(x, names, rotation=25 if ncols == 1 else 35, ha="right",
                  rotation_mode="anchor", fontsize=9 if ncols == 1 else 8)  # fmt: skip
    spare = max(4 - len(names), 0) / 2  # a few stages keep a normal bar width
    ax.set_xlim(-0.6 - spare, len(names) - 0.4 + spare)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PERCENT)
    if first_column:
        ax.set_ylabel("share of stage time\n(bars; line: cumulative)", fontsize=9)
    ax.grid(axis="x", visible=False)
    total = _short_time(float(np.nansum(hours)), unit)
    if ncols == 1:
        ax.set_title(f"{scenario}: {total} per case summed over stages", loc="left", fontsize=10)
    else:  # half-width panels: the name on a line of its own
        ax.set_title(f"{scenario}\n{total} per case over stages", loc="left", fontsize=9)
