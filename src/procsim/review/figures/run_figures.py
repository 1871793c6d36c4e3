"""Every figure of a run folder: reads its saved tables and writes ``figures/<name>.png`` and
``.svg``.

Sits after the tables of a run are saved (:meth:`procsim.Results.save`) and before the report
(:mod:`procsim.review.report`), which embeds the figures by the names in :data:`FIGURES`.
Reads only the files of the folder (``tables/*.parquet`` and ``run.json``), so a run saved
earlier can be drawn again; each figure is drawn by the ``plot_<name>`` function of its own
module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from procsim.review.figures.cycle_times import end_to_end_slas, plot_cycle_time_distribution
from procsim.review.figures.kpi_changes import plot_kpi_differences
from procsim.review.figures.scenarios import scenario_colors, scenario_order
from procsim.review.figures.sla_attainment import plot_sla_attainment, sla_targets
from procsim.review.figures.staffing_week import plot_staffing_week, week_varies
from procsim.review.figures.stages import plot_stage_waiting, plot_time_pareto, stage_order
from procsim.review.figures.style import save_figure
from procsim.review.figures.utilization import plot_utilization
from procsim.review.figures.work_in_progress import plot_wip_over_time

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


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


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
    info: dict[str, Any] = {}
    if (folder / "run.json").exists():
        info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    builders = _builders(folder / "tables", info)
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


def _builders(tables: Path, info: dict[str, Any]) -> dict[str, Callable[[], Figure]]:
    """Name -> how to draw it, for each figure that applies to the run; each is drawn only
    when its turn comes, so one figure at a time holds its artists."""
    run: dict[str, Any] = info.get("run", {})
    models: dict[str, dict[str, Any]] = info.get("models", {})
    summary = pd.read_parquet(tables / "summary.parquet")
    cases = _read(tables / "cases.parquet")
    comparison = _read(tables / "comparison.parquet")
    order = list(models) or scenario_order(summary)
    colors = scenario_colors([*order, *scenario_order(summary)])
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
            summary, targets=sla_targets(models), level=level, colors=colors
        )
    if week_varies(models):
        builders["staffing_week"] = lambda: plot_staffing_week(models, colors=colors)
    return builders
