"""Figures of a run: cycle times, paired changes, waiting, utilization, WIP and SLAs.

Sits after the statistics and before the report in the data flow::

    metrics -> stats -> tables in the run folder (api.Results.save) -> plots -> report

:func:`make_figures` reads only the files of a run folder (``tables/*.parquet`` and
``run.json``), so a run saved earlier can be drawn again, and writes ``figures/<name>.png`` and
``.svg``; the report embeds them by the names in :data:`FIGURES`. Each figure also has a
function of its own (``plot_<name>``) that takes plain pandas tables and returns a
:class:`matplotlib.figure.Figure`, for notebooks. Figures are built on ``Figure`` objects
directly: no pyplot, no global state, no display needed.

Each scenario keeps its colour in every figure (the current process is always grey), see
:func:`scenario_colors`.
"""

from __future__ import annotations

import functools
import json
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter
from matplotlib.typing import RcKeyType

from procsim.files import atomic_write
from procsim.measure.warmup import left_column, wip_series
from procsim.model.kpi_catalogue import CATALOGUE, HEADLINE, in_points
from procsim.model.process import BASELINE
from procsim.review.terminal import level_text, short_unit

#: Figure names, in report order; ``make_figures`` writes ``<name>.<format>`` for each that
#: applies to the run (``kpi_differences`` needs a redesign, ``sla_attainment`` an SLA,
#: ``utilization`` a staffed role).
FIGURES: tuple[str, ...] = (
    "cycle_time_distribution",
    "kpi_differences",
    "stage_waiting",
    "utilization",
    "time_pareto",
    "wip_over_time",
    "sla_attainment",
    "staffing_week",
)

#: Colour of the current process (always the same) and of the redesigns, in order
#: (Okabe-Ito palette: distinguishable with colour-vision deficiencies and in grey print).
BASELINE_COLOR = "#6E6E6E"
PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#000000",
)

#: Width of every figure in inches (fits a printed page with margins).
WIDTH = 7.0
DPI = 150
#: Tallest figure (inches): at 7 in wide it still prints at full width on A4 (the report's
#: print style allows figures 240 mm high), so its text keeps its size on paper.
MAX_HEIGHT = 9.7
#: Utilization above which a role is marked as highly loaded.
HIGH_LOAD = 0.85

_STYLE: dict[RcKeyType, Any] = {
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "axes.grid": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "errorbar.capsize": 2.5,
    "svg.hashsalt": "procsim",  # stable SVG ids: the same run gives the same file
}
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Build the figure under procsim's style (font sizes, light grid), leaving rcParams be."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context(_STYLE):
            return func(*args, **kwargs)

    return wrapper


_ERR = {"ecolor": "#222222", "elinewidth": 0.9}
_PCT = PercentFormatter(xmax=100, decimals=0)


# ----------------------------------------------------------------------------- colours


def scenario_colors(scenarios: Iterable[str]) -> dict[str, str]:
    """A colour per scenario: grey for the current process, the palette for redesigns.

    Parameters
    ----------
    scenarios
        Scenario labels in run order (the current process may be missing, e.g. for the
        comparison table, and redesigns keep their colour all the same).

    Returns
    -------
    dict
        Label -> colour (hex string).
    """
    colors: dict[str, str] = {}
    redesigns = 0
    for s in dict.fromkeys(scenarios):
        if s == BASELINE:
            colors[s] = BASELINE_COLOR
        else:
            colors[s] = PALETTE[redesigns % len(PALETTE)]
            redesigns += 1
    return colors


def _scenarios(frame: pd.DataFrame) -> list[str]:
    """Scenario labels in order of first appearance, the current process first."""
    labels = [str(s) for s in pd.unique(frame["scenario"])]
    return sorted(labels, key=lambda s: s != BASELINE)


def _colors(colors: Mapping[str, str] | None, scenarios: Sequence[str]) -> dict[str, str]:
    auto = scenario_colors(scenarios)
    return {s: (colors or {}).get(s, auto[s]) for s in scenarios}


# ----------------------------------------------------------------------------- data helpers


