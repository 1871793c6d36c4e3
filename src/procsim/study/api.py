"""The Python API: compose a study, run it, get pandas tables. What the CLI uses, too.

Sits on top of the data flow for notebooks and scripts::

    import procsim
    study = procsim.compose(scenario="merged_approval", overrides=["run.replications=10"])
    results = procsim.run(study)
    results.summary          # mean and 95% CI per KPI, current and redesign
    results.comparison       # paired differences (common random numbers)

:func:`run` takes a composed study through its steps: check it, run the rounds of replications
(:mod:`procsim.study.replication_rounds`), compare the redesigns
(:mod:`procsim.study.redesign_comparison`) and return the :class:`~procsim.study.results.Results`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procsim.config.composed_study import Study
from procsim.errors import Issue, ModelError, did_you_mean
from procsim.measure.analytic import beside
from procsim.measure.kpis import not_applicable
from procsim.measure.stats import skewed_note
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.model.process import BASELINE, Model, RunSettings
from procsim.study.collect import model_warnings
from procsim.study.redesign_comparison import compare_redesigns
from procsim.study.replication_rounds import (
    measure_from_warmup,
    precision_notes,
    reach_precision,
    replicate,
)
from procsim.study.results import Results
from procsim.study.run_feedback import Progress, choose_progress, raise_warnings


def run(
    study: Study,
    progress: bool | Progress | None = None,
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
        ``None`` (the default): a progress bar (``tqdm``) in a Jupyter notebook, nothing
        elsewhere; ``True``: always a bar; ``False``: none. Or a callback
        ``progress(done, total)``, counting simulation runs: one per model (current process
        and each redesign) and replication, so ``total`` is the number of models times the
        replications of the batch.
    warn
        Optional callback, called with each validation warning (e.g. an offered load >= 1)
        once the configs are valid and before anything is simulated. Without one, every
        warning of the run is raised once as a :class:`~procsim.errors.ProcsimWarning`: the
        validation warnings before the replications start, the others when they have ended.
        Either way they are all in :attr:`Results.warnings`.

    Raises
    ------
    procsim.errors.ProcsimError
        When any config is invalid: every problem is listed.
    """
    models, settings = study.build()
    _check_rank_by(study.rank_by)
    raised: set[str] = set()
    if warn is not None:
        for text in model_warnings(models):
            warn(text)
    else:
        raise_warnings(model_warnings(models), raised, stacklevel=2)
    callback, bar = choose_progress(progress)
    try:
        results = _simulate(study, models, settings, callback)
    finally:
        if bar is not None:
            bar.close()
    if warn is None:
        raise_warnings(results.warnings, raised, stacklevel=2)
    return results


def _simulate(
    study: Study, models: dict[str, Model], settings: RunSettings, progress: Progress | None
) -> Results:
    """Replications, warm-up, precision rounds, statistics and the redesigns compared."""
    notes: list[str] = []
    reps = replicate(models, settings, progress)
    if reps.settings.auto_warmup:
        notes += measure_from_warmup(models, reps)
    measured = reach_precision(models, reps, progress)
    warnings, reached = precision_notes(reps.settings, measured.precision)
    notes += reached
    if reps.interrupted:
        warnings.insert(0, reps.interrupted)
    sim, summary = measured.tables, measured.summary
    notes += skewed_note(summary)
    notes += not_applicable(models)
    compared = compare_redesigns(summary, sim.kpis, models, reps.settings.confidence, study.rank_by)
    notes += compared.notes
    return Results(
        study,
        models,
        reps.settings,
        sim.kpis,
        summary,
        compared.comparison,
        compared.targets,
        sim.visits,
        sim.cases,
        sim.warnings + warnings,
        ranking=compared.ranking,
        precision=measured.precision,
        notes=notes,
        analytic=beside(summary, models),
        interrupted=bool(reps.interrupted),
        interrupted_by=reps.interrupted_by,
    )


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


def from_configs(configs: dict[str, dict[str, Any]]) -> Study:
    """A study from plain mappings (label -> config); the first one is the current process."""
    first = next(iter(configs))
    return Study(configs={BASELINE if k == first else k: v for k, v in configs.items()})
