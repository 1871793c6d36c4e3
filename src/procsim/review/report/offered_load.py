"""The "Offered load per role" section: the work arriving per person, worked out before
simulating (traffic equations), flagged where queues grow long or without bound.

Reads ``offered_load`` of ``run.json`` in the
:class:`~procsim.review.report.run_folder.RunFolder`.
"""

from __future__ import annotations

import math

from procsim.review.report.blocks import Badge, Block, Cell, Table, table_section
from procsim.review.report.config_values import DASH, mapping
from procsim.review.report.run_folder import RunFolder
from procsim.review.report.values import as_number

#: Offered load per person at or above which a role is flagged.
HIGH_LOAD = 0.85
#: Offered load per person at or above which a role's queue grows without bound.
UNSTABLE_LOAD = 1.0


def offered_load_section(run: RunFolder) -> list[Block]:
    """The heading, how to read the load and the table; nothing when ``run.json`` has none."""
    return table_section(
        "Offered load per role",
        "Work arriving per person, from the routing and the mean durations (traffic "
        f"equations), before simulating. From {HIGH_LOAD * 100:.0f} % on a role is "
        "flagged high (long queues); at 100 % or more it is unstable: its queue grows "
        "without bound "
        "and the results depend on the run length.",
        _load_table(run),
    )


def _load_table(run: RunFolder) -> Table | None:
    """A row per role, a column per scenario."""
    load = {str(k): mapping(v) for k, v in mapping(run.info.get("offered_load")).items()}
    labels = [label for label in run.labels if label in load] or list(load)
    if not labels:
        return None
    roles: list[str] = []
    for label in labels:
        roles += [str(r) for r in load[label] if r not in roles]
    rows: list[list[Cell]] = []
    for role in roles:
        row: list[Cell] = [role]
        for label in labels:
            value = as_number(load[label].get(role))
            if not math.isfinite(value):
                row.append(DASH)
            elif value >= UNSTABLE_LOAD:
                row.append(Badge(f"{value * 100:.0f} % unstable", "unstable"))
            elif value >= HIGH_LOAD:
                row.append(Badge(f"{value * 100:.0f} % high", "high"))
            else:
                row.append(f"{value * 100:.0f} %")
        rows.append(row)
    return Table(["role", *labels], rows, numeric=frozenset(range(1, len(labels) + 1)))
