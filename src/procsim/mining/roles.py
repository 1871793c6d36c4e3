"""Discovering the roles: who belongs together, which role does each activity, and how many of
them are on duty when.

Part of discovery (:func:`procsim.mining.discover.discover`): roles come from the log's role
column, or else from grouping resources that do the same mix of activities. Each activity goes
to the role that did most of its instances; each role gets its head counts on duty from
:mod:`procsim.mining.staffing`. A log that names no people gets no roles: its activities are
then delays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.mining.config_keys import RESERVED_KEYS, fresh_key, unique_slugs
from procsim.mining.process_fit import RoleFit
from procsim.mining.staffing import head_counts, on_duty
from procsim.mining.start_times import identifies_people
from procsim.mining.week import weekday_counts

#: Two resources belong to one role when their activity mixes are at least this similar
#: (cosine similarity of their activity counts).
ROLE_SIMILARITY = 0.7


def discover_roles(
    ev: pd.DataFrame,
    similarity: float,
    first: pd.Timestamp,
    last: pd.Timestamp,
    notes: list[str],
) -> tuple[list[RoleFit], dict[str, str]]:
    """Roles, and which role does each activity (the one that did most of its instances).

    Parameters
    ----------
    ev
        The log, with the activity keys in ``key``.
    similarity
        Cosine similarity of activity mixes from which resources share a role (when the log
        has no role column).
    first, last
        The log's period, for the mean head counts per week.
    notes
        What the analyst should know; notes say when no roles could be found, and which
        groups of resources were left out.

    Returns
    -------
    tuple
        The roles, sorted by key, and activity key -> role key (activities nobody did are
        not in it).
    """
    grouping = _member_roles(ev, similarity, notes)
    if grouping is None:
        return [], {}
    member_role, names, source = grouping
    role_of = _main_role(ev["key"], member_role)
    roles: list[RoleFit] = []
    per_day = weekday_counts(first, last)
    for role_key in sorted(set(role_of.values())):
        sub = ev.loc[(member_role == role_key).to_numpy()]
        mean_on_duty = on_duty(sub, per_day)
        roles.append(
            RoleFit(
                key=role_key,
                members=tuple(sorted(set(sub["resource"]) - {""})),
                activities=tuple(k for k, r in role_of.items() if r == role_key),
                on_duty=mean_on_duty,
                staffing=head_counts(mean_on_duty),
                source=source,
            )
        )
    unused = sorted(set(names.values()) - set(role_of.values())) if names else []
    if unused:
        notes.append(
            f"{len(unused)} group(s) of resources do no activity mostly and are left out: "
            + ", ".join(unused[:6])
        )
    return roles, role_of


def _member_roles(
    ev: pd.DataFrame, similarity: float, notes: list[str]
) -> tuple[pd.Series, dict[str, str], str] | None:
    """The role key of each event's resource ("" for none), the role keys by group, and how
    they were found; None (with a note) when the log cannot tell roles."""
    staffed = ev[ev["resource"] != ""]
    estimated = "start_estimated" in ev and bool(ev["start_estimated"].any())
    if estimated and not identifies_people(ev):
        notes.append(
            "the log records completions only and does not say who did the work (its resource "
            "column names no people): waiting and working cannot be told apart, so every "
            "activity is modelled as a delay from the end of the case's previous activity to its "
            "own end. Add roles and staffing by hand to study staffing"
        )
        return None
    if "role" in ev and (ev["role"] != "").any():
        group = ev["role"].where(ev["role"] != "", "")
        names = unique_slugs(sorted(set(group[group != ""])), RESERVED_KEYS)
        return group.map(names), names, "role column"
    if len(staffed):
        member_role, names = _group_resources(staffed, similarity)
        return member_role.reindex(ev.index).fillna(""), names, "grouped by activity mix"
    notes.append("the log names no resources: every activity is modelled as a pure delay")
    return None


def _main_role(activity_keys: pd.Series, member_role: pd.Series) -> dict[str, str]:
    """Activity key -> the role that did most of its instances."""
    role_of: dict[str, str] = {}
    done_by = pd.DataFrame({"key": activity_keys, "role": member_role})
    done_by = done_by[done_by["role"].notna() & (done_by["role"] != "")]
    for act_key, performers in done_by.groupby("key", sort=False)["role"]:
        counts = performers.value_counts()
        if len(counts):
            role_of[str(act_key)] = str(counts.index[0])
    return role_of


def _group_resources(staffed: pd.DataFrame, similarity: float) -> tuple[pd.Series, dict[str, str]]:
    """Roles from resources doing the same mix of activities (average-linkage clustering)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    mix = pd.crosstab(staffed["resource"], staffed["key"]).astype(float)
    resources = list(mix.index)
    if len(resources) == 1:
        labels = np.array([1])
    else:
        norm = mix.to_numpy() / np.linalg.norm(mix.to_numpy(), axis=1, keepdims=True)
        # Condensed distances: a square observation matrix would be mistaken for distances.
        tree = linkage(pdist(norm, metric="cosine"), method="average")
        labels = fcluster(tree, t=1 - similarity, criterion="distance")
    # Name each group after the activity it does most.
    names: dict[int, str] = {}
    taken = set(RESERVED_KEYS)
    for label in sorted(set(labels.tolist())):
        rows = mix.to_numpy()[labels == label].sum(axis=0)
        main = str(mix.columns[int(np.argmax(rows))])
        names[label] = fresh_key(f"{main}_team", taken)
    by_resource = {r: names[int(lab)] for r, lab in zip(resources, labels, strict=True)}
    return staffed["resource"].map(by_resource), {str(k): v for k, v in names.items()}
