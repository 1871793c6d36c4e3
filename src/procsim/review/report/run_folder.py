"""Reading a run folder for the report: ``run.json``, the tables and the resolved configs, each
checked, into one :class:`RunFolder`.

The start of the report: reads only what a run saved (:meth:`procsim.Results.save`), never
simulates, so the report of any past run can be rebuilt; every content section reads the
:class:`RunFolder`. A folder that is not a complete run folder raises
:class:`ReportInputError` naming the path, what was expected and a hint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from procsim.errors import ProcsimError
from procsim.model.process import BASELINE
from procsim.review.report.config_values import mapping, section

_REQUIRED_TABLES = ("summary", "targets")
_HINT = (
    "pass the folder a run printed as 'results: ...' (e.g. outputs/<date>/<time>), or one "
    "written by Results.save()"
)


class ReportInputError(ProcsimError):
    """A folder that is not a complete procsim run folder (names the path and what is missing)."""


@dataclass
class RunFolder:
    """What a run folder holds, read once.

    Attributes
    ----------
    folder
        The run folder.
    info
        ``run.json``: run settings, model descriptions, offered load, warnings, the command.
    summary, targets
        ``tables/summary`` and ``tables/targets``.
    comparison, ranking
        ``tables/comparison`` and ``tables/ranking``; None when the run has none.
    resolved
        Scenario label -> its resolved config (``resolved/<label>.yaml``), where saved.
    labels
        The scenario labels in run order, the current process first.
    """

    folder: Path
    info: dict[str, Any]
    summary: pd.DataFrame
    targets: pd.DataFrame
    comparison: pd.DataFrame | None
    ranking: pd.DataFrame | None
    resolved: dict[str, dict[str, Any]]
    labels: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """The current process's time unit (``hours`` when not saved)."""
        model = mapping(mapping(self.info.get("models")).get(BASELINE))
        unit = model.get("time_unit")
        return str(unit) if unit else "hours"

    @property
    def process_name(self) -> str:
        """The current process's name, from ``run.json`` or its resolved config."""
        model = mapping(mapping(self.info.get("models")).get(BASELINE))
        name = model.get("name") or section(self.resolved.get(BASELINE, {}), "process").get("name")
        return str(name or "process")


def read_run(folder: Path) -> RunFolder:
    """Read and check a run folder.

    Parameters
    ----------
    folder
        A run folder as written by ``procsim`` or :meth:`procsim.Results.save`.

    Returns
    -------
    RunFolder
        Its ``run.json``, tables and resolved configs.

    Raises
    ------
    ReportInputError
        When the folder is missing, is not a folder, lacks ``run.json`` or a required table
        (``summary``, ``targets``, and ``comparison`` with a redesign), or holds a file that
        cannot be read.
    """
    info = _read_info(folder)
    tables = {name: _required_table(folder, name) for name in _REQUIRED_TABLES}
    labels = [str(k) for k in mapping(info.get("models")) or mapping(info.get("descriptions"))]
    if not labels:
        labels = [str(s) for s in pd.unique(tables["summary"]["scenario"])]
    comparison = _read_table(folder, "comparison", required=len(labels) > 1)
    ranking = _read_table(folder, "ranking", required=False)
    return RunFolder(
        folder,
        info,
        tables["summary"],
        tables["targets"],
        comparison,
        ranking,
        _read_resolved(folder, labels),
        labels,
    )


def table_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The rows of a table as dicts with text keys (none for a missing table)."""
    if frame is None:
        return []
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def keyed_rows(frame: pd.DataFrame | None) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The rows of a ``summary`` or ``targets`` table by ``(scenario, metric, entity)``."""
    return {(str(r["scenario"]), str(r["metric"]), str(r["entity"])): r for r in table_rows(frame)}


def _read_info(folder: Path) -> dict[str, Any]:
    """``run.json`` of a run folder, after checking that the folder is one."""
    expected = "a procsim run folder with run.json and tables/summary.parquet"
    if not folder.exists():
        raise ReportInputError(f"{folder}: no such folder (expected {expected}). Hint: {_HINT}")
    if not folder.is_dir():
        raise ReportInputError(f"{folder}: not a folder (expected {expected}). Hint: {_HINT}")
    run_json = folder / "run.json"
    if not run_json.is_file():
        jobs = sorted(p.parent.name for p in folder.glob("*/run.json"))
        hint = (
            f"this looks like a sweep folder; pass one of its job folders, e.g. {folder / jobs[0]}"
            if jobs
            else _HINT
        )
        raise ReportInputError(
            f"{folder}: not a procsim run folder: run.json is missing (expected {expected}). "
            f"Hint: {hint}"
        )
    try:
        info = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _unreadable(
            run_json, f"cannot read it ({exc}; expected the JSON a run writes)"
        ) from None
    if not isinstance(info, dict):
        raise ReportInputError(f"{run_json}: expected a JSON object, got {type(info).__name__}")
    return info


def _read_resolved(folder: Path, labels: list[str]) -> dict[str, dict[str, Any]]:
    """Label -> ``resolved/<label>.yaml``, for the labels whose file is there."""
    resolved: dict[str, dict[str, Any]] = {}
    for label in labels:
        path = folder / "resolved" / f"{label}.yaml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise _unreadable(path, f"cannot read it as YAML ({_one_line(exc)})") from None
            resolved[label] = mapping(data)
    return resolved


def _required_table(folder: Path, name: str) -> pd.DataFrame:
    frame = _read_table(folder, name, required=True)
    assert frame is not None
    return frame


def _read_table(folder: Path, name: str, *, required: bool) -> pd.DataFrame | None:
    """``tables/<name>.parquet`` (or ``.csv``) with text keys as text ("" for no entity)."""
    parquet, csv = folder / "tables" / f"{name}.parquet", folder / "tables" / f"{name}.csv"
    path = parquet if parquet.is_file() else csv
    if not path.is_file():
        if not required:
            return None
        raise ReportInputError(
            f"{folder}: tables/{name}.parquet (or .csv) is missing (expected the tables a "
            f"procsim run writes: tables/summary, tables/targets and, with a redesign, "
            f"tables/comparison). Hint: run the simulation again, or {_HINT}"
        )
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow and the CSV parser raise many kinds
        raise _unreadable(path, f"cannot read the table ({_one_line(exc)[:200]})") from None
    for col in ("scenario", "metric", "entity", "target", "goal", "status", "met", "verdict"):
        if col in frame.columns:
            frame[col] = frame[col].fillna("").astype(str)
    needed = {"summary": {"scenario", "metric", "entity", "mean", "half_width"}}.get(name, set())
    missing = needed - set(frame.columns)
    if missing:
        raise _unreadable(
            path,
            f"missing column(s) {', '.join(sorted(missing))} (expected a procsim {name} table)",
        )
    return frame


def _unreadable(path: Path, why: str) -> ReportInputError:
    """A file of the folder that procsim wrote but cannot read back: rewriting the folder (by
    running the simulation again) is the fix."""
    return ReportInputError(f"{path}: {why}. Hint: run the simulation again to rewrite the folder")


def _one_line(exc: Exception) -> str:
    """An error message on one line (parsers' messages span several)."""
    return " ".join(str(exc).split())