def ecdf(values: Iterable[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical distribution function of the finite values.

    Parameters
    ----------
    values
        Observations; NaN and infinite values are ignored.

    Returns
    -------
    x, y : numpy.ndarray
        Sorted values and the share of observations ``<= x`` (``1/n, 2/n, ..., 1``); ties
        collapse onto their last step, so ``y`` is the ECDF at ``x``. Empty when no value is
        finite.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = np.sort(x[np.isfinite(x)])
    n = x.size
    if n == 0:
        return x, np.empty(0)
    y = np.arange(1, n + 1, dtype=float) / n
    last = np.append(x[1:] != x[:-1], True)  # last of each run of ties
    return x[last], y[last]


def cycle_times(cases: pd.DataFrame, warmup: float = 0.0, end: float | None = None) -> pd.Series:
    """Cycle times of completed cases that arrived after the warm-up (as the KPIs count them).

    Parameters
    ----------
    cases
        ``scenario, replication, case_id, arrival_time, completion_time`` (NaN while open).
    warmup, end
        Cases arriving in ``[warmup, end)`` count (``end`` None: no upper limit).

    Returns
    -------
    pandas.Series
        Cycle times, indexed like the rows of ``cases`` they come from (so
        ``cases.loc[ct.index, "scenario"]`` gives each one's scenario).
    """
    arr = cases["arrival_time"].to_numpy(dtype=float)
    comp = cases["completion_time"].to_numpy(dtype=float)
    keep = (arr >= warmup) & ~np.isnan(comp)
    if end is not None:
        keep &= arr < end
    return pd.Series((comp - arr)[keep], index=cases.index[keep], name="cycle_time")


def wip_bands(
    cases: pd.DataFrame,
    points: int = 300,
    end: float | None = None,
    quantiles: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """WIP over time per scenario: mean over replications and a band.

    Parameters
    ----------
    cases
        ``scenario, replication, arrival_time`` and ``left_time`` (when the case left, however
        it left; NaN while open), or ``completion_time`` in a log without outcomes.
    points
        Grid points from 0 to ``end`` (both included).
    end
        End of the runs (the horizon); None: the last arrival or departure.
    quantiles
        Band between these quantiles across replications; None: 10-90% with 10 replications
        or more, else min-max.

    Returns
    -------
    pandas.DataFrame
        ``scenario, time, mean, low, high, replications``.
    """
    if end is None:
        times = cases[["arrival_time", left_column(cases)]].to_numpy(dtype=float)
        end = float(np.nanmax(times)) if np.isfinite(times).any() else 1.0
    grid = np.linspace(0.0, end, points)
    frames = []
    for scenario in _scenarios(cases):
        sub = cases[cases["scenario"] == scenario]
        series = np.array([wip_series(g, grid) for _, g in sub.groupby("replication", sort=True)])
        reps = len(series)
        q = quantiles if quantiles is not None else ((0.1, 0.9) if reps >= 10 else (0.0, 1.0))
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "time": grid,
                    "mean": series.mean(axis=0),
                    "low": np.quantile(series, q[0], axis=0),
                    "high": np.quantile(series, q[1], axis=0),
                    "replications": reps,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def kpi_changes(comparison: pd.DataFrame, metrics: Sequence[str] = HEADLINE) -> pd.DataFrame:
    """Paired changes of the process-wide KPIs and SLAs: in % of the current value, or in
    percentage points for proportions (SLA attainment, yield, efficiency, shares).

    Parameters
    ----------
    comparison
        ``scenario, metric, entity, before, diff, diff_low, diff_high, significant``.
    metrics
        KPIs in display order; role KPIs (utilization) and stage KPIs are left out.

    Returns
    -------
    pandas.DataFrame
        ``scenario, metric, entity, label, before, change, low, high, significant, scale``:
        with ``scale`` ``%``, ``change`` is ``diff / before`` in % and ``low``/``high`` the CI
        of the difference over ``before`` (NaN when ``before`` is 0 or missing); with ``pp``
        (a proportion) they are the difference and its CI times 100. Display order.
    """
    rows = []
    for metric in metrics:
        kpi = CATALOGUE[metric]
        if kpi.entity not in ("", "sla"):
            continue
        points = in_points(metric)
        sub = comparison[comparison["metric"] == metric]
        for entity in pd.unique(sub["entity"]):
            label = kpi.label + (f" [{entity}]" if entity else "")
            for r in sub[sub["entity"] == entity].to_dict("records"):
                before = float(r["before"])
                ok = math.isfinite(before) and before != 0
                scale = 100.0 if points else (100.0 / before if ok else math.nan)
                ends = sorted([float(r["diff_low"]) * scale, float(r["diff_high"]) * scale])
                rows.append(
                    (
                        str(r["scenario"]),
                        metric,
                        str(entity),
                        label,
                        before,
                        float(r["diff"]) * scale,
                        ends[0],
                        ends[1],
                        bool(r.get("significant", False)),
                        "pp" if points else "%",
                    )
                )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "metric",
            "entity",
            "label",
            "before",
            "change",
            "low",
            "high",
            "significant",
            "scale",
        ],
    )


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


def end_to_end_slas(models: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, float]]:
    """``(name, within)`` of the SLAs from arrival to completion, over all models."""
    found: dict[tuple[str, float], None] = {}
    for model in models.values():
        for sla in model.get("slas", []):
            if sla.get("from") == "arrival" and sla.get("to") == "completion":
                found[(str(sla["name"]), float(sla["within"]))] = None
    return list(found)


