"""Checking each role's load: can its recorded work and its head counts on duty both be right?

Part of discovery, after :mod:`procsim.mining.roles` (head counts) and
:func:`procsim.mining.staffing.working_hours` (recorded work): a role whose work exceeds its
time on duty either gets its head counts scaled up or, when the start times were estimated,
loses its activities, which :func:`procsim.mining.discover.discover` then models as delays.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from procsim.mining.process_fit import RoleFit

#: Offered load (recorded work over head count on duty) above which a role's figures cannot
#: both be right; what is done about it depends on whether start times were recorded.
MAX_LOAD = 0.95
#: Load a role's head counts are scaled to when recorded work exceeds them.
TARGET_LOAD = 0.85


def check_load(
    ev: pd.DataFrame,
    roles: list[RoleFit],
    role_of: dict[str, str],
    processing: np.ndarray,
    first: pd.Timestamp,
    last: pd.Timestamp,
    notes: list[str],
) -> tuple[list[RoleFit], dict[str, str]]:
    """Roles whose recorded work exceeds their head count on duty.

    With estimated start times the estimates include waiting (the person's previous event was
    long before): the role's activities become delays. With recorded start times the head
    counts are too low (people also work outside the spans the log shows): they are scaled up
    so that the role's load is :data:`TARGET_LOAD`.

    Parameters
    ----------
    ev
        The log, with the activity keys in ``key``.
    roles
        The roles found, with their head counts.
    role_of
        Activity key -> role key.
    processing
        Each event's working hours.
    first, last
        The log's period.
    notes
        What the analyst should know; a note per role whose figures were changed.

    Returns
    -------
    tuple
        The roles kept (head counts scaled where needed), and ``role_of`` without the
        activities of the roles dropped.
    """
    weeks = max((last - first) / pd.Timedelta(days=7), 1 / 7)
    estimated = "start_estimated" in ev and bool(ev["start_estimated"].any())
    keys = ev["key"].map(role_of).to_numpy()
    kept: list[RoleFit] = []
    for role in roles:
        work = float(processing[keys == role.key].sum()) / weeks
        on_duty = float(role.staffing.sum())
        load = work / on_duty if on_duty > 0 else math.inf
        if load <= MAX_LOAD:
            kept.append(role)
        elif on_duty == 0:
            notes.append(
                f"role {role.key}: too rarely seen to estimate a head count on duty; its "
                "activities are modelled as delays"
            )
            role_of = {k: r for k, r in role_of.items() if r != role.key}
        elif estimated:
            notes.append(
                f"role {role.key}: the estimated work ({work:,.0f} h a week) exceeds its time on "
                f"duty ({on_duty:,.0f} h a week), so the estimated start times include waiting; "
                "its activities are modelled as delays"
            )
            role_of = {k: r for k, r in role_of.items() if r != role.key}
        else:
            factor = load / TARGET_LOAD
            scaled = np.ceil(role.staffing * factor).astype(int)
            notes.append(
                f"role {role.key}: recorded work ({work:,.0f} h a week) exceeds the head count "
                f"seen on duty ({on_duty:,.0f} h a week, load {load:.2f}); head counts scaled by "
                f"{factor:.2f} (people also work outside the spans the log shows)"
            )
            kept.append(dataclasses.replace(role, staffing=scaled))
    return kept, role_of
