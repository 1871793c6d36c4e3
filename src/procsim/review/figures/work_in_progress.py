"""The work-in-progress figure: cases in the process over simulated time, mean over the
replications and a band per scenario, with the warm-up shaded (the visual warm-up check).

Reads the ``cases`` table of a run folder (drawn by
:mod:`~procsim.review.figures.run_figures`); the WIP of one replication comes from
:func:`procsim.measure.warmup.wip_series`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from procsim.measure.warmup import left_column, wip_series
from procsim.review.figures.scenarios import colors_for, scenario_order
from procsim.review.figures.style import legend_below, new_figure, styled, time_label


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
    for scenario in scenario_order(cases):
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


@styled
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
        The model's time unit: simulated time runs along the x axis in it.
    colors
        Scenario -> colour (default :func:`scenario_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; the legend has one entry per scenario, its band with its line.
    """
    bands = wip_bands(cases, points, end)
    scenarios = scenario_order(bands)
    col = colors_for(colors, scenarios)
    fig = new_figure(3.8)
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
        _shade_warmup(ax, warmup, right)
    band = "10–90% of" if reps >= 10 else "min–max over"
    ax.set_xlabel(f"simulated time ({time_label(time_unit)})")
    ax.set_ylabel("work in progress (cases)")
    ax.set_title(f"Work in progress over time (line: mean; band: {band} {reps} replications)")
    legend_below(fig, handles, names)
    return fig


def _shade_warmup(ax: Axes, warmup: float, right: float) -> None:
    """The warm-up hatched and labelled: the WIP should level off after it."""
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
