"""KPIs of one log: an event log -> tidy KPI rows, one row per (metric, entity).

Sits after the event log (:mod:`procsim.measure.event_log`, or a real log read into its schema)
and before the statistics over replications (:mod:`procsim.measure.stats`). It selects what
counts in the measurement window (:mod:`procsim.measure.window`) and puts together the rows of
each KPI family: cases, cost, stages, role utilization, SLAs and case types. Times are in the
process time unit.
"""

from __future__ import annotations

import pandas as pd

from procsim.measure.case_kpis import case_rows, value_adding_stages
from procsim.measure.case_type_kpis import case_type_rows
from procsim.measure.event_log import EventLog
from procsim.measure.queue_kpis import queue_rows
from procsim.measure.role_kpis import cost_rows, role_time, utilization_rows
from procsim.measure.sla_kpis import sla_rows
from procsim.measure.stage_kpis import stage_rows
from procsim.measure.window import cases_in_window, window_of
from procsim.model.process import Model

KPI_COLUMNS = ("replication", "metric", "entity", "value")


def compute_kpis(elog: EventLog, model: Model, replication: int = 0) -> pd.DataFrame:
    """All KPIs of the catalogue (:mod:`procsim.model.kpi_catalogue`) for one log.

    Parameters
    ----------
    elog
        The event log and its measurement window.
    model
        Supplies stage value classes and costs, role head counts and costs, SLAs and the unit.
    replication
        Written into the ``replication`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``replication, metric, entity, value``; ``entity`` is "" for process-wide KPIs.
    """
    window = window_of(elog, model)
    scope = cases_in_window(elog, window)
    roles = role_time(elog, model, window)
    rows = case_rows(scope, window, model)
    rows += cost_rows(elog.visits, model, window, roles, scope.completions)
    rows += stage_rows(scope, model)
    rows += queue_rows(elog, scope, window, model)
    rows += utilization_rows(roles, model)
    rows += sla_rows(elog.cases[scope.in_scope], scope.visits, model, window.end)
    if len(model.case_types) > 1 and "case_type" in elog.cases:
        rows += case_type_rows(elog.cases, scope, model, roles)
    out = pd.DataFrame(rows, columns=["metric", "entity", "value"])
    out.insert(0, "replication", replication)
    out["value"] = out["value"].astype(float)
    return out


def not_applicable(models: dict[str, Model]) -> list[str]:
    """Notes on the KPIs some models do not measure, and why (none when all measure them).

    Parameters
    ----------
    models
        The models of a run, by scenario label.

    Returns
    -------
    list of str
        One note per KPI that does not apply to some of the models.
    """
    without = [label for label, m in models.items() if not value_adding_stages(m)]
    if not without:
        return []
    which = "" if len(without) == len(models) else f" for {', '.join(without)}"
    return [
        f"cycle efficiency: not applicable{which}: no stage is marked value: value_adding. "
        "Hint: mark the stages that add value for the customer to measure it"
    ]
