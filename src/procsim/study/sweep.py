"""Sweeps: record each job's outcome, and collect a finished Hydra multirun into one table.

Sits after the run folders are written. Every job writes ``job.json`` (status, overrides,
error); at the end of a sweep :func:`write_sweep` (called by the Hydra callback
:class:`procsim.cli.sweep_callback.CollectSweep`, in the main process whatever the launcher)
reads the job folders from disk and writes ``sweep_summary`` (one row
per job, scenario and KPI, with a column per swept parameter), ``sweep_jobs`` (one row per job,
failed ones included) and one plot per headline KPI against the swept parameter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procsim.files import write_json, write_table

JOB_FILE = "job.json"

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


def record_job(
    folder: Path,
    status: str,
    overrides: Sequence[str],
    error: str = "",
    warnings: Sequence[str] = (),
) -> None:
    """Write ``job.json`` into a job folder: ``status`` is ``ok``, ``failed`` or ``interrupted``."""
    write_json(
        folder / JOB_FILE,
        {"status": status, "overrides": list(overrides), "error": error,
         "warnings": list(warnings)},
    )  # fmt: skip


def parse_overrides(overrides: Sequence[str]) -> dict[str, str]:
    """``key=value`` overrides as a mapping (prefixes ``+``/``++``/``~`` dropped)."""
    out: dict[str, str] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if sep:
            out[key.lstrip("+~")] = value
    return out


@dataclass
class SweepResults:
    """A collected sweep.

    Attributes
    ----------
    jobs
        One row per job: ``job, status, error`` and a column per swept parameter.
    summary
        One row per job, scenario, metric and entity: the swept parameters, ``mean, ci_low,
        ci_high, n`` and the target status where a target exists.
    parameters
        The swept parameters (override keys whose values differ between jobs).
    """

    jobs: pd.DataFrame
    summary: pd.DataFrame
    parameters: list[str]

    @property
    def failed(self) -> int:
        """How many jobs failed."""
        return int((self.jobs["status"] != "ok").sum()) if len(self.jobs) else 0


def _job_folders(sweep_dir: Path) -> list[Path]:
    folders = [p for p in sweep_dir.iterdir() if p.is_dir() and (p / JOB_FILE).is_file()]
    return sorted(folders, key=lambda p: (len(p.name), p.name))


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def collect_sweep(sweep_dir: Path) -> SweepResults:
    """Read every job folder of a sweep (failed jobs included) into tidy tables."""
    rows = []
    params_by_job: dict[str, dict[str, str]] = {}
    for folder in _job_folders(sweep_dir):
        info = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
        params = parse_overrides(info.get("overrides", []))
        params_by_job[folder.name] = params
        rows.append({"job": folder.name, "status": info.get("status", "failed"),
                     "error": info.get("error", "")})  # fmt: skip
    keys = list(dict.fromkeys(k for p in params_by_job.values() for k in p))  # command order
    swept = [k for k in keys if len({p.get(k, "") for p in params_by_job.values()}) > 1] or [
        k for k in keys if k not in ("process",)
    ][:1]
    jobs = pd.DataFrame(rows, columns=["job", "status", "error"])
    for key in swept:
        jobs[key] = [_number(params_by_job[j].get(key, "")) for j in jobs["job"]]
    frames = []
    for job in jobs.itertuples():
        if job.status != "ok":
            continue
        tables = sweep_dir / str(job.job) / "tables"
        summary = pd.read_parquet(tables / "summary.parquet")
        targets_file = tables / "targets.parquet"
        if targets_file.is_file():
            targets = pd.read_parquet(targets_file)[
                ["scenario", "metric", "entity", "goal", "status"]
            ]
            summary = summary.merge(
                targets.rename(columns={"status": "target_status"}),
                on=["scenario", "metric", "entity"],
                how="left",
            )
        summary.insert(0, "job", str(job.job))
        for i, key in enumerate(swept):
            summary.insert(1 + i, key, _number(params_by_job[str(job.job)].get(key, "")))
        frames.append(summary)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return SweepResults(jobs, table, swept)


def _target_values(sweep_dir: Path, jobs: pd.DataFrame) -> dict[tuple[str, str], float]:
    """(metric, entity) -> target value, from the first successful job's run.json."""
    for job in jobs.itertuples():
        if job.status == "ok":
            run = json.loads((sweep_dir / str(job.job) / "run.json").read_text(encoding="utf-8"))
            out = {}
            for model in run.get("models", {}).values():
                for t in model.get("targets", []):
                    out[(t["metric"], t["entity"])] = float(t["value"])
            return out
    return {}


def plot_sweep(
    result: SweepResults,
    folder: Path,
    targets: dict[tuple[str, str], float],
    time_unit: str = "hours",
) -> list[Path]:
    """One figure per headline KPI (and entity) against the first swept parameter, with CI
    bands, a line per scenario (and per value of any other swept parameter), and the KPI's
    target as a dashed line. Non-numeric first parameters are drawn as categories."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from procsim.model.kpi_catalogue import CATALOGUE
    from procsim.review.figures import scenario_colors

    table = result.summary
    if table.empty or not result.parameters:
        return []
    x_key = result.parameters[0]
    others = result.parameters[1:]
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    colors = scenario_colors(list(dict.fromkeys(str(s) for s in table["scenario"])))
    dashes = ["-", "--", ":", "-."]
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
            variants: dict[str, int] = {}
            for keys, line in sub.groupby(["scenario", *others], sort=False):
                parts = keys if isinstance(keys, tuple) else (keys,)
                label = " ".join(str(k) for k in parts)
                rest = " ".join(str(k) for k in parts[1:])
                style = dashes[variants.setdefault(rest, len(variants)) % len(dashes)]
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
            unit = {
                "time": time_unit,
                "share": "%",
                "money": "cost",
                "per_day": "cases/day",
                "cases": "cases",
            }[kpi.unit]
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


def write_sweep(sweep_dir: Path) -> SweepResults:
    """Collect a sweep and write its tables and plots into the sweep folder."""
    result = collect_sweep(sweep_dir)
    write_table(result.jobs, sweep_dir, "sweep_jobs")
    if not result.summary.empty:
        write_table(result.summary, sweep_dir, "sweep_summary")
        unit = "hours"
        ok = result.jobs[result.jobs["status"] == "ok"]
        if len(ok):
            run = json.loads((sweep_dir / str(ok["job"].iloc[0]) / "run.json").read_text())
            models: dict[str, Any] = run.get("models", {})
            first: dict[str, Any] = next(iter(models.values()), {})
            unit = str(first.get("time_unit", "hours"))
        plot_sweep(result, sweep_dir / "figures", _target_values(sweep_dir, result.jobs), unit)
    return result
