"""The "Case types" section: the KPIs of each case type per scenario, for a process with more
than one case type.

Reads the ``type_*`` rows of the ``summary`` table of the
:class:`~procsim.review.report.run_folder.RunFolder`.
"""

from __future__ import annotations

import pandas as pd

from procsim.review.report.blocks import Block, Cell, Table, table_section
from procsim.review.report.config_values import DASH
from procsim.review.report.run_folder import RunFolder, keyed_rows
from procsim.review.report.values import value_text


def case_types_section(run: RunFolder) -> list[Block]:
    """The heading, a note on the cost per case and the table; nothing for a single type."""
    return table_section(
        "Case types",
        "Per case type and scenario: mean ± CI half-width over the replications. Cost "
        "per case is activity-based: each role's paid time (idle time included) is "
        "spread over the work it did, plus the per-execution costs of the stages.",
        _type_table(run),
    )


#: Columns of the case-type table: KPI and header.
_TYPE_COLUMNS = (
    ("type_arrived", "arrived"),
    ("type_completed", "completed"),
    ("type_cycle_time_mean", "cycle time, mean"),
    ("type_cycle_time_p90", "cycle time, P90"),
    ("type_wait_mean", "waiting, mean"),
    ("type_abandonment_rate", "gave up"),
    ("type_cost_per_case", "cost per case"),
)


def _type_table(run: RunFolder) -> Table | None:
    """One row per case type and scenario, or None for a process with a single case type."""
    sub = run.summary[run.summary["metric"].isin([m for m, _ in _TYPE_COLUMNS])]
    if sub.empty:
        return None
    stats = keyed_rows(run.summary)
    present = [(m, h) for m, h in _TYPE_COLUMNS if (sub["metric"] == m).any()]
    if not (run.summary["metric"] == "abandonment_rate").any():  # nobody can give up
        present = [(m, h) for m, h in present if m != "type_abandonment_rate"]
    rows: list[list[Cell]] = []
    for entity in pd.unique(sub["entity"]):
        for label in run.labels:
            cells: list[Cell] = [str(entity), label]
            for metric, _ in present:
                r = stats.get((label, metric, str(entity)))
                cells.append(
                    value_text(metric, r["mean"], r["half_width"], run.unit) if r else DASH
                )
            rows.append(cells)
    return Table(
        ["case type", "scenario", *[h for _, h in present]],
        rows,
        numeric=frozenset(range(2, 2 + len(present))),
        css="types",
    )
