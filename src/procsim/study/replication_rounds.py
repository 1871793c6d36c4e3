"""The rounds of replications a study runs: the first round, the measurement again from an
estimated warm-up, and the rounds added until a precision target is reached.

Sits between the runner (:mod:`procsim.study.runner`, which simulates replications) and the
comparison of the redesigns (:mod:`procsim.study.redesign_comparison`); :func:`procsim.run`
(:mod:`procsim.study.api`) calls these steps in turn. After Ctrl-C, or a worker process that
died, a round keeps the replications every model finished and says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from procsim.errors import ProcsimError
from procsim.measure.kpis import compute_kpis
from procsim.measure.stats import relative_precision, replications_needed, summarize
from procsim.measure.warmup import auto_warmup
from procsim.model.process import Model, RunSettings
from procsim.study.collect import StudyResults, collect
from procsim.study.replication import ReplicationResult
from procsim.study.runner import Interrupted, simulate_replications

#: Fewer replications than this earn a caveat: the t-interval rests on few points.
FEW_REPLICATIONS = 10


@dataclass
class Replications:
    """The replications of a study so far and the run settings they were measured with.

    Attributes
    ----------
    results
        Every finished replication of every model.
    settings
        The run settings; ``replications`` and ``warmup`` as measured.
    interrupted
        The warning when Ctrl-C or a worker process that died stopped a round; "" if nothing did.
    interrupted_by
        What stopped it: ``"Ctrl-C"``, or a worker process that died; "" when nothing did.
    """

    results: list[ReplicationResult]
    settings: RunSettings
    interrupted: str = ""
    interrupted_by: str = ""


@dataclass(frozen=True)
class Measured:
    """The replications as tables, their summary and the relative precision reached."""

    tables: StudyResults
    summary: pd.DataFrame
    precision: pd.DataFrame


def replicate(
    models: Mapping[str, Model],
    settings: RunSettings,
    progress: Callable[[int, int], None] | None,
) -> Replications:
    """The first round: ``run.replications`` replications of every model.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C before two replications finished: nothing worth keeping.
    procsim.errors.ProcsimError
        When a worker process died before two replications finished.
    """
    try:
        results = simulate_replications(models, settings, range(settings.replications), progress)
    except Interrupted as stop:
        kept = len({r.replication for r in stop.finished})
        if kept < 2:
            if stop.cause != "Ctrl-C":
                raise ProcsimError(
                    f"{stop.cause} before two replications finished. Hint: fewer run.workers "
                    "(each needs memory for its replication), or a shorter run"
                ) from None
            raise KeyboardInterrupt from None  # nothing worth keeping: an ordinary Ctrl-C
        return Replications(
            stop.finished,
            dataclasses.replace(settings, replications=kept, precision=None),
            interrupted=(
                f"interrupted ({stop.cause}) after {kept} of {stop.asked} replications: the "
                f"results cover the {kept} that every model finished"
            ),
            interrupted_by=stop.cause,
        )
    return Replications(results, settings)


def measure_from_warmup(models: Mapping[str, Model], reps: Replications) -> list[str]:
    """``run.warmup: auto``: estimate the warm-up by MSER-5 on work in progress and measure
    every replication again from there; the notes saying so."""
    settings = reps.settings
    assert settings.horizon is not None
    warmup = auto_warmup(collect(models, settings, reps.results).cases, settings.horizon)
    reps.settings = dataclasses.replace(settings, warmup=warmup)
    reps.results = remeasure(reps.results, models, warmup)
    notes = [
        f"warm-up estimated by MSER-5 on work in progress, and at least twice its "
        f"autocorrelation time: {warmup:.4g} {next(iter(models.values())).time_unit}"
    ]
    if warmup > (settings.horizon or 0.0) * 0.45:
        notes.append(
            "the estimated warm-up is close to half the horizon: the system may "
            "not reach a steady state. Hint: a longer run.horizon, or check the load"
        )
    return notes


def remeasure(
    results: Sequence[ReplicationResult], models: Mapping[str, Model], warmup: float
) -> list[ReplicationResult]:
    """Recompute the KPIs of simulated replications with another warm-up (no re-simulation)."""
    out = []
    for r in results:
        log = dataclasses.replace(r.log, start=warmup)
        kpis = compute_kpis(log, models[r.scenario], r.replication)
        kpis.insert(0, "scenario", r.scenario)
        out.append(
            ReplicationResult(r.scenario, r.replication, kpis, log, r.truncated, r.stop_reason)
        )
    return out


def reach_precision(
    models: Mapping[str, Model],
    reps: Replications,
    progress: Callable[[int, int], None] | None,
) -> Measured:
    """``run.precision``: add replications until the relative CI half-width of
    ``run.precision_kpis`` is reached for every model (or ``run.max_replications``); the
    replications measured. ``reps.settings.replications`` becomes the number that ran."""
    settings = reps.settings
    measured = measure(models, settings, reps.results)
    n = settings.replications
    while (
        settings.precision is not None and len(measured.precision) and n < settings.max_replications
    ):
        worst = float(measured.precision["relative_half_width"].max())
        if worst <= settings.precision:
            break
        target = replications_needed(n, worst, settings.precision)
        more = min(max(target, n + 2), settings.max_replications)
        try:
            reps.results += simulate_replications(models, settings, range(n, more), progress)
        except Interrupted as stop:
            reps.results += stop.finished
            got = len({r.replication for r in stop.finished})
            reps.interrupted_by = stop.cause
            reps.interrupted = (
                f"interrupted ({stop.cause}) while adding replications for the precision target: "
                f"the results cover {n + got} replications"
            )
            n += got
            measured = measure(models, settings, reps.results)
            break
        n = more
        measured = measure(models, settings, reps.results)
    reps.settings = dataclasses.replace(settings, replications=n)
    return measured


def measure(
    models: Mapping[str, Model], settings: RunSettings, results: Sequence[ReplicationResult]
) -> Measured:
    """The replications as tables, summarized, with the precision of ``run.precision_kpis``."""
    tables = collect(models, settings, results)
    summary = summarize(tables.kpis, settings.confidence)
    return Measured(tables, summary, relative_precision(summary, settings.precision_kpis))


def precision_notes(settings: RunSettings, precision: pd.DataFrame) -> tuple[list[str], list[str]]:
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
