"""The event log: a simulated replication's records -> tidy visits and cases tables.

Sits after the engine (:mod:`procsim.sim.records`) and feeds the KPIs
(:mod:`procsim.measure.kpis`). Real logs are read into the same schema (:mod:`procsim.mining`),
so a simulated log and a real one are measured by the same code. Times are in the process time
unit; the integer ids of the engine's records become stage, role and resource names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procsim.model.process import Model
from procsim.sim.records import COMPLETED, OUTCOMES, SimLog

#: Columns of the visit log; the first five are those of a real event log.
VISIT_COLUMNS = (
    "case_id",
    "activity",
    "start_time",
    "end_time",
    "resource",
    "role",
    "enabled_time",
    "suspended_time",
)
CASE_COLUMNS = (
    "case_id",
    "arrival_time",
    "completion_time",
    "case_type",
    "outcome",
    "left_time",
)
STAFF_COLUMNS = ("time", "role", "on_duty")


@dataclass(frozen=True)
class EventLog:
    """A process's event log in tidy form (one replication, or one real log).

    Attributes
    ----------
    visits
        One row per stage visit: ``case_id, activity, start_time, end_time, resource, role,
        enabled_time, suspended_time`` (times as floats in the process time unit; NaN where not
        yet happened; ``suspended_time`` is time interrupted by higher-priority work).
    cases
        One row per case: ``case_id, arrival_time, completion_time`` (NaN unless completed),
        and optionally ``case_type``, ``outcome`` (open, completed, abandoned, balked) and
        ``left_time`` (when the case left, however it left).
    start, end
        The measurement window.
    staff
        Head count on duty per role from each ``time`` on (``time, role, on_duty``); None means
        the model's constant head counts.
    pauses
        Interruptions by preemption (``row`` of ``visits``, ``start``, ``end``); None when
        unknown (then ``suspended_time`` is spread evenly over a visit).
    """

    visits: pd.DataFrame
    cases: pd.DataFrame
    start: float
    end: float
    staff: pd.DataFrame | None = None
    pauses: pd.DataFrame | None = None


def to_event_log(log: SimLog, model: Model, warmup: float) -> EventLog:
    """Name a simulated log: integer ids become stage, role and resource names."""
    visits = _visits_table(log, model)
    cases = _cases_table(log, model)
    staff = _staff_table(log, model)
    pauses = _pauses_table(log)
    return EventLog(visits, cases, warmup, log.end_time, staff, pauses)


def _visits_table(log: SimLog, model: Model) -> pd.DataFrame:
    """One row per stage visit, with categorical activity, resource and role names."""
    v = log.visits
    # Small integer types: a replication of a million cases has millions of visits.
    stage_ids = v[:, 1].astype(np.int32)
    server = v[:, 2].astype(np.int32)
    role_of_stage = np.array(
        [s.role if s.role is not None else -1 for s in model.stages], dtype=np.int32
    )
    role_ids = role_of_stage[stage_ids] if len(v) else np.empty(0, dtype=np.int32)
    # Resource names ("reviewer-2") as a categorical: a code per visit, not a string.
    first = np.cumsum([1] + [r.servers for r in model.roles]).astype(np.int32)
    names = [""] + [f"{r.name}-{k + 1}" for r in model.roles for k in range(r.servers)]
    safe_role = np.where(role_ids >= 0, role_ids, 0)
    codes = (
        np.where((server >= 0) & (role_ids >= 0), first[safe_role] + server, 0)
        if len(v)
        else np.empty(0, dtype=np.int32)
    )
    if len(set(names)) == len(names):
        resource: Any = pd.Categorical.from_codes(codes, categories=pd.Index(names))
    else:  # role names such as "a" and "a-1" would give two "a-1": plain strings then
        resource = np.asarray(names, dtype=object)[codes]
    role_codes = np.where(role_ids >= 0, role_ids, len(model.roles))
    del codes, safe_role, role_ids, server
    # Column by column, each a copy of a view of the table: a dict of arrays would be
    # consolidated into one float block, briefly holding every float column twice.
    visits = pd.DataFrame({"case_id": v[:, 0].astype(np.int64)})
    visits["activity"] = pd.Categorical.from_codes(
        stage_ids, categories=pd.Index(list(model.stage_names))
    )
    del stage_ids
    visits["start_time"] = v[:, 4].copy()
    visits["end_time"] = v[:, 5].copy()
    visits["resource"] = resource
    visits["role"] = pd.Categorical.from_codes(
        role_codes, categories=pd.Index([*model.role_names, ""])
    )
    del resource, role_codes
    visits["enabled_time"] = v[:, 3].copy()
    visits["suspended_time"] = log.suspended if log.suspended is not None else np.zeros(len(v))
    return visits


def _cases_table(log: SimLog, model: Model) -> pd.DataFrame:
    """One row per case: arrival, completion, case type, outcome and when it left."""
    n_cases = len(log.arrival)
    completed = ~np.isnan(log.completion)
    case_type = log.case_type if log.case_type is not None else np.zeros(n_cases, np.int64)
    outcome = log.outcome if log.outcome is not None else completed.astype(np.int64) * COMPLETED
    left = log.left if log.left is not None else log.completion
    return pd.DataFrame(
        {
            "case_id": np.arange(len(log.arrival), dtype=np.int64),
            "arrival_time": log.arrival,
            "completion_time": log.completion,
            "case_type": pd.Categorical.from_codes(
                case_type, categories=pd.Index(list(model.type_names))
            ),
            "outcome": pd.Categorical.from_codes(
                outcome.astype(np.int64), categories=pd.Index(list(OUTCOMES))
            ),
            "left_time": left,
        }
    )


def _staff_table(log: SimLog, model: Model) -> pd.DataFrame:
    """Head count on duty per role from each time on; the constant head counts without shifts."""
    staff_log = log.staff
    if staff_log is None:
        staff_log = np.array([(0.0, r.id, r.servers) for r in model.roles]).reshape(-1, 3)
    return pd.DataFrame(
        {
            "time": staff_log[:, 0],
            "role": pd.Categorical.from_codes(
                staff_log[:, 1].astype(np.int64), categories=pd.Index(list(model.role_names))
            ),
            "on_duty": staff_log[:, 2],
        }
    )


def _pauses_table(log: SimLog) -> pd.DataFrame | None:
    """Interruptions by preemption (visit row, start, end); None when the log has none."""
    if log.pauses is None:
        return None
    return pd.DataFrame(
        {
            "row": log.pauses[:, 0].astype(np.int64),
            "start": log.pauses[:, 1],
            "end": log.pauses[:, 2],
        }
    )
