"""The Python API: compose a study, run it, get pandas tables. What the CLI uses, too.

Sits on top of the data flow for notebooks and scripts::

    import procsim
    study = procsim.compose(scenario="merged_approval", overrides=["run.replications=10"])
    results = procsim.run(study)
    results.summary          # mean and 95% CI per KPI, current and redesign
    results.comparison       # paired differences (common random numbers)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from procsim import __version__
from procsim.config import BASELINE, Study
from procsim.model import Model, RunSettings
from procsim.output import write_json, write_table, write_text, write_yaml
from procsim.report_table import target_table, terminal_table
from procsim.runner import run_study
from procsim.stats import compare, summarize


@dataclass
class Results:
    """Everything a run produced, as tidy pandas tables.

    Attributes
    ----------
    study
        The composed study (configs as plain mappings).
    models, run
        The validated models (label -> model) and run settings.
    kpis
        One row per scenario, replication, metric and entity.
    summary
        Mean, sd, n and 95% CI per scenario, metric and entity.
    comparison
        Paired differences of the redesign against the current process (None without one).
    targets
        Each target's estimate, CI and status (met / missed / uncertain).
    visits, cases
        Simulated event logs of all replications (event-log columns).
    warnings
        Messages for the analyst.
    """

    study: Study
    models: dict[str, Model]
    run: RunSettings
    kpis: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame | None
    targets: pd.DataFrame
    visits: pd.DataFrame
    cases: pd.DataFrame
    warnings: list[str]

    def table(self) -> str:
        """The compact text table of headline KPIs."""
        return terminal_table(self.summary, self.comparison, self.targets, self.models)

    def save(self, folder: str | Path, *, command: str = "") -> Path:
        """Write every table (CSV and Parquet), the logs (Parquet) and the resolved configs.

        Returns
        -------
        pathlib.Path
            The folder.
        """
        folder = Path(folder)
        tables = folder / "tables"
        write_table(self.kpis, tables, "kpis")
        write_table(self.summary, tables, "summary")
        write_table(self.targets, tables, "targets")
        if self.comparison is not None:
            write_table(self.comparison, tables, "comparison")
        write_table(self.visits, tables, "visits", csv=False)
        write_table(self.cases, tables, "cases", csv=False)
        for label, config in self.study.configs.items():
            write_yaml(folder / "resolved" / f"{label}.yaml", config)
        write_json(
            folder / "run.json",
            {
                "procsim_version": __version__,
                "command": command,
                "overrides": self.study.overrides,
                "scenarios": self.study.scenarios,
                "descriptions": self.study.descriptions,
                "run": self.run.__dict__,
                "warnings": self.warnings,
                "offered_load": {label: m.offered_load() for label, m in self.models.items()},
                "models": {label: describe_model(m) for label, m in self.models.items()},
            },
        )
        write_text(folder / "summary.txt", self.table() + "\n")
        return folder


def describe_model(model: Model) -> dict[str, Any]:
    """A JSON-friendly description of a model, for reports and ``run.json``."""
    names = model.stage_names
    return {
        "name": model.name,
        "description": model.description,
        "time_unit": model.time_unit,
        "arrival_rate": model.arrival_rate,
        "interarrival": model.interarrival.describe(),
        "start": names[model.start],
        "stages": [
            {
                "name": s.name,
                "role": model.roles[s.role].name if s.role is not None else None,
                "duration": s.duration.describe(),
                "mean_duration": s.duration.mean,
                "value": s.value,
                "cost": s.cost,
                "next": {
                    ("end" if t < 0 else names[t]): p
                    for t, p in zip(s.successors, s.probabilities, strict=True)
                },
                "description": s.description,
            }
            for s in model.stages
        ],
        "roles": [
            {"name": r.name, "servers": r.servers, "cost_per_hour": r.cost_per_hour}
            for r in model.roles
        ],
        "slas": [
            {
                "name": s.name,
                "within": s.within,
                "from": s.start.label(names),
                "to": s.end.label(names),
                "target": s.target,
                "description": s.description,
            }
            for s in model.slas
        ],
        "targets": [
            {"name": t.name, "metric": t.metric, "entity": t.entity, "op": t.op, "value": t.value}
            for t in model.targets
        ],
    }


def run(study: Study, progress: Callable[[int, int], None] | None = None) -> Results:
    """Validate and simulate a composed study.

    Parameters
    ----------
    study
        From :func:`procsim.compose` (or built by hand from plain mappings).
    progress
        Optional callback ``progress(done, total)``.

    Raises
    ------
    procsim.errors.ProcsimError
        When any config is invalid: every problem is listed.
    """
    models, settings = study.build()
    sim = run_study(models, settings, progress)
    summary = summarize(sim.kpis)
    comparison = None
    labels = list(models)
    if len(labels) > 1:
        comparison = pd.concat(
            [compare(sim.kpis, BASELINE, label) for label in labels[1:]], ignore_index=True
        )
    return Results(
        study,
        models,
        settings,
        sim.kpis,
        summary,
        comparison,
        target_table(summary, models),
        sim.visits,
        sim.cases,
        sim.warnings,
    )


def from_configs(configs: dict[str, dict[str, Any]]) -> Study:
    """A study from plain mappings (label -> config); the first one is the current process."""
    first = next(iter(configs))
    return Study(configs={BASELINE if k == first else k: v for k, v in configs.items()})
