"""The Python API: compose a study, run it, get pandas tables. What the CLI uses, too.

Sits on top of the data flow for notebooks and scripts::

    import procsim
    study = procsim.compose(scenario="merged_approval", overrides=["run.replications=10"])
    results = procsim.run(study)
    results.summary          # mean and 95% CI per KPI, current and redesign
    results.comparison       # paired differences (common random numbers)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.config.composed_study import Study
from procsim.errors import Issue, ModelError, ProcsimError, did_you_mean
from procsim.files import file_sha256, write_json, write_table, write_text, write_yaml
from procsim.measure.analytic import beside
from procsim.measure.stats import (
    auto_warmup,
    bonferroni_level,
    compare,
    ranking,
    relative_precision,
    replications_needed,
    summarize,
)
from procsim.model.calendar import WeeklyProfile
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.model.process import BASELINE, Model, RunSettings
from procsim.model.units import UNIT_HOURS
from procsim.review.terminal import target_table, terminal_table
from procsim.study.runner import (
    Interrupted,
    collect,
    model_warnings,
    remeasure,
    simulate_replications,
)
from procsim.versions import __version__, versions

#: Rows a spreadsheet holds (Excel: 1,048,576 including the header); smaller event logs are
#: also written as CSV.
SPREADSHEET_ROWS = 1_048_576


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
        Problems the analyst should look at (overload, precision not reached, few replications).
    notes
        How the numbers were obtained (estimated warm-up, precision reached, corrections).
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


def _week(profile: WeeklyProfile | None, scale: float = 1.0) -> dict[str, list[float]] | None:
    """A weekly profile as hours since Monday 00:00 where each value starts."""
    if profile is None:
        return None
    return {"hours": list(profile.breaks), "values": [v * scale for v in profile.values]}


def describe_model(model: Model) -> dict[str, Any]:
    """A JSON-friendly description of a model, for reports and ``run.json``."""
    names = model.stage_names
    hours_per_unit = UNIT_HOURS[model.time_unit]
    return {
        "name": model.name,
        "description": model.description,
        "time_unit": model.time_unit,
        "arrival_rate": model.arrival_rate,
        "interarrival": (
            model.interarrival.describe()
            if model.interarrival is not None
            else "rate profile by hour of week"
        ),
        # Arrivals per hour over an ordinary week (for the staffing-and-demand figure).
        "arrivals_per_hour": _week(model.arrival_profile, 1 / hours_per_unit)
        or {"hours": [0.0], "values": [model.arrival_rate / hours_per_unit]},
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
                "parallel": [names[b] for b in s.split],
                "join": names[s.join] if s.join is not None else None,
                "patience": s.patience.describe() if s.patience is not None else None,
                "queue_capacity": s.queue_capacity,
                "batch": (
                    {"release_hours_of_week": list(s.batch.times), "size": s.batch.size}
                    if s.batch is not None
                    else None
                ),
            }
            for s in model.stages
        ],
        "roles": [
            {
                "name": r.name,
                "servers": r.servers,
                "mean_on_duty": r.mean_servers(),
                "shifts": r.shifts is not None,
                "on_duty_week": _week(r.shifts) or {"hours": [0.0], "values": [r.servers]},
                "preemptive": r.preemptive,
                "cost_per_hour": r.cost_per_hour,
            }
            for r in model.roles
        ],
        "case_types": [
            {"name": t.name, "share": t.share, "priority": t.priority, "description": t.description}
            for t in model.case_types
            if t.name
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


#: Fewer replications than this earn a caveat: the t-interval rests on few points.
FEW_REPLICATIONS = 10


def run(
    study: Study,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> Results:
    """Validate and simulate a composed study, then compare every redesign with the current
    process.

    The steps: simulate ``run.replications`` replications of every model on common random
    numbers; with ``run.warmup: auto``, estimate the warm-up by MSER-5 on work in progress and
    measure every replication again from there; with ``run.precision``, add replications until
    the relative CI half-width of ``run.precision_kpis`` is reached for every model (or
    ``run.max_replications``); summarize; compare each redesign with the current process with
    paired CIs, Bonferroni-corrected when there are several redesigns; rank them.

    Parameters
    ----------
    study
        From :func:`procsim.compose` (or built by hand from plain mappings).
    progress
        Optional callback ``progress(done, total)``, counting simulation runs: one per model
        (current process and each redesign) and replication, so ``total`` is the number of
        models times the replications of the batch.
    warn
        Optional callback, called with each validation warning (e.g. an offered load >= 1)
        once the configs are valid and before anything is simulated; the warnings are also in
        :attr:`Results.warnings`.

    Raises
    ------
    procsim.errors.ProcsimError
        When any config is invalid: every problem is listed.
    """
    models, settings = study.build()
    _check_rank_by(study.rank_by)
    if warn is not None:
        for text in model_warnings(models):
            warn(text)
    notes: list[str] = []
    interrupted = ""
    interrupted_by = ""
    try:
        reps = simulate_replications(models, settings, range(settings.replications), progress)
    except Interrupted as stop:
        kept = len({r.replication for r in stop.finished})
        if kept < 2:
            if stop.cause != "Ctrl-C":
                raise ProcsimError(
                    f"{stop.cause} before two replications finished. Hint: fewer run.workers "
                    "(each needs memory for its replication), or a shorter run"
                ) from None
            raise KeyboardInterrupt from None  # nothing worth keeping: an ordinary Ctrl-C
        reps = stop.finished
        settings = dataclasses.replace(settings, replications=kept, precision=None)
        interrupted_by = stop.cause
        interrupted = (
            f"interrupted ({stop.cause}) after {kept} of {stop.asked} replications: the "
            f"results cover the {kept} that every model finished"
        )
    if settings.auto_warmup:
        assert settings.horizon is not None
        warmup = auto_warmup(collect(models, settings, reps).cases, settings.horizon)
        settings = dataclasses.replace(settings, warmup=warmup)
        reps = remeasure(reps, models, warmup)
        notes.append(
            f"warm-up estimated by MSER-5 on work in progress: {warmup:.4g} "
            f"{next(iter(models.values())).time_unit}"
        )
        if warmup > (settings.horizon or 0.0) * 0.45:
            notes.append(
                "the estimated warm-up is close to half the horizon: the system may "
                "not reach a steady state. Hint: a longer run.horizon, or check the load"
            )
    sim = collect(models, settings, reps)
    summary = summarize(sim.kpis, settings.confidence)
    precision = relative_precision(summary, settings.precision_kpis)
    n = settings.replications
    while settings.precision is not None and len(precision) and n < settings.max_replications:
        worst = float(precision["relative_half_width"].max())
        if worst <= settings.precision:
            break
        target = replications_needed(n, worst, settings.precision)
        more = min(max(target, n + 2), settings.max_replications)
        try:
            reps += simulate_replications(models, settings, range(n, more), progress)
        except Interrupted as stop:
            reps += stop.finished
            got = len({r.replication for r in stop.finished})
            interrupted_by = stop.cause
            interrupted = (
                f"interrupted ({stop.cause}) while adding replications for the precision target: "
                f"the results cover {n + got} replications"
            )
            n += got
            sim = collect(models, settings, reps)
            summary = summarize(sim.kpis, settings.confidence)
            precision = relative_precision(summary, settings.precision_kpis)
            break
        n = more
        sim = collect(models, settings, reps)
        summary = summarize(sim.kpis, settings.confidence)
        precision = relative_precision(summary, settings.precision_kpis)
    settings = dataclasses.replace(settings, replications=n)
    warnings, reached = _precision_notes(settings, precision)
    notes += reached
    if interrupted:
        warnings.insert(0, interrupted)
    labels = list(models)
    targets = target_table(summary, models)
    comparison = None
    rank = None
    if len(labels) > 1:
        level = bonferroni_level(settings.confidence, len(labels) - 1)
        comparison = pd.concat(
            [compare(sim.kpis, BASELINE, label, level) for label in labels[1:]], ignore_index=True
        )
        comparison = _with_targets(comparison, targets)
        metric, _, entity = study.rank_by.partition(":")
        rank = ranking(summary, metric, entity, sim.kpis, settings.confidence)
        if len(labels) > 2:
            notes.append(
                f"{len(labels) - 1} redesigns are compared with the current process: "
                f"each difference has a Bonferroni-corrected {level:.1%} CI, so that "
                f"all of them hold together with {settings.confidence:.0%} confidence"
            )
    results = Results(
        study,
        models,
        settings,
        sim.kpis,
        summary,
        comparison,
        targets,
        sim.visits,
        sim.cases,
        sim.warnings + warnings,
        ranking=rank,
        precision=precision,
        notes=notes,
        analytic=beside(summary, models),
    )
    results.interrupted = bool(interrupted)
    results.interrupted_by = interrupted_by
    return results


def _check_rank_by(rank_by: str) -> None:
    metric = rank_by.partition(":")[0]
    if metric not in CATALOGUE:
        raise ModelError(
            [
                Issue(
                    "rank_by",
                    "unknown KPI",
                    "a KPI name such as cycle_time_mean",
                    repr(rank_by),
                    did_you_mean(metric, CATALOGUE),
                )
            ],
            "the command line",
        )


def _precision_notes(settings: RunSettings, precision: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(warnings, notes) about the number of replications and the precision reached."""
    warnings: list[str] = []
    notes: list[str] = []
    if settings.replications < FEW_REPLICATIONS:
        warnings.append(
            f"only {settings.replications} replications: confidence intervals rest on "
            f"few points. Hint: run.replications={FEW_REPLICATIONS * 2} or more, or "
            "run.precision=0.05"
        )
    if settings.precision is not None and len(precision):
        worst = precision.sort_values("relative_half_width").iloc[-1]
        if float(worst["relative_half_width"]) > settings.precision:
            warnings.append(
                f"precision not reached: {worst['kpi']} of {worst['scenario']} has a CI "
                f"half-width of {worst['relative_half_width']:.1%} of its mean after "
                f"{settings.replications} replications (asked for {settings.precision:.1%}). "
                f"Hint: raise run.max_replications"
            )
        else:
            notes.append(
                f"precision reached with {settings.replications} replications: every CI "
                f"half-width of {', '.join(settings.precision_kpis)} is within "
                f"{settings.precision:.1%} of its mean (worst {worst['relative_half_width']:.1%})"
            )
    return warnings, notes


def _with_targets(comparison: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Add each redesign's target and whether its CI meets it (the effect-evaluation table),
    from the targets table, so both always agree."""
    goals = targets[["scenario", "metric", "entity", "goal", "status"]].rename(
        columns={"goal": "target", "status": "met"}
    )
    out = comparison.merge(goals, on=["scenario", "metric", "entity"], how="left")
    out[["target", "met"]] = out[["target", "met"]].fillna("")
    return out


def from_configs(configs: dict[str, dict[str, Any]]) -> Study:
    """A study from plain mappings (label -> config); the first one is the current process."""
    first = next(iter(configs))
    return Study(configs={BASELINE if k == first else k: v for k, v in configs.items()})
