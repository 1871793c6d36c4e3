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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.files import write_json, write_table

JOB_FILE = "job.json"


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
        # Imported here: matplotlib loads only when a sweep has figures to draw.
        from procsim.review.figures.sweep import plot_sweep

        plot_sweep(result, sweep_dir / "figures", _target_values(sweep_dir, result.jobs), unit)
    return result
