"""Process discovery: a checked event log -> a :class:`~procsim.mining.process_fit.ProcessFit`.

Sits between :mod:`procsim.mining.log_files` (reading) and :mod:`procsim.mining.yaml_writer`
(writing the config), and assembles what the discovery modules find: the routing
(:mod:`procsim.mining.routing`), arrivals by hour of week (:mod:`procsim.mining.arrivals`),
roles and their staff on duty (:mod:`procsim.mining.roles`, :mod:`procsim.mining.staffing`,
:mod:`procsim.mining.load_check`), the waiting that is not queueing for staff
(:mod:`procsim.mining.waiting`), each activity's fitted times (:mod:`procsim.mining.activities`)
and parallel work (:mod:`procsim.mining.parallel_work`).

Everything here works on plain pandas tables and returns plain dataclasses: no SimPy, no
Hydra.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.errors import FitError
from procsim.mining.activities import fit_activity
from procsim.mining.arrivals import arrival_rates
from procsim.mining.config_keys import RESERVED_KEYS, unique_slugs
from procsim.mining.eventlog import RealLog
from procsim.mining.load_check import check_load
from procsim.mining.parallel_work import parallel_blocks
from procsim.mining.process_fit import ProcessFit
from procsim.mining.roles import ROLE_SIMILARITY, discover_roles
from procsim.mining.routing import start_probabilities, successor_counts
from procsim.mining.staffing import working_hours
from procsim.mining.waiting import enabled_times, not_queueing_hours, waiting_hours
from procsim.mining.week import hours


def discover(
    log: RealLog,
    name: str,
    *,
    criterion: str = "aic",
    role_similarity: float = ROLE_SIMILARITY,
) -> ProcessFit:
    """Discover a process model from an event log.

    Parameters
    ----------
    log
        A log read by :func:`procsim.mining.log_files.read_log` (local times).
    name
        The process name.
    criterion
        ``aic`` or ``bic`` for choosing duration families.
    role_similarity
        Cosine similarity of activity mixes above which resources share a role (used only
        when the log has no role column).

    Returns
    -------
    ProcessFit

    Raises
    ------
    FitError
        When the log is too small to say anything (fewer than two cases).
    """
    ev = log.events.sort_values(["case_id", "start_time", "end_time"], kind="stable")
    ev = ev.reset_index(drop=True)
    if ev["case_id"].nunique() < 2:
        raise FitError(f"{log.source}: fewer than two cases; a fit needs a log of many cases")
    notes: list[str] = list(log.notes)
    first, last = ev["start_time"].min(), ev["end_time"].max()
    order = list(dict.fromkeys(ev["activity"]))
    keys = unique_slugs(order, RESERVED_KEYS)
    ev["key"] = ev["activity"].map(keys)

    edges = successor_counts(ev, keys, last, notes)
    start = start_probabilities(ev)
    arrivals, trend = arrival_rates(ev, first, last)
    roles, role_of = discover_roles(ev, role_similarity, first, last, notes)
    enabled = enabled_times(ev)
    wait = waiting_hours(ev, enabled)
    not_queueing = not_queueing_hours(ev, enabled, wait)
    processing = working_hours(ev, roles, role_of, notes)
    roles, role_of = check_load(ev, roles, role_of, processing, first, last, notes)
    _roleless_as_delays(ev, role_of, enabled, processing)

    activities = []
    for act in order:
        mask = (ev["activity"] == act).to_numpy()
        activities.append(
            fit_activity(
                act,
                keys[act],
                ends=ev.loc[mask, "end_time"],
                processing=processing[mask],
                wait=wait[mask],
                not_queueing=not_queueing[mask],
                role=role_of.get(keys[act]),
                successors=edges[keys[act]],
                criterion=criterion,
                notes=notes,
            )
        )
    return ProcessFit(
        name=name,
        source=log.source,
        cases=int(ev["case_id"].nunique()),
        events=len(ev),
        first=first,
        last=last,
        start=start,
        activities=activities,
        roles=roles,
        arrivals=arrivals,
        trend=trend,
        notes=notes,
        starts_estimated=log.starts_estimated,
        parallel=parallel_blocks(ev, edges, notes),
    )


def _roleless_as_delays(
    ev: pd.DataFrame, role_of: dict[str, str], enabled: pd.Series, processing: np.ndarray
) -> None:
    """With estimated starts, an activity left without a role is a delay: its time runs from
    the end of the case's previous step, not from a start nobody recorded."""
    estimated_starts = "start_estimated" in ev and bool(ev["start_estimated"].any())
    no_role = ~ev["key"].isin(list(role_of)).to_numpy()
    if no_role.any() and estimated_starts:
        processing[no_role] = np.clip(hours(ev["end_time"] - enabled), 0, None)[no_role]