# ----------------------------------------------------------------------------- figures


def _text_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    lum = sum(
        w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        for w, c in zip((0.2126, 0.7152, 0.0722), to_rgb(background), strict=True)
    )
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), layout="constrained")


def _unit(time_unit: str) -> str:
    return time_unit or "time units"


def _legend_columns(labels: Sequence[str], width: float = WIDTH) -> int:
    """As many legend columns as fit the figure width (estimated from the label lengths)."""
    available = width * 72 - 24  # points
    for ncols in range(len(labels), 1, -1):
        rows = -(-len(labels) // ncols)
        columns = [labels[i : i + rows] for i in range(0, len(labels), rows)]
        needed = sum(max(len(x) for x in c) * 5.8 + 48 for c in columns)
        if needed <= available:
            return ncols
    return 1


def _legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """The legend under the axes, so it never covers data."""
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=_legend_columns(labels))


def _values(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric (NaN means included: they are drawn as 'n/a')."""
    return summary[summary["metric"] == metric]


def _ci_pct(level: float) -> str:
    return f"{level_text(level)} CI"


@_styled
def plot_cycle_time_distribution(
    cases: pd.DataFrame,
    *,
    warmup: float = 0.0,
    end: float | None = None,
    slas: Sequence[tuple[str, float]] = (),
    time_unit: str = "hours",
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """ECDF of the cycle times of completed cases per scenario, with end-to-end SLA lines.

    Parameters
    ----------
    cases
        ``scenario, replication, arrival_time, completion_time``; replications are pooled.
    warmup, end
        Cases arriving in ``[warmup, end)`` count, as in the KPIs.
    slas
        ``(name, within)`` of the end-to-end SLAs (see :func:`end_to_end_slas`).
    time_unit
        The model's time unit, for the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(4.0)
    ax = fig.add_subplot()
    scenarios = _scenarios(cases)
    col = _colors(colors, scenarios)
    ct = cycle_times(cases, warmup, end)
    top = 0.0
    for s in scenarios:
        values = ct[cases.loc[ct.index, "scenario"] == s].to_numpy()
        x, y = ecdf(values)
        if x.size == 0:
            ax.plot([], [], color=col[s], label=f"{s} (no completed case)")
            continue
        ax.step(
            np.concatenate([[x[0]], x]),
            np.concatenate([[0.0], y]) * 100,
            where="post",
            color=col[s],
            lw=1.8,
            label=f"{s} ({values.size:,} cases)",
        )
        top = max(top, float(x[-1]))
    for _, within in slas:
        ax.axvline(within, color="#222222", ls="--", lw=1)
        top = max(top, within)
    if slas:
        # SLA names as ticks of a top axis: labelled at their line, never over the curves.
        sla_axis = ax.secondary_xaxis("top")
        sla_axis.set_xticks(
            [w for _, w in slas], [f"{n}\n{w:g} {_unit(time_unit)}" for n, w in slas]
        )
        sla_axis.tick_params(labelsize=9, length=3)
    if _long_tail(ct.to_numpy(dtype=float)):
        # A few very long cases would squeeze almost all of them into the first few percent
        # of a linear axis: a log axis shows the bulk and the tail, and the label says so.
        positive = ct.to_numpy(dtype=float)
        positive = positive[positive > 0]
        ax.set_xscale("log")
        ax.set_xlim(float(positive.min()) * 0.9, top * 1.1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
        ax.set_xlabel(f"cycle time ({_unit(time_unit)}, log scale: long tail)")
    else:
        ax.set_xlim(0, top * 1.03 if top > 0 else 1)
        ax.set_xlabel(f"cycle time ({_unit(time_unit)})")
    ax.set_ylim(0, 101)
    ax.yaxis.set_major_formatter(_PCT)
    ax.set_ylabel("completed cases within (%)")
    ax.set_title("Cycle time distribution (completed cases after warm-up)")
    handles, names = ax.get_legend_handles_labels()
    if slas:
        handles.append(Line2D([], [], color="#222222", ls="--", lw=1))
        names.append("SLA threshold")
    _legend_below(fig, handles, names)
    return fig


def _long_tail(values: np.ndarray) -> bool:
    """True when a linear axis would crush most cycle times into its first few percent: the
    longest is more than 20 times the 90th percentile (at least 100 positive values)."""
    x = values[np.isfinite(values) & (values > 0)]
    return bool(x.size >= 100 and float(x.max()) > 20 * float(np.quantile(x, 0.9)))


@_styled
def plot_kpi_differences(
    comparison: pd.DataFrame,
    *,
    metrics: Sequence[str] = HEADLINE,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Paired change of the headline KPIs with CI whiskers: relative change in % of the
    current value, and proportions (SLA attainment, yield, ...) in percentage points in a
    panel of their own.

    Significant changes (CI excludes 0) are filled markers, the others hollow.

    Parameters
    ----------
    comparison
        The ``comparison`` table (``scenario, metric, entity, before, diff, diff_low,
        diff_high, significant``; a ``level`` column names the confidence level).
    metrics
        KPIs to show, in order; process-wide ones and SLA attainment are drawn.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = kpi_changes(comparison, metrics)
    redesigns = _scenarios(comparison)
    col = _colors(colors, redesigns)
    k = len(redesigns)
    panels = [
        (scale, list(dict.fromkeys(data.loc[data["scale"] == scale, "label"])))
        for scale in ("%", "pp")
    ]
    panels = [(scale, labels) for scale, labels in panels if labels] or [("%", [])]
    rows = sum(max(len(labels), 1) for _, labels in panels)
    frame = 1.3 + 0.5 * (len(panels) - 1)  # title, axis labels, legend
    # Rows shrink before the figure outgrows a printed A4 page (MAX_HEIGHT).
    per_row = min(0.3 * max(1.0, 0.6 * k), (MAX_HEIGHT - frame) / rows)
    fig = _figure(max(2.6, frame + per_row * rows))
    axes = fig.subplots(
        len(panels),
        1,
        squeeze=False,
        gridspec_kw={"height_ratios": [max(len(labels), 1) for _, labels in panels]},
    )[:, 0]
    level = _level(comparison)
    step = 0.7 / k
    for ax, (scale, labels) in zip(axes, panels, strict=True):
        for j, s in enumerate(redesigns):
            sub = data[(data["scenario"] == s) & (data["scale"] == scale)]
            for r in sub.to_dict("records"):
                y = labels.index(str(r["label"])) + (j - (k - 1) / 2) * step
                change, low, high = float(r["change"]), float(r["low"]), float(r["high"])
                if not math.isfinite(change):
                    why = f" ({BASELINE} value 0)" if r["before"] == 0 else ""
                    ax.text(0, y, f" n/a{why}", va="center", ha="left", fontsize=9, color=col[s])
                    continue
                xerr = None
                if math.isfinite(low) and math.isfinite(high):
                    xerr = [[change - low], [high - change]]
                ax.errorbar(
                    change,
                    y,
                    xerr=xerr,
                    fmt="o",
                    ms=6,
                    color=col[s],
                    mfc=col[s] if r["significant"] else "white",
                    mec=col[s],
                    mew=1.4,
                    elinewidth=1.2,
                    capsize=3,
                )
        ax.axvline(0, color="#222222", lw=1)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        if scale == "pp":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f} pp" if v else "0"))
            ax.set_xlabel(
                f"change vs {BASELINE} in percentage points (proportions), {_ci_pct(level)}"
            )
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}%" if v else "0%"))
            ax.set_xlabel(f"change vs {BASELINE} (% of the {BASELINE} value), {_ci_pct(level)}")
    axes[0].set_title(f"Change of the headline KPIs vs {BASELINE} (paired)")
    handles: list[Any] = [
        Line2D([], [], ls="", marker="o", color=col[s], mfc=col[s], ms=6) for s in redesigns
    ]
    names = list(redesigns)
    handles += [
        Line2D([], [], ls="", marker="o", color="#222222", ms=6),
        Line2D([], [], ls="", marker="o", color="#222222", mfc="white", ms=6),
    ]
    names += ["significant", "CI includes 0"]
    _legend_below(fig, handles, names)
    return fig


def _level(frame: pd.DataFrame, default: float = 0.95) -> float:
    if "level" in frame and frame["level"].notna().any():
        return float(frame["level"].dropna().iloc[0])
    return default


def _grouped_barh(
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
    sub = _values(summary, metric)
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


def _scenario_patches(scenarios: Sequence[str], col: Mapping[str, str]) -> list[Any]:
    return [Patch(color=col[s]) for s in scenarios]


@_styled
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
        The model's time unit, for the axis label.
    level
        Confidence level of the CIs, for the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    sub = _values(summary, "wait_mean")
    scenarios = _scenarios(sub)
    col = _colors(colors, scenarios)
    present = list(dict.fromkeys(str(e) for e in sub["entity"]))
    order = [s for s in (stages or []) if s in present] + [
        s for s in present if s not in (stages or [])
    ]
    waits = sub.groupby("entity")["mean"].max()
    shown = [s for s in order if float(waits.get(s, math.nan)) > 0]
    silent = [s for s in order if s not in shown]
    k = len(scenarios)
    fig = _figure(max(2.6, 1.6 + 0.32 * len(shown) * max(1.0, 0.55 * k)))
    ax = fig.add_subplot()
    _grouped_barh(ax, summary, "wait_mean", shown, scenarios, col, absent="such stage")
    ax.set_xlim(left=0)
    label = f"mean waiting time before the stage ({_unit(time_unit)}), {_ci_pct(level)}"
    if silent:
        note = "no waiting (not shown): " + ", ".join(silent)
        label += "\n" + "\n".join(textwrap.wrap(note, 70))
    ax.set_xlabel(label)
    ax.set_title("Waiting time per stage")
    _legend_below(fig, _scenario_patches(scenarios, col), scenarios)
    return fig


@_styled
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
    sub = _values(summary, "utilization")
    scenarios = _scenarios(sub)
    col = _colors(colors, scenarios)
    present = list(dict.fromkeys(str(e) for e in sub["entity"]))
    order = [r for r in (roles or []) if r in present] + [
        r for r in present if r not in (roles or [])
    ]
    k = len(scenarios)
    fig = _figure(max(2.6, 1.6 + 0.32 * len(order) * max(1.0, 0.55 * k)))
    ax = fig.add_subplot()
    _grouped_barh(ax, summary, "utilization", order, scenarios, col, 100.0, "such role")
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
    ax.xaxis.set_major_formatter(_PCT)
    ax.set_xlabel(f"utilization (busy share of paid time), {_ci_pct(level)}")
    ax.set_title("Utilization per role", pad=14)
    _legend_below(fig, _scenario_patches(scenarios, col), scenarios)
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
    sub = _values(summary, "time_share")
    sub = sub[np.isfinite(sub["mean"].to_numpy(dtype=float))]
    cycle = _values(summary, "cycle_time_mean").set_index("scenario")["mean"]
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
    for s in _scenarios(sub):
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


@_styled
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

    Raises
    ------
    ValueError
        When no scenario has a finite ``time_share`` (no completed case).
    """
    data = stage_time(summary, kpis)
    if data.empty:
        raise ValueError("no time_share values to draw (no completed case in any scenario)")
    scenarios = _scenarios(data)
    col = _colors(colors, scenarios)
    unit = short_unit(time_unit)
    nrows, ncols = _grid(len(scenarios))
    fig = _figure(0.7 + 3.0 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(scenarios) :]:
        ax.set_visible(False)
    for i, (ax, s) in enumerate(zip(axes, scenarios, strict=False)):
        rows = data[data["scenario"] == s]
        share = rows["share"].to_numpy(dtype=float) * 100
        hours = rows["per_case"].to_numpy(dtype=float)
        names = list(rows["stage"])
        x = np.arange(len(names))
        ax.bar(x, share, color=col[s], width=0.7)
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
                color=_text_on(col[s]) if inside else "black",
            )
        ax.set_xticks(x, names, rotation=25 if ncols == 1 else 35, ha="right",
                      rotation_mode="anchor", fontsize=9 if ncols == 1 else 8)  # fmt: skip
        spare = max(4 - len(names), 0) / 2  # a few stages keep a normal bar width
        ax.set_xlim(-0.6 - spare, len(names) - 0.4 + spare)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(_PCT)
        if i % ncols == 0:
            ax.set_ylabel("share of stage time\n(bars; line: cumulative)", fontsize=9)
        ax.grid(axis="x", visible=False)
        total = _short_time(float(np.nansum(hours)), unit)
        if ncols == 1:
            ax.set_title(f"{s}: {total} per case summed over stages", loc="left", fontsize=10)
        else:  # half-width panels: the name on a line of its own
            ax.set_title(f"{s}\n{total} per case over stages", loc="left", fontsize=9)
    fig.suptitle(
        "Where the time goes: each stage's share of the time cases spend in stages"
        + "\n(bar labels: share, and time per completed case)"
    )
    return fig


@_styled
def plot_wip_over_time(
    cases: pd.DataFrame,
    *,
    warmup: float = 0.0,
    end: float | None = None,
    points: int = 300,
    time_unit: str = "hours",
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Work in progress over simulated time: mean over replications and a band, per scenario.

    The warm-up is shaded: the WIP should level off after it (the visual warm-up check).

    Parameters
    ----------
    cases
        ``scenario, replication, arrival_time`` and ``left_time`` (or ``completion_time``, see
        :func:`wip_bands`).
    warmup
        Warm-up length (shaded, excluded from the KPIs).
    end
        End of the runs (the horizon); None: the last arrival or departure.
    points
        Grid points.
    time_unit
        The model's time unit, for the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    bands = wip_bands(cases, points, end)
    scenarios = _scenarios(bands)
    col = _colors(colors, scenarios)
    fig = _figure(3.8)
    ax = fig.add_subplot()
    handles: list[Any] = []
    names: list[str] = []
    reps = 0
    for s in scenarios:
        b = bands[bands["scenario"] == s]
        reps = int(b["replications"].iloc[0])
        t = b["time"].to_numpy(dtype=float)
        low, high = b["low"].to_numpy(dtype=float), b["high"].to_numpy(dtype=float)
        ax.fill_between(t, low, high, color=col[s], alpha=0.22, lw=0)
        (line,) = ax.plot(t, b["mean"].to_numpy(dtype=float), color=col[s], lw=1.5)
        # Each scenario's swatch is its own band with its line over it.
        handles.append((Patch(color=col[s], alpha=0.22, lw=0), line))
        names.append(s)
    right = float(bands["time"].max()) if len(bands) else 1.0
    ax.set_xlim(0, right)
    peak = float(bands["high"].max()) if len(bands) else 1.0
    ax.set_ylim(0, max(peak, 1.0) * 1.2)  # headroom for the warm-up label
    if warmup > 0:
        # Hatched, not grey: the current process's band is grey already.
        ax.axvspan(0, warmup, facecolor="white", edgecolor="#C4C4C4", hatch="///", lw=0, zorder=0)
        ax.axvline(warmup, color="#888888", ls=":", lw=1)
        wide = warmup >= 0.14 * right
        ax.annotate(
            "warm-up\n(excluded)" if wide else "← warm-up (excluded)",
            (warmup / 2 if wide else warmup, 0.98),
            xycoords=("data", "axes fraction"),
            xytext=(0 if wide else 3, 0),
            textcoords="offset points",
            ha="center" if wide else "left",
            va="top",
            fontsize=9,
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )
    band = "10–90% of" if reps >= 10 else "min–max over"
    ax.set_xlabel(f"simulated time ({_unit(time_unit)})")
    ax.set_ylabel("work in progress (cases)")
    ax.set_title(f"Work in progress over time (line: mean; band: {band} {reps} replications)")
    _legend_below(fig, handles, names)
    return fig


@_styled
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
        Confidence level of the CIs, for the axis label.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    sub = _values(summary, "sla_attainment")
    scenarios = _scenarios(sub)
    col = _colors(colors, scenarios)
    slas = list(dict.fromkeys(str(e) for e in sub["entity"]))
    k = len(scenarios)
    fig = _figure(max(2.6, 1.6 + 0.4 * len(slas) * max(1.0, 0.55 * k)))
    ax = fig.add_subplot()
    _grouped_barh(ax, summary, "sla_attainment", slas, scenarios, col, 100.0, "such SLA")
    handles = _scenario_patches(scenarios, col)
    names = list(scenarios)
    drawn = False
    for i, name in enumerate(slas):
        target = (targets or {}).get(name)
        if target is None or not math.isfinite(target):
            continue
        ax.plot([target * 100] * 2, [i - 0.45, i + 0.45], color="#B00020", lw=2.2)
        drawn = True
    if drawn:
        handles.append(Line2D([], [], color="#B00020", lw=2.2))
        names.append("target")
    high = sub["ci_high"].to_numpy(dtype=float)
    right = max(100.0, float(np.nanmax(high)) * 100 if np.isfinite(high).any() else 100.0)
    ax.set_xlim(0, right)
    ax.xaxis.set_major_formatter(_PCT)
    ax.set_xlabel(f"cases within the SLA, {_ci_pct(level)}")
    ax.set_title("SLA attainment")
    _legend_below(fig, handles, names)
    return fig


# ----------------------------------------------------------------------------- run folder


def _step(week: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
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


@_styled
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
    """
    scenarios = list(models)
    col = _colors(colors, scenarios)
    weeks: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for s, m in models.items():
        for r in m.get("roles", []):
            week = _mapping_of(r.get("on_duty_week"))
            if week:
                weeks.setdefault(str(r["name"]), {})[s] = _step(week)
    roles = [
        name
        for name, per in weeks.items()
        if any(len(set(v.tolist())) > 1 for _, v in per.values())
        or len({tuple(v.tolist()) for _, v in per.values()}) > 1
    ]
    panels = 1 + len(roles)
    fig = Figure(figsize=(WIDTH, 1.2 + 1.35 * panels), layout="constrained")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    handles: list[Any] = []
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
            axes[0].step(h, v, where="post", color=col[s], lw=1.4)
    axes[0].set_ylabel("arrivals\nper hour")
    axes[0].set_ylim(bottom=0)
    axes[0].set_title("Demand and staff on duty over a week")
    for ax, role in zip(axes[1:], roles, strict=True):
        per = weeks[role]
        for k, s in enumerate(scenarios):
            if s not in per:
                continue
            h, v = per[s]
            offset = 0.04 * k  # overlapping lines stay visible side by side
            ax.step(h, v + offset, where="post", color=col[s], lw=1.4)
        top = max(float(v.max()) for _, v in per.values())
        ax.set_ylim(0, top + 0.8)
        ax.set_ylabel(f"{role}\non duty")
        ax.yaxis.get_major_locator().set_params(integer=True)
    for s in scenarios:
        handles.append(Line2D([], [], color=col[s], lw=1.6))
    last = axes[-1]
    last.set_xlim(0, 168)
    # Day boundaries as gridlines, day names centred under their day.
    last.set_xticks(np.arange(0, 169, 24), labels=[""] * 8)
    last.set_xticks(np.arange(12, 168, 24), labels=list(_DAYS), minor=True)
    last.tick_params(axis="x", which="minor", length=0)
    last.set_xlabel("day of an ordinary week (closed days and holidays not shown)")
    _legend_below(fig, handles, scenarios)
    return fig


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


def _sla_targets(models: Mapping[str, Mapping[str, Any]]) -> dict[str, float | None]:
    targets: dict[str, float | None] = {}
    for model in models.values():
        for sla in model.get("slas", []):
            name = str(sla["name"])
            if targets.get(name) is None:
                t = sla.get("target")
                targets[name] = float(t) if t is not None else None
    return targets


def make_figures(folder: Path, formats: tuple[str, ...] = ("png", "svg")) -> dict[str, Path]:
    """Read the tables of a run folder and write every figure into ``folder/'figures'``.

    Parameters
    ----------
    folder
        A run folder written by :meth:`procsim.Results.save` (``tables/`` and ``run.json``).
    formats
        File formats; each figure is written as ``<name>.<format>`` (PNG at 150 dpi).

    Returns
    -------
    dict
        Figure name -> path of its PNG (of the first format when PNG is not asked for), in
        the order of :data:`FIGURES`. Figures that do not apply are left out: no redesign
        (``kpi_differences``), no SLA (``sla_attainment``), no staffed role (``utilization``),
        neither shifts nor time-varying arrivals (``staffing_week``).
    """
    folder = Path(folder)
    tables = folder / "tables"
    info: dict[str, Any] = {}
    if (folder / "run.json").exists():
        info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    run: dict[str, Any] = info.get("run", {})
    models: dict[str, dict[str, Any]] = info.get("models", {})
    summary = pd.read_parquet(tables / "summary.parquet")
    cases = _read(tables / "cases.parquet")
    comparison = _read(tables / "comparison.parquet")
    order = list(models) or _scenarios(summary)
    colors = scenario_colors([*order, *_scenarios(summary)])
    time_unit = str(next(iter(models.values()), {}).get("time_unit", "hours"))
    warmup = float(run.get("warmup") or 0.0)
    horizon = run.get("horizon")
    end = float(horizon) if horizon is not None else None
    level = float(run.get("confidence") or 0.95)
    roles = [str(r["name"]) for m in models.values() for r in m.get("roles", [])]
    roles = list(dict.fromkeys(roles))

    def has(metric: str, finite: bool = False) -> bool:
        rows = summary[summary["metric"] == metric]
        return bool(rows["mean"].notna().any() if finite else len(rows))

    builders: dict[str, Callable[[], Figure]] = {}
    if cases is not None and len(cases):
        builders["cycle_time_distribution"] = lambda: plot_cycle_time_distribution(
            cases,
            warmup=warmup,
            end=end,
            slas=end_to_end_slas(models),
            time_unit=time_unit,
            colors=colors,
        )
    if comparison is not None and len(comparison):
        builders["kpi_differences"] = lambda: plot_kpi_differences(comparison, colors=colors)
    if has("wait_mean"):
        builders["stage_waiting"] = lambda: plot_stage_waiting(
            summary, stages=stage_order(models), time_unit=time_unit, level=level, colors=colors
        )
    if has("utilization"):
        builders["utilization"] = lambda: plot_utilization(
            summary, roles=roles, level=level, colors=colors
        )
    if has("time_share", finite=True):  # bars need values; no completed case: no chart
        builders["time_pareto"] = lambda: plot_time_pareto(
            summary, kpis=_read(tables / "kpis.parquet"), time_unit=time_unit, colors=colors
        )
    if cases is not None and len(cases):
        builders["wip_over_time"] = lambda: plot_wip_over_time(
            cases, warmup=warmup, end=end, time_unit=time_unit, colors=colors
        )
    if has("sla_attainment"):
        builders["sla_attainment"] = lambda: plot_sla_attainment(
            summary, targets=_sla_targets(models), level=level, colors=colors
        )
    if week_varies(models):
        builders["staffing_week"] = lambda: plot_staffing_week(models, colors=colors)

    out = folder / "figures"
    written: dict[str, Path] = {}
    for name in FIGURES:
        if name not in builders:
            for fmt in formats:  # a stale file would be embedded by the report
                (out / f"{name}.{fmt}").unlink(missing_ok=True)
            continue
        fig = builders[name]()
        paths = [out / f"{name}.{fmt}" for fmt in formats]
        for path, fmt in zip(paths, formats, strict=True):
            save_figure(fig, path, fmt)
        fig.clear()  # release the artists; no pyplot figure manager holds the figure
        written[name] = next((p for p in paths if p.suffix == ".png"), paths[0])
    return written


def save_figure(fig: Figure, path: Path, fmt: str | None = None) -> None:
    """Write ``fig`` to ``path`` atomically (PNG at 150 dpi, stable metadata).

    Parameters
    ----------
    fig
        The figure.
    path
        Target file; its suffix gives the format unless ``fmt`` is given.
    fmt
        ``png``, ``svg``, ``pdf``, ...
    """
    fmt = fmt or path.suffix.lstrip(".")
    metadata: dict[str, Any] = {"Date": None} if fmt in ("svg", "pdf") else {}
    with mpl.rc_context(_STYLE):
        atomic_write(
            path,
            lambda p: fig.savefig(p, format=fmt, dpi=DPI, metadata=metadata, facecolor="white"),
        )
