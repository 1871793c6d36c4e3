"""Replication results -> the study's tidy tables: KPIs, visits and cases of every model and
replication, current process first, with the warnings an analyst must see about them.

Sits after the replications (:mod:`procsim.study.runner`) and before the statistics, which
the study's steps (:mod:`procsim.study.replication_rounds`) take from these tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from procsim.model.process import Model, RunSettings
from procsim.study.replication import ReplicationResult


@dataclass
class StudyResults:
    """All replications of the current process and its redesigns.

    Attributes
    ----------
    models
        Label -> model; the first label is the current process (the baseline).
    run
        The run settings used.
    kpis
        One row per (scenario, replication, metric, entity).
    visits, cases
        The simulated event logs of every replication, with ``scenario`` and ``replication``.
    warnings
        Messages for the analyst (offered load, truncated runs, ...).
    """

    models: dict[str, Model]
    run: RunSettings
    kpis: pd.DataFrame
    visits: pd.DataFrame
    cases: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def model_warnings(models: Mapping[str, Model]) -> list[str]:
    """Validation warnings of every model, each prefixed with its label (as reported)."""
    return [f"{label}: {text}" for label, model in models.items() for text in model.warnings]


def collect(
    models: Mapping[str, Model], run: RunSettings, results: Sequence[ReplicationResult]
) -> StudyResults:
    """Stack replication results into tidy tables, current process first."""
    order = {label: i for i, label in enumerate(models)}
    ordered = sorted(results, key=lambda r: (order[r.scenario], r.replication))
    return StudyResults(
        models=dict(models),
        run=run,
        kpis=pd.concat([r.kpis for r in ordered], ignore_index=True),
        visits=_stack([(r.scenario, r.replication, r.log.visits) for r in ordered]),
        cases=_stack([(r.scenario, r.replication, r.log.cases) for r in ordered]),
        warnings=model_warnings(models) + _stop_warnings(run, ordered),
    )


def _stop_warnings(run: RunSettings, ordered: Sequence[ReplicationResult]) -> list[str]:
    """Per model, replications that a guard stopped early, or whose cases could not move on."""
    warnings = []
    for label in sorted({r.scenario for r in ordered if r.truncated}):
        hit = sorted({r.stop_reason for r in ordered if r.scenario == label and r.truncated})
        guards = {
            "max_events": f"run.max_events ({run.max_events:,} visits)",
            "max_seconds": f"run.max_seconds ({run.max_seconds:g} s each)",
        }
        warnings.append(
            f"{label}: some replications hit the {' and '.join(guards[h] for h in hit)} guard "
            "and stopped early; KPIs cover the simulated part only. Hint: the system is "
            "probably overloaded (see the offered load); a shorter run.horizon, or raise the "
            "guard if the run is meant to be this large"
        )
    for label in sorted({r.scenario for r in ordered if r.stop_reason == "parked"}):
        warnings.append(
            f"{label}: in some replications the run by cases ended with cases that nothing "
            "could move on any more (in a batch waiting for a size no more cases would fill); "
            "they count as open. Hint: give such a batch release times (batch.at) as well as "
            "a size, or run by run.horizon"
        )
    return warnings


def _stack(parts: list[tuple[str, int, pd.DataFrame]]) -> pd.DataFrame:
    frames = []
    for label, rep, frame in parts:
        frame = frame.copy()
        frame.insert(0, "replication", rep)
        frame.insert(0, "scenario", label)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for column in ("activity", "role"):
        if column in out:
            out[column] = out[column].astype("category")
    return out
