"""The evaluation section: each redesign against the current process, KPI by KPI (before,
after, paired change with its CI, target and status), or the current process's summary when
there is no redesign.

Reads the ``summary``, ``targets`` and ``comparison`` tables of the
:class:`~procsim.review.report.run_folder.RunFolder`; its change and status cells also serve
the at-a-glance lines (:mod:`~procsim.review.report.glance`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from procsim.model.kpi_catalogue import CATALOGUE, HEADLINE, in_points
from procsim.model.process import BASELINE
from procsim.review.report.blocks import Badge, Block, Cell, Heading, Para, Table
from procsim.review.report.config_values import DASH, mapping
from procsim.review.report.ranking import ranking_section
from procsim.review.report.run_folder import RunFolder, keyed_rows, table_rows
from procsim.review.report.values import (
    as_number,
    kpi_label,
    signed,
    signed_percent,
    value_text,
)
from procsim.review.terminal import level_text


def evaluation_section(run: RunFolder, redesigns: list[str]) -> list[Block]:
    """The "Evaluation" section (a table per redesign, then the ranking of several), or the
    "Summary" of the current process alone."""
    blocks: list[Block] = [Heading(2, "Evaluation" if redesigns else "Summary")]
    if not redesigns:
        blocks.append(
            Para(
                "Mean ± CI half-width over the replications; met: the whole CI meets the target.",
                "note",
            )
        )
        blocks.append(_summary_table(run))
        return blocks
    blocks.append(
        Para(
            "Before and after: mean ± 95% CI half-width over the replications. Change: the "
            "paired difference (redesign minus current, replication by replication) as a "
            "share of the current value, with its confidence interval; when that interval "
            "includes zero the table says no significant change. Met: whether the whole CI "
            "of the redesign meets the target (uncertain when it straddles it).",
            "note",
        )
    )
    for label in redesigns:
        if len(redesigns) > 1:
            blocks.append(Heading(3, label))
        blocks.append(_evaluation(run, label))
    if len(redesigns) > 1:
        blocks += ranking_section(run)
    return blocks


def eval_kpis(run: RunFolder, labels: list[str]) -> list[tuple[str, str]]:
    """(metric, entity) in table order: the headline KPIs, then any other KPI with a target."""
    sub = run.summary[run.summary["scenario"].isin(labels)]
    out: list[tuple[str, str]] = []
    for metric in HEADLINE:
        for entity in pd.unique(sub.loc[sub["metric"] == metric, "entity"]):
            out.append((metric, str(entity)))
    for r in table_rows(run.targets):
        key = (str(r["metric"]), str(r["entity"]))
        if str(r["scenario"]) in labels and key not in out:
            out.append(key)
    return out


def status_cell(status: str, was: str = "") -> Cell:
    """A target's status as a badge, noting the current process's status when it differs."""
    note = f"was {was}" if was and was != status else ""
    if status in ("met", "missed", "uncertain"):
        return Badge(status, status, note)
    return Badge(status, "", note) if note else status


def change_cell(metric: str, r: dict[str, Any] | None, unit: str) -> Cell:
    """``−49.9 % (CI −59.3 to −40.5 %)``, ``+41.8 pp (CI ...)`` for a proportion, or
    ``no significant change (...)``."""
    if r is None:
        return DASH
    before, diff = as_number(r.get("before")), as_number(r.get("diff"))
    low, high = as_number(r.get("diff_low")), as_number(r.get("diff_high"))
    sig = r.get("significant")
    significant = bool(sig) if sig is not None and not pd.isna(sig) else not (low <= 0 <= high)
    pct = as_number(r.get("change_pct"))
    if in_points(metric) and math.isfinite(diff):
        # A proportion: the change in percentage points (55% -> 97% is +42 pp, not +76 %).
        ci = f"CI {signed_percent(low * 100)} to {signed_percent(high * 100)} pp"
        change = signed(metric, diff, unit)
    elif math.isfinite(pct) and before != 0:
        p_low, p_high = as_number(r.get("change_low_pct")), as_number(r.get("change_high_pct"))
        if not (math.isfinite(p_low) and math.isfinite(p_high)):
            p_low, p_high = low / abs(before) * 100, high / abs(before) * 100
        ci = f"CI {signed_percent(p_low)} to {signed_percent(p_high)} %"
        change = f"{signed_percent(pct)} %"
    else:
        ci = "CI " + " to ".join(signed(metric, v, unit) for v in (low, high))
        change = signed(metric, diff, unit)
    if not significant:
        if low == 0 == high:
            return Badge("no significant change", "same", "identical in every replication")
        return Badge("no significant change", "same", ci)
    verdict = str(r.get("verdict") or "")
    kpi = CATALOGUE.get(metric)
    if kpi is not None and kpi.informational:
        verdict = ""  # a count that restates the cycle time (also in runs saved before)
    elif verdict not in ("better", "worse", "changed"):
        better = kpi.verdict if kpi is not None else None
        verdict = (
            "" if better is None else ("better" if (diff < 0) == (better == "lower") else "worse")
        )
    return Badge(change, "" if verdict == "changed" else verdict, ci)


def _evaluation(run: RunFolder, label: str) -> Table:
    """One redesign against the current process: before, after, paired change, target, met."""
    unit = run.unit
    stats, goals = keyed_rows(run.summary), keyed_rows(run.targets)
    comp = {
        (str(r["metric"]), str(r["entity"])): r
        for r in table_rows(run.comparison)
        if str(r["scenario"]) == label
    }
    level = _level(run, label)
    rows: list[list[Cell]] = []
    for metric, entity in eval_kpis(run, [BASELINE, label]):
        before, after = stats.get((BASELINE, metric, entity)), stats.get((label, metric, entity))
        c = comp.get((metric, entity))
        goal_after, goal_before = (
            goals.get((label, metric, entity)),
            goals.get((BASELINE, metric, entity)),
        )
        target = str(c.get("target") or "") if c is not None and "target" in c else ""
        met = str(c.get("met") or "") if c is not None and "met" in c else ""
        if not target and goal_after is not None:
            target = str(goal_after["goal"])
        if not met and goal_after is not None:
            met = str(goal_after["status"])
        was = str(goal_before["status"]) if met and goal_before is not None else ""
        met_cell = status_cell(met, was)
        rows.append(
            [
                kpi_label(metric, entity),
                value_text(metric, before["mean"], before["half_width"], unit) if before else DASH,
                value_text(metric, after["mean"], after["half_width"], unit) if after else DASH,
                change_cell(metric, c, unit)
                if before and after
                else Badge("only in the redesign" if after else "not in the redesign", "same"),
                target,
                met_cell,
            ]
        )
    return Table(
        ["metric", "before", "after", f"change (paired {level} CI)", "target", "met"],
        rows,
        numeric=frozenset({1, 2}),
        css="evaluation",
    )


def _level(run: RunFolder, label: str) -> str:
    """The confidence level of a redesign's paired CIs as text (``95%``)."""
    levels = [
        as_number(r.get("level"))
        for r in table_rows(run.comparison)
        if str(r["scenario"]) == label and "level" in r
    ]
    level = (
        levels[0]
        if levels and math.isfinite(levels[0])
        else as_number(mapping(run.info.get("run")).get("confidence", 0.95))
    )
    if not math.isfinite(level):
        level = 0.95
    return level_text(level)


def _summary_table(run: RunFolder) -> Table:
    """The current process alone: each KPI's mean and CI, target and status."""
    unit = run.unit
    stats, goals = keyed_rows(run.summary), keyed_rows(run.targets)
    level = as_number(mapping(run.info.get("run")).get("confidence", 0.95))
    level_shown = level_text(level) if math.isfinite(level) else "95%"
    rows: list[list[Cell]] = []
    for metric, entity in eval_kpis(run, [BASELINE]):
        s = stats.get((BASELINE, metric, entity))
        g = goals.get((BASELINE, metric, entity))
        rows.append(
            [
                kpi_label(metric, entity),
                value_text(metric, s["mean"], s["half_width"], unit) if s else DASH,
                str(g["goal"]) if g else "",
                status_cell(str(g["status"])) if g else "",
            ]
        )
    return Table(
        ["metric", f"mean ± {level_shown} CI half-width", "target", "met"],
        rows,
        numeric=frozenset({1}),
        css="evaluation",
    )
