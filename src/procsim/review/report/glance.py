"""The "At a glance" section: one line per scenario with its targets met and missed and the
key KPIs that changed significantly.

Reads the ``targets`` and ``comparison`` tables of the
:class:`~procsim.review.report.run_folder.RunFolder`, judged as in the evaluation
(:mod:`~procsim.review.report.evaluation`); the first section of the report.
"""

from __future__ import annotations

from typing import Any

from procsim.model.kpi_catalogue import GLANCE
from procsim.model.process import BASELINE
from procsim.review.report.blocks import Badge, Block, BulletList, Heading
from procsim.review.report.evaluation import change_cell, eval_kpis
from procsim.review.report.run_folder import RunFolder, keyed_rows, table_rows
from procsim.review.report.values import kpi_label

_Goals = dict[tuple[str, str, str], dict[str, Any]]


def glance_section(run: RunFolder, redesigns: list[str]) -> list[Block]:
    """The heading and the lines; nothing when there is neither a target nor a redesign."""
    goals = keyed_rows(run.targets)
    items = []
    if _targets(goals, BASELINE):
        items.append(f"Current process, targets {_targets(goals, BASELINE)}.")
    items += [_redesign_line(run, label, goals) for label in redesigns]
    return [Heading(2, "At a glance"), BulletList(items)] if items else []


def _targets(goals: _Goals, label: str) -> str:
    """``met: ...; missed: ...``: a scenario's targets by status."""
    by_status: dict[str, list[str]] = {}
    for key, g in goals.items():
        if key[0] == label:
            by_status.setdefault(str(g["status"]), []).append(f"{g['target']} ({g['goal']})")
    return "; ".join(f"{status}: {', '.join(names)}" for status, names in by_status.items())


def _redesign_line(run: RunFolder, label: str, goals: _Goals) -> str:
    """How many key KPIs of a redesign got significantly better and worse, and its targets."""
    # The short, non-redundant list (kpis.GLANCE) and any KPI with a target.
    keys = {
        key
        for key in eval_kpis(run, [BASELINE, label])
        if key[0] in GLANCE or (label, *key) in goals
    }
    found: dict[str, list[str]] = {"better": [], "worse": []}
    for r in table_rows(run.comparison):
        key = (str(r["metric"]), str(r["entity"]))
        if str(r["scenario"]) != label or key not in keys:
            continue
        cell = change_cell(key[0], r, run.unit)
        if isinstance(cell, Badge) and cell.css in found:
            found[cell.css].append(kpi_label(*key))
    parts = []
    for verdict, names in found.items():
        shown = "; ".join(names[:5]) + ("; ..." if len(names) > 5 else "")
        parts.append(
            f"{len(names)} key KPI(s) significantly {verdict}" + (f" ({shown})" if names else "")
        )
    text = f"{label}: " + ", ".join(parts)
    if _targets(goals, label):
        text += f"; targets {_targets(goals, label)}"
    return text + "."
