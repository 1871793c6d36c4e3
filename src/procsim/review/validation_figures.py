"""Side-by-side figures of a real log and simulated ones, for ``procsim-validate``.

Sits after :mod:`procsim.mining.log_comparison`: plain tables in, PNG files out (matplotlib
``Figure`` objects, no pyplot), in the style of :mod:`procsim.review.figures.style`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from procsim.mining.distances import cycle_times
from procsim.review.figures.cycle_times import ecdf
from procsim.review.figures.scenarios import PALETTE
from procsim.review.figures.style import WIDTH, save_figure, week_axis

if TYPE_CHECKING:
    from procsim.mining.log_comparison import Validation

REAL = "#222222"
SIM = PALETTE[1]


def _runs(sim: pd.DataFrame) -> list[pd.DataFrame]:
    return [g for _, g in sim.groupby("run", sort=True)]


def activity_times(log: pd.DataFrame) -> pd.DataFrame:
    """Mean waiting (from the end of the case's previous activity) and processing per activity,
    in hours."""
    ordered = log.sort_values(["case_id", "start_time", "end_time"], kind="stable")
    prev_end = ordered.groupby("case_id", sort=False)["end_time"].shift(1)
    wait = (ordered["start_time"] - prev_end).dt.total_seconds() / 3600
    proc = (ordered["end_time"] - ordered["start_time"]).dt.total_seconds() / 3600
    frame = pd.DataFrame({"activity": ordered["activity"], "waiting": wait, "processing": proc})
    return frame.groupby("activity").mean()


def by_hour_of_week(times: pd.Series, weeks: float) -> np.ndarray:
    """Counts per hour of week, per week of the period."""
    how = times.dt.day_of_week.to_numpy() * 24 + times.dt.hour.to_numpy()
    return np.bincount(how, minlength=168) / max(weeks, 1e-9)


def wip_by_hour_of_week(log: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Mean number of open cases (first start to last end) per hour of week."""
    g = log.groupby("case_id")
    first, last = g["start_time"].min(), g["end_time"].max()
    grid = pd.date_range(start.floor("h"), end.ceil("h"), freq="h")
    t = grid.to_numpy()
    opened = np.searchsorted(np.sort(first.to_numpy()), t, side="right")
    closed = np.searchsorted(np.sort(last.to_numpy()), t, side="right")
    wip = opened - closed
    how = grid.day_of_week.to_numpy() * 24 + grid.hour.to_numpy()
    total = np.bincount(how, weights=wip, minlength=168)
    count = np.bincount(how, minlength=168)
    return np.divide(total, count, out=np.zeros(168), where=count > 0)


def validation_figures(result: Validation, folder: Path) -> dict[str, Path]:
    """Write the validation figures as PNG into ``folder``; return name -> path."""
    real, sim = result.real, result.simulated
    runs = _runs(sim)
    out: dict[str, Path] = {}

    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for k, run in enumerate(runs):
        x, y = ecdf(cycle_times(run))
        ax.step(x, y, where="post", color=SIM, lw=0.8, alpha=0.5,
                label="simulated (each run)" if k == 0 else None)  # fmt: skip
    x, y = ecdf(cycle_times(real))
    ax.step(x, y, where="post", color=REAL, lw=1.8, label="real log")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("cycle time (hours, log scale above 1 h)")
    ax.set_ylabel("share of cases done")
    ax.set_title("Cycle times: real log and simulated logs")
    ax.legend(loc="lower right")
    out["cycle_times"] = folder / "cycle_times.png"

    figs: dict[str, Figure] = {"cycle_times": fig}

    real_times = activity_times(real)
    sim_times = pd.concat([activity_times(r) for r in runs], keys=range(len(runs)))
    acts = list(real_times.index)
    fig = Figure(figsize=(WIDTH, 1.2 + 0.5 * len(acts)), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(acts))
    for ax, col in zip(axes, ("waiting", "processing"), strict=True):
        r = real_times[col].reindex(acts).to_numpy(dtype=float)
        per_run = sim_times[col].unstack(0).reindex(acts)
        mean = per_run.mean(axis=1).to_numpy(dtype=float)
        low = per_run.min(axis=1).to_numpy(dtype=float)
        high = per_run.max(axis=1).to_numpy(dtype=float)
        ax.barh(y - 0.2, r, height=0.38, color=REAL, label="real log")
        err = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)])
        ax.barh(y + 0.2, mean, height=0.38, color=SIM, xerr=np.nan_to_num(err),
                label="simulated (mean, min-max)")  # fmt: skip
        ax.set_xlabel(f"mean {col} (hours)")
        ax.set_title(f"{col.capitalize()} per activity")
    axes[0].set_yticks(y, labels=acts)
    axes[0].invert_yaxis()
    axes[1].legend(loc="lower right")
    figs["activity_times"] = fig

    first, last = result.window
    weeks = max((last - first) / pd.Timedelta(days=7), 1 / 7)
    fig = Figure(figsize=(WIDTH, 5.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    hours = np.arange(168)
    real_arr = by_hour_of_week(real.groupby("case_id")["start_time"].min(), weeks)
    sim_arr = np.mean(
        [by_hour_of_week(r.groupby("case_id")["start_time"].min(), weeks) for r in runs], axis=0
    )
    top.step(hours, real_arr, where="post", color=REAL, lw=1.4, label="real log")
    top.step(hours, sim_arr, where="post", color=SIM, lw=1.4, label="simulated (mean)")
    top.set_ylabel("arrivals per hour")
    top.set_title("Arrivals and work in progress by hour of week")
    top.legend(loc="upper right")
    end = real["end_time"].max()
    real_wip = wip_by_hour_of_week(real, first, end)
    sim_wip = np.mean([wip_by_hour_of_week(r, first, end) for r in runs], axis=0)
    bottom.step(hours, real_wip, where="post", color=REAL, lw=1.4)
    bottom.step(hours, sim_wip, where="post", color=SIM, lw=1.4)
    bottom.set_ylabel("open cases")
    week_axis(bottom)
    figs["arrivals_and_wip"] = fig

    for name, f in figs.items():
        path = folder / f"{name}.png"
        save_figure(f, path, "png")
        out[name] = path
    return out
