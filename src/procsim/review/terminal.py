"""Result tables for people: summary with targets, and the compact terminal table.

Sits after the statistics. Builds the ``targets`` table (each target's estimate, CI and status)
and renders the headline KPIs of the current process and the redesign side by side.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from procsim.measure.stats import target_status
from procsim.model.kpi_catalogue import CATALOGUE, HEADLINE, in_points
from procsim.model.process import Model

_UNIT_SHORT = {"hours": "h", "minutes": "min", "days": "d", "weeks": "w", "seconds": "s"}


def level_text(level: float) -> str:
    """A confidence level as a percentage to four significant digits: ``95%``, and a
    Bonferroni level 0.98333... as ``98.33%``."""
    return f"{level * 100:.4g}%"


def short_unit(unit: str) -> str:
    """``h`` for ``hours``, ``min`` for ``minutes`` (an unknown unit as it is)."""
    return _UNIT_SHORT.get(unit, unit)


def target_table(summary: pd.DataFrame, models: dict[str, Model]) -> pd.DataFrame:
    """One row per (scenario, target): estimate, CI and ``met``/``missed``/``uncertain``."""
    rows = []
    stats = _rows(summary, ["scenario", "metric", "entity"])
    for label, model in models.items():
        for t in model.targets:
            r = stats.get((label, t.metric, t.entity))
            if r is None:
                continue
            rows.append(
                (
                    label,
                    t.name,
                    t.metric,
                    t.entity,
                    f"{t.op} {format_value(t.metric, t.value, None, model.time_unit)}",
                    r["mean"],
                    r["ci_low"],
                    r["ci_high"],
                    target_status(r["ci_low"], r["ci_high"], t),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "target",
            "metric",
            "entity",
            "goal",
            "mean",
            "ci_low",
            "ci_high",
            "status",
        ],
    )


def _rows(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Rows of ``frame`` as dicts, keyed by the values of ``keys``."""
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    ]
    return {tuple(str(r[k]) for k in keys): r for r in records}


def format_value(metric: str, value: float, half: float | None, unit: str) -> str:
    """``48.2 ± 1.3 h``, ``87.5 ± 2.1 %`` or ``n/a``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    kind = CATALOGUE[metric].unit
    scale, suffix = (100.0, " %") if kind == "share" else (1.0, "")
    if kind == "time":
        suffix = " " + short_unit(unit)
    digits = 0 if kind == "money" and abs(value) >= 100 else (2 if abs(value * scale) < 10 else 1)
    text = f"{value * scale:,.{digits}f}"
    if half is not None and math.isfinite(half):
        text += f" ± {half * scale:,.{digits}f}"
    return text + suffix


def terminal_table(
    summary: pd.DataFrame,
    comparison: pd.DataFrame | None,
    targets: pd.DataFrame,
    models: dict[str, Model],
    ranking: pd.DataFrame | None = None,
    level: float = 0.95,
) -> str:
    """The compact table printed after a run: headline KPIs with CIs (at ``level``, the run's
    ``run.confidence``) per scenario.

    With one redesign: its change against the current process (paired, ``no sig. change``
    when the CI of the difference includes 0) and its target status get columns of their own.
    With several, each redesign's cell carries its change, a ``target`` column gives the goal
    and a ``met`` column the status of every scenario in column order (``missed/met/met``),
    and a ranking line follows.
    """
    labels = list(models)
    unit = models[labels[0]].time_unit
    idx = _rows(summary, ["scenario", "metric", "entity"])
    comp = (
        _rows(comparison, ["scenario", "metric", "entity"])
        if comparison is not None and len(comparison)
        else {}
    )
    single = len(labels) == 2
    goals: dict[tuple[str, str, str], str] = {}
    status: dict[tuple[str, str, str], str] = {}
    for t in targets.to_dict("records"):
        key = (str(t["metric"]), str(t["entity"]), str(t["scenario"]))
        goals[key], status[key] = str(t["goal"]), str(t["status"])
    header = [f"KPI (mean ± {level_text(level)} CI half-width)", *labels]
    if single:
        header.append("change")
    show_targets = bool(len(targets))
    if show_targets:
        header += ["target"] if len(labels) <= 2 else ["target", "met"]
    lines: list[list[str]] = []
    for metric in HEADLINE:
        entities = summary.loc[summary["metric"] == metric, "entity"].drop_duplicates()
        for entity in entities:
            name = CATALOGUE[metric].label + (f" [{entity}]" if entity else "")
            row = [name]
            for i, label in enumerate(labels):
                r = idx.get((label, metric, str(entity)))
                cell = "-" if r is None else format_value(metric, r["mean"], r["half_width"], unit)
                change = change_text(comp.get((label, metric, str(entity))), short=True)
                if i > 0 and not single and r is not None and change != "-":
                    cell += f" ({change})"
                row.append(cell)
            if single:
                row.append(change_text(comp.get((labels[1], metric, str(entity)))))
            if show_targets and len(labels) <= 2:
                key = (metric, str(entity), labels[-1])
                row.append(f"{goals[key]} {status[key]}" if key in goals else "")
            elif show_targets:
                row += _targets_across(goals, status, metric, str(entity), labels)
            lines.append(row)
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    out = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    out += [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in lines
    ]
    if ranking is not None and len(ranking) > 2:
        first = ranking.iloc[0]
        kpi = CATALOGUE[str(first["metric"])].label
        records = ranking.to_dict("records")
        # The best is tied with itself; only the others are told.
        tied = [i > 0 and bool(r.get("tied", False)) for i, r in enumerate(records)]
        ranked = ", ".join(
            f"{int(r['rank'])}. {r['scenario']} "
            f"({format_value(str(r['metric']), float(r['mean']), None, unit)}"
            + (", tied with 1." if t else "")
            + ")"
            for r, t in zip(records, tied, strict=True)
        )
        out += ["", f"ranked by {kpi}: {ranked}"]
        if any(tied):
            out.append(
                "  tied: no significant difference from the best (paired CI of the difference "
                "includes 0, Bonferroni-corrected)"
            )
    return "\n".join(out)


def _targets_across(
    goals: dict[tuple[str, str, str], str],
    status: dict[tuple[str, str, str], str],
    metric: str,
    entity: str,
    labels: list[str],
) -> list[str]:
    """The ``target`` and ``met`` cells of one KPI over several scenarios: the goal once when
    every scenario shares it (else each one's, ``/``-separated) and the statuses in column
    order, ``-`` for a scenario without the target."""
    keys = [(metric, entity, label) for label in labels]
    if not any(k in status for k in keys):
        return ["", ""]
    found = {goals[k] for k in keys if k in goals}
    goal = found.pop() if len(found) == 1 else "/".join(goals.get(k, "-") for k in keys)
    return [goal, "/".join(status.get(k, "-") for k in keys)]


def change_text(r: dict[str, Any] | None, short: bool = False) -> str:
    """A redesign's change of one KPI from its comparison row: ``-12.3 %``, ``+4.1 pp`` for a
    proportion, ``no sig. change`` (``n.s.`` when ``short``), or ``-`` without a row."""
    if r is None:
        return "-"
    if not r["significant"]:
        return "n.s." if short else "no sig. change"
    if in_points(str(r["metric"])) and math.isfinite(r["diff"]):
        return f"{r['diff'] * 100:+.1f} pp"  # a proportion: percentage points
    if not math.isfinite(r["change_pct"]):
        return "changed"
    return f"{r['change_pct']:+.1f} %"
