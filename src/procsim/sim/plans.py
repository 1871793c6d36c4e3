"""The plan of one replication: what the engine does at each virtual stage, and its draws.

Sits between the model, the roles at time 0 (:mod:`procsim.sim.roles`) and the random draws
(:mod:`procsim.sim.draws`) on one side, and the engine's event loop (:mod:`procsim.sim.engine`)
on the other. Case types are folded into virtual stages (``type * n_stages + stage``): each has
its own durations and routing, at no cost per event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from procsim.model.process import EXIT, CaseType, Model, Stage
from procsim.sim.draws import (
    arrival_delays,
    case_type_draws,
    duration_draws,
    patience_draws,
    route_draws,
)
from procsim.sim.roles import Entry, Roles

#: Everything the hot path needs at one virtual stage, in one tuple: role queue and free
#: servers (None for a pure delay or a gated role), duration draws, routing draws (None: single
#: successor), successor, and whether entering / finishing needs the general path.
StagePlan = tuple[Any, Any, Iterator[float], Iterator[Any] | None, int, bool, bool]


@dataclass(frozen=True)
class ReplicationPlan:
    """What the engine does at each virtual stage, and the draws it takes as cases come.

    Attributes
    ----------
    stages
        Per virtual stage, its :data:`StagePlan`. The event loop switches the entries of a
        role's stages to the general finish while staff are owed by an ended shift.
    as_built
        The entries as built, which the loop switches back to.
    base
        Per virtual stage, the id of its stage.
    join_targets
        Ids of the stages where parallel branches join.
    patience
        Per stage id, the customers' patience draws (None where nobody abandons).
    batches
        Per stage id, the cases waiting for its batch release (empty at the start).
    arrivals
        Times between arrivals.
    case_types
        The type of each arriving case (None with a single type).
    """

    stages: list[StagePlan]
    as_built: list[StagePlan]
    base: list[int]
    join_targets: set[int]
    patience: list[Iterator[float] | None]
    batches: list[list[Entry]]
    arrivals: Iterator[float]
    case_types: Iterator[Any] | None


def plan_replication(model: Model, seed: int, replication: int, roles: Roles) -> ReplicationPlan:
    """Plan one replication.

    Parameters
    ----------
    model
        The validated model.
    seed, replication
        Select the random streams.
    roles
        The roles at time 0 (the plan holds their queues and free servers).

    Returns
    -------
    ReplicationPlan
    """
    stages = model.stages
    n = len(stages)
    join_targets = {s.join for s in stages if s.join is not None}
    durations = duration_draws(model, seed, replication)
    plan: list[StagePlan] = []
    for ctype, draws in zip(model.case_types, durations, strict=True):
        for stage in stages:
            route, first = _routing(model, ctype, stage, seed, replication)
            role_id = stage.role
            gated = role_id is not None and roles.gates[role_id] is not None
            plain_role = role_id is not None and not gated
            plan.append(
                (
                    roles.queues[role_id] if plain_role else None,  # type: ignore[index]
                    roles.free[role_id] if plain_role else None,  # type: ignore[index]
                    draws[stage.id],
                    route,
                    first,
                    gated or stage.batch is not None or stage.id in join_targets,
                    gated or bool(stage.split),
                )
            )
    return ReplicationPlan(
        stages=plan,
        as_built=list(plan),
        base=[vs % n for vs in range(len(plan))],
        join_targets=join_targets,
        patience=patience_draws(model, seed, replication),
        batches=[[] for _ in stages],
        arrivals=arrival_delays(model, seed, replication),
        case_types=case_type_draws(model, seed, replication),
    )


def _routing(
    model: Model, ctype: CaseType, stage: Stage, seed: int, replication: int
) -> tuple[Iterator[Any] | None, int]:
    """Where a case of ``ctype`` goes after ``stage``: the routing draws of an XOR choice
    (None for a single successor or a split), and the first successor as a virtual stage."""
    offset = ctype.id * len(model.stages)
    succ, probs = ctype.successors(stage)
    ids = np.asarray([x if x == EXIT else x + offset for x in succ], dtype=np.int64)
    route: Iterator[Any] | None = None
    if len(succ) > 1 and not stage.split:
        name = f"route/{stage.name}" + (f"/{ctype.name}" if len(model.case_types) > 1 else "")
        route = route_draws(seed, replication, name, ids, probs)
    return route, int(ids[0]) if len(ids) else EXIT
