"""The headline KPIs as a small table for people, and its HTML for notebooks.

Sits beside the terminal table (:mod:`procsim.review.terminal`) and uses its formatting, so a
notebook shows the same numbers and wording as the command line: one row per headline KPI,
one column per scenario (mean ± CI half-width), each redesign's change against the current
process, and the targets with their status.
"""

from __future__ import annotations

import html

import pandas as pd

from procsim.model.kpi_catalogue import CATALOGUE, HEADLINE
from procsim.model.process import Model
from procsim.review.terminal import change_text, format_value, level_text


def kpi_frame(
    summary: pd.DataFrame,
    comparison: pd.DataFrame | None,
    targets: pd.DataFrame,
    models: dict[str, Model],
) -> pd.DataFrame:
    """The headline KPIs as text cells, one row per KPI (and entity).

    Parameters
    ----------
    summary, comparison, targets
        The study's tables (:class:`procsim.Results`).
    models
        Label -> model; the first is the current process.

    Returns
    -------
    pandas.DataFrame
        Indexed by the KPI's label; a column per scenario, ``change: <redesign>`` per
        redesign, and ``target`` / ``status`` when the study has targets.
    """
    labels = list(models)
    unit = models[labels[0]].time_unit
    keys = ["scenario", "metric", "entity"]
    stats = dict(_records(summary, keys))
    changes = {} if comparison is None else dict(_records(comparison, keys))
    goals: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for t in targets.to_dict("records"):
        key = (str(t["metric"]), str(t["entity"]))
        goals.setdefault(key, {})[str(t["scenario"])] = (str(t["goal"]), str(t["status"]))
    rows: dict[str, dict[str, str]] = {}
    for metric in HEADLINE:
        entities = summary.loc[summary["metric"] == metric, "entity"].drop_duplicates()
        for entity in (str(e) for e in entities):
            row: dict[str, str] = {}
            for label in labels:
                r = stats.get((label, metric, entity))
                row[label] = (
                    "-" if r is None else format_value(metric, r["mean"], r["half_width"], unit)
                )
            for label in labels[1:]:
                row[f"change: {label}"] = change_text(changes.get((label, metric, entity)))
            if goals:
                found = goals.get((metric, entity), {})
                row["target"] = " / ".join(sorted({g for g, _ in found.values()}))
                row["status"] = " / ".join(
                    f"{label}: {found[label][1]}" for label in labels if label in found
                )
            rows[CATALOGUE[metric].label + (f" [{entity}]" if entity else "")] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "KPI"
    return frame


def kpi_html(frame: pd.DataFrame, level: float, replications: int, warnings: list[str]) -> str:
    """The KPI table as an HTML fragment with a caption and the run's warnings."""
    caption = (
        f"procsim results: mean ± {level_text(level)} CI half-width over "
        f"{replications} replication(s)"
    )
    parts = [f"<p><b>{html.escape(caption)}</b></p>", frame.to_html(escape=True)]
    if warnings:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
        parts.append(f"<p>warnings:</p><ul>{items}</ul>")
    return "<div>" + "".join(parts) + "</div>"


def _records(frame: pd.DataFrame, keys: list[str]) -> list[tuple[tuple[str, ...], dict]]:
    """Rows as (key, record) pairs, the key the string values of ``keys``."""
    out = []
    for r in frame.to_dict("records"):
        record = {str(k): v for k, v in r.items()}
        out.append((tuple(str(record[k]) for k in keys), record))
    return out
