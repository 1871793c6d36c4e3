"""The cycle time figure: the distribution (ECDF) of the cycle times of completed cases per
scenario, with the end-to-end SLAs as lines.

Reads the ``cases`` table of a run folder (drawn by
:mod:`~procsim.review.figures.run_figures`); :func:`ecdf` also serves the validation figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import PERCENT, legend_below, new_figure, styled, time_label


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


def end_to_end_slas(models: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, float]]:
    """``(name, within)`` of the SLAs from arrival to completion, over all models."""
    found: dict[tuple[str, float], None] = {}
    for model in models.values():
        for sla in model.get("slas", []):
            if sla.get("from") == "arrival" and sla.get("to") == "completion":
                found[(str(sla["name"]), float(sla["within"]))] = None
    return list(found)


@styled
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
        The model's time unit, for the cycle time axis and the SLA labels.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, with a secondary top axis naming the SLAs when there are any.
    """
    fig = new_figure(4.0)
    ax = fig.add_subplot()
    scenarios = scenario_order(cases)
    col = colors_for(colors, scenarios)
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
            [w for _, w in slas], [f"{n}\n{w:g} {time_label(time_unit)}" for n, w in slas]
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
        ax.set_xlabel(f"cycle time ({time_label(time_unit)}, log scale: long tail)")
    else:
        ax.set_xlim(0, top * 1.03 if top > 0 else 1)
        ax.set_xlabel(f"cycle time ({time_label(time_unit)})")
    ax.set_ylim(0, 101)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_ylabel("completed cases within (%)")
    ax.set_title("Cycle time distribution (completed cases after warm-up)")
    handles, names = ax.get_legend_handles_labels()
    if slas:
        handles.append(Line2D([], [], color="#222222", ls="--", lw=1))
        names.append("SLA threshold")
    legend_below(fig, handles, names)
    return fig


def _long_tail(values: np.ndarray) -> bool:
    """True when a linear axis would crush most cycle times into its first few percent: the
    longest is more than 20 times the 90th percentile (at least 100 positive values)."""
    x = values[np.isfinite(values) & (values > 0)]
    return bool(x.size >= 100 and float(x.max()) > 20 * float(np.quantile(x, 0.9)))
