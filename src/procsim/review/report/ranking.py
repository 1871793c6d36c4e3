"""The ranking of several redesigns: rank, the KPI ranked by, and each one against the best
(paired CI of the difference, tied when it includes zero).

Reads the ``ranking`` table of the :class:`~procsim.review.report.run_folder.RunFolder`; a
subsection of the evaluation (:mod:`~procsim.review.report.evaluation`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from procsim.review.report.blocks import Badge, Block, Cell, Heading, Para, Table
from procsim.review.report.config_values import as_text
from procsim.review.report.run_folder import RunFolder, table_rows
from procsim.review.report.values import as_number, kpi_label, signed, value_text


def ranking_section(run: RunFolder) -> list[Block]:
    """The "Ranking" subsection, with a note on ties when the table has them; nothing for a
    run without a ranking."""
    if run.ranking is None:
        return []
    blocks: list[Block] = [Heading(3, "Ranking"), _ranking_table(run)]
    if "tied" in run.ranking:
        blocks.append(
            Para(
                "Each scenario is compared with the best, paired by replication (common "
                "random numbers); tied: the confidence interval of the difference "
                "includes zero, so the data do not tell the two apart. The intervals "
                "are Bonferroni-corrected over the comparisons with the best.",
                "note",
            )
        )
    return blocks


def _ranking_table(run: RunFolder) -> Table:
    """One row per scenario in rank order."""
    assert run.ranking is not None
    rows: list[list[Cell]] = []
    records = table_rows(run.ranking)
    has_ties = "tied" in run.ranking
    best = str(records[0]["scenario"]) if records else ""
    for i, r in enumerate(records):
        metric = str(r["metric"])
        half = (as_number(r["ci_high"]) - as_number(r["ci_low"])) / 2
        row: list[Cell] = [
            as_text(r.get("rank")),
            str(r["scenario"]),
            kpi_label(metric, str(r.get("entity") or "")),
            value_text(metric, r["mean"], half, run.unit),
        ]
        if has_ties:
            row.append(_vs_best(r, i == 0, best, run.unit))
        rows.append(row)
    header = ["rank", "scenario", "ranked by", "mean ± CI half-width"]
    if has_ties:
        header.append("vs the best (paired CI)")
    return Table(header, rows, frozenset({0, 3}))


def _vs_best(r: dict[str, Any], first: bool, best: str, unit: str) -> Cell:
    """``best``, ``tied (CI ...)`` when the paired CI of the difference from the best
    includes 0, else the difference and its CI."""
    if first:
        return Badge("best", "better", "")
    metric = str(r["metric"])
    low, high = as_number(r.get("vs_best_low")), as_number(r.get("vs_best_high"))
    ci = "CI " + " to ".join(signed(metric, v, unit) for v in (low, high))
    tied = r.get("tied")
    if tied is not None and not pd.isna(tied) and bool(tied):
        return Badge(f"tied with {best}", "same", ci)
    return Badge(signed(metric, as_number(r.get("vs_best")), unit), "worse", ci)
