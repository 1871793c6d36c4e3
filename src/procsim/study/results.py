"""The results of a study: its tidy tables, and saving them into a run folder.

Sits at the end of a study (:func:`procsim.study.api.run` builds it) and before the review:
:meth:`Results.save` writes the tables (CSV and Parquet), the event logs, the resolved configs
and ``run.json``, which figures, the report and ``procsim-reproduce`` read back.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from procsim.config.composed_study import Study
from procsim.errors import ProcsimWarning
from procsim.files import file_sha256, write_json, write_table, write_text, write_yaml
from procsim.model.process import Model, RunSettings
from procsim.review.kpi_frame import kpi_frame, kpi_html
from procsim.review.terminal import terminal_table
from procsim.study.model_description import describe_model
from procsim.versions import __version__, versions

#: Rows a spreadsheet holds (Excel: 1,048,576 including the header); smaller event logs are
#: also written as CSV.
SPREADSHEET_ROWS = 1_048_576


# A notebook shows the KPI table, not the dataclass repr of every DataFrame.
@dataclass(repr=False)
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
        Problems the analyst should look at (overload, precision not reached, few replications).
    ranking
        Every model ranked on the study's ``rank_by`` KPI, with ties (None without a redesign).
    precision
        The relative CI half-width of each of ``run.precision_kpis``, per scenario.
    notes
        How the numbers were obtained (estimated warm-up, precision reached, corrections).
    analytic
        Analytic estimates beside the simulated means, and whether each is inside the CI.
    interrupted
        True when Ctrl-C (or a worker process that died) stopped the replications: the
        results cover the finished ones.
    interrupted_by
        What stopped them: ``"Ctrl-C"``, or a worker process that died; "" when nothing did.
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
    ranking: pd.DataFrame | None = None
    precision: pd.DataFrame | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    analytic: pd.DataFrame | None = None
    interrupted: bool = False
    interrupted_by: str = ""

    def table(self) -> str:
        """The compact text table of headline KPIs."""
        return terminal_table(
            self.summary,
            self.comparison,
            self.targets,
            self.models,
            self.ranking,
            self.run.confidence,
        )

    def kpi_table(self) -> pd.DataFrame:
        """The headline KPIs as a small text table: a row per KPI, a column per scenario, each
        redesign's change and the targets (what a notebook shows for the results)."""
        return kpi_frame(self.summary, self.comparison, self.targets, self.models)

    def __repr__(self) -> str:
        labels = ", ".join(self.models)
        head = f"<procsim.Results: {labels}; {self.run.replications} replication(s)"
        head += "; interrupted>" if self.interrupted else ">"
        return head + "\n" + self.table()

    def _repr_html_(self) -> str:
        return kpi_html(self.kpi_table(), self.run.confidence, self.run.replications,
                        self.warnings)  # fmt: skip

    def save(
        self,
        folder: str | Path,
        *,
        command: str = "",
        figures: bool = True,
        report: bool = True,
    ) -> Path:
        """Write every table (CSV and Parquet), the logs, the resolved configs, and (unless
        told not to) the figures and the report, as ``procsim`` does on the command line.

        Parameters
        ----------
        folder
            The run folder (created if missing).
        command
            The command line recorded in ``run.json`` (for ``procsim-reproduce``).
        figures, report
            Whether to draw ``figures/`` and write ``report.html`` / ``report.md``. A failure
            there is a :class:`~procsim.errors.ProcsimWarning`, never a lost table:
            ``procsim-report <folder>`` can draw them later.

        Returns
        -------
        pathlib.Path
            The folder.
        """
        folder = self._save_tables(Path(folder), command)
        if figures or report:
            self._save_review(folder, figures, report)
        return folder

    def _save_review(self, folder: Path, figures: bool, report: bool) -> None:
        """The figures and the report of a saved run folder."""
        from procsim.review.figures.run_figures import make_figures
        from procsim.review.report.build import build_report

        try:
            if figures:
                make_figures(folder)
            if report:
                build_report(folder)
        except Exception as exc:  # the tables are saved; procsim-report can retry
            warnings.warn(
                f"figures/report not written ({type(exc).__name__}: {exc}). The tables are "
                f"saved; retry with: procsim-report {folder}",
                ProcsimWarning,
                stacklevel=3,
            )

    def _save_tables(self, folder: Path, command: str) -> Path:
        """Tables, logs, resolved configs, ``run.json`` and ``summary.txt``."""
        tables = folder / "tables"
        write_table(self.kpis, tables, "kpis")
        write_table(self.summary, tables, "summary")
        write_table(self.targets, tables, "targets")
        if self.comparison is not None:
            write_table(self.comparison, tables, "comparison")
        if self.ranking is not None:
            write_table(self.ranking, tables, "ranking")
        if self.precision is not None and len(self.precision):
            write_table(self.precision, tables, "precision")
        if self.analytic is not None:
            write_table(self.analytic, tables, "analytic")
        # The event logs also as CSV while a spreadsheet can open them; beyond that CSV only
        # costs time and disk, and Parquet keeps every row.
        for name, log in (("visits", self.visits), ("cases", self.cases)):
            write_table(log, tables, name, csv=len(log) < SPREADSHEET_ROWS)
        inputs: dict[str, str] = {}
        for label, config in self.study.configs.items():
            path = folder / "resolved" / f"{label}.yaml"
            write_yaml(path, config)
            inputs[f"resolved/{label}.yaml"] = file_sha256(path)
        write_json(
            folder / "run.json",
            {
                "procsim_version": __version__,
                "versions": versions(),
                # The run's inputs are its resolved configs: their hashes tell a later reader
                # (and procsim-reproduce) whether the files are still the ones that ran.
                "inputs_sha256": inputs,
                "rank_by": self.study.rank_by,
                "command": command,
                "overrides": self.study.overrides,
                "scenarios": self.study.scenarios,
                "descriptions": self.study.descriptions,
                "run": self.run.__dict__,
                "warnings": self.warnings,
                "notes": self.notes,
                "offered_load": {label: m.offered_load() for label, m in self.models.items()},
                "models": {label: describe_model(m) for label, m in self.models.items()},
            },
        )
        write_text(folder / "summary.txt", self.table() + "\n")
        return folder
