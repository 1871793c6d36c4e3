"""Each redesign against the current process: the targets' status, paired differences with
Bonferroni-corrected CIs (the effect-evaluation table) and the ranking.

Sits after the replications are measured (:mod:`procsim.study.replication_rounds`) and before
the results are put together (:mod:`procsim.study.results`); :func:`procsim.run`
(:mod:`procsim.study.api`) calls it with the summary and the per-replication KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from procsim.measure.stats import bonferroni_level, compare, ranking
from procsim.model.process import BASELINE, Model
from procsim.review.terminal import target_table


@dataclass(frozen=True)
class RedesignComparison:
    """The targets of every model and, with redesigns, the comparison and the ranking.

    Attributes
    ----------
    targets
        Each target's estimate, CI and status (met / missed / uncertain).
    comparison
        Paired differences of each redesign against the current process, with its targets
        (None without a redesign).
    ranking
        Every model ranked on the ``rank_by`` KPI (None without a redesign).
    notes
        How the CIs were corrected for several redesigns.
    """

    targets: pd.DataFrame
    comparison: pd.DataFrame | None
    ranking: pd.DataFrame | None
    notes: list[str]


def compare_redesigns(
    summary: pd.DataFrame,
    kpis: pd.DataFrame,
    models: dict[str, Model],
    confidence: float,
    rank_by: str,
) -> RedesignComparison:
    """Targets, comparison and ranking of the models (the first label is the current process).

    Parameters
    ----------
    summary, kpis
        The summary and the per-replication KPIs of every model.
    models
        Label -> model, the current process first.
    confidence
        Familywise confidence level: with several redesigns each difference gets a
        Bonferroni-corrected level, so that all of them hold together at this one.
    rank_by
        The KPI to rank on, ``metric`` or ``metric:entity``.
    """
    labels = list(models)
    targets = target_table(summary, models)
    if len(labels) < 2:
        return RedesignComparison(targets, None, None, [])
    notes: list[str] = []
    level = bonferroni_level(confidence, len(labels) - 1)
    comparison = pd.concat(
        [compare(kpis, BASELINE, label, level) for label in labels[1:]], ignore_index=True
    )
    comparison = _with_targets(comparison, targets)
    metric, _, entity = rank_by.partition(":")
    rank = ranking(summary, metric, entity, kpis, confidence)
    if len(labels) > 2:
        notes.append(
            f"{len(labels) - 1} redesigns are compared with the current process: "
            f"each difference has a Bonferroni-corrected {level:.1%} CI, so that "
            f"all of them hold together with {confidence:.0%} confidence"
        )
    return RedesignComparison(targets, comparison, rank, notes)


def _with_targets(comparison: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Add each redesign's target and whether its CI meets it (the effect-evaluation table),
    from the targets table, so both always agree."""
    goals = targets[["scenario", "metric", "entity", "goal", "status"]].rename(
        columns={"goal": "target", "status": "met"}
    )
    out = comparison.merge(goals, on=["scenario", "metric", "entity"], how="left")
    out[["target", "met"]] = out[["target", "met"]].fillna("")
    return out
