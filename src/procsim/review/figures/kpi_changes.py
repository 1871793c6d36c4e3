"""The KPI change figure: each redesign's paired change of the headline KPIs against the
current process, with CI whiskers.

Reads the ``comparison`` table of a run folder (drawn by
:mod:`~procsim.review.figures.run_figures`): relative changes in % of the current value, and
proportions in percentage points in a panel of their own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from procsim.model.kpi_catalogue import CATALOGUE, HEADLINE, in_points
from procsim.model.process import BASELINE
from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import MAX_HEIGHT, ci_label, legend_below, new_figure, styled

_COLUMNS = [
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
]


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
    return pd.DataFrame(rows, columns=_COLUMNS)


@styled
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
        A panel for the relative changes and one for the proportions, where there are any.
    """
    data = kpi_changes(comparison, metrics)
    redesigns = scenario_order(comparison)
    col = colors_for(colors, redesigns)
    k = len(redesigns)
    panels = _panels(data)
    rows = sum(max(len(labels), 1) for _, labels in panels)
    frame = 1.3 + 0.5 * (len(panels) - 1)  # title, axis labels, legend
    # Rows shrink before the figure outgrows a printed A4 page (MAX_HEIGHT).
    per_row = min(0.3 * max(1.0, 0.6 * k), (MAX_HEIGHT - frame) / rows)
    fig = new_figure(max(2.6, frame + per_row * rows))
    axes = fig.subplots(
        len(panels),
        1,
        squeeze=False,
        gridspec_kw={"height_ratios": [max(len(labels), 1) for _, labels in panels]},
    )[:, 0]
    level = _level(comparison)
    for ax, (scale, labels) in zip(axes, panels, strict=True):
        _draw_changes(ax, data[data["scale"] == scale], labels, redesigns, col)
        _change_axis(ax, scale, labels, level)
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
    legend_below(fig, handles, names)
    return fig


def _panels(data: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """``(scale, KPI labels)`` of each panel: relative changes, then proportions; one empty
    panel when there is nothing to draw."""
    panels = [
        (scale, list(dict.fromkeys(data.loc[data["scale"] == scale, "label"])))
        for scale in ("%", "pp")
    ]
    return [(scale, labels) for scale, labels in panels if labels] or [("%", [])]


def _draw_changes(
    ax: Axes,
    data: pd.DataFrame,
    labels: list[str],
    redesigns: Sequence[str],
    col: Mapping[str, str],
) -> None:
    """A marker with its CI whisker per KPI and redesign, the redesigns side by side."""
    k = len(redesigns)
    step = 0.7 / k
    for j, s in enumerate(redesigns):
        sub = data[data["scenario"] == s]
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


def _change_axis(ax: Axes, scale: str, labels: list[str], level: float) -> None:
    """The zero line, the KPI names down the side and the change axis in % or in pp."""
    ax.axvline(0, color="#222222", lw=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    if scale == "pp":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f} pp" if v else "0"))
        ax.set_xlabel(f"change vs {BASELINE} in percentage points (proportions), {ci_label(level)}")
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}%" if v else "0%"))
        ax.set_xlabel(f"change vs {BASELINE} (% of the {BASELINE} value), {ci_label(level)}")


def _level(frame: pd.DataFrame, default: float = 0.95) -> float:
    if "level" in frame and frame["level"].notna().any():
        return float(frame["level"].dropna().iloc[0])
    return default
