"""The engine: one replication of a :class:`~procsim.model.Model` in SimPy.

Sits between the model and the runner; the only module that imports SimPy. It appends one record
per stage visit to a plain list and computes no metrics. Cases still open at the end are kept
(censored), never dropped.

Why callbacks rather than one SimPy process per case: each real event (an arrival or the end of
a stage visit) costs exactly one SimPy kernel event here. A ``simpy.Resource`` costs three per
visit (request, timeout, release), and tens of thousands of suspended case processes make every
event slower. Each role is a light gate instead: a stack of free servers and a FIFO of waiting
visits, which gives the same FIFO results.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event

from procsim.model import EXIT, Model, RunSettings
from procsim.streams import generator, uniform_blocks

VISIT_FIELDS = ("case", "stage", "server", "enabled", "start", "end")


@dataclass(frozen=True)
class SimLog:
    """What one replication produced: plain arrays, in sim time (process time unit).

    Attributes
    ----------
    visits
        Array ``(n, 6)`` of float: case, stage id, server index within its role (-1 for a pure
        delay), enabled, start and end time. ``start``/``end`` are NaN where the visit had not
        started/finished by ``end_time``.
    arrival, completion
        Per case id: arrival time and completion time (NaN while open).
    end_time
        When the replication stopped.
    truncated
        True when the ``max_events`` guard stopped it early.
    replication
        Replication index.
    """

    visits: np.ndarray
    arrival: np.ndarray
    completion: np.ndarray
    end_time: float
    truncated: bool
    replication: int


class _Wake(Event):
    """A timeout that carries its callback and payload: one kernel event per real event."""

    def __init__(
        self, env: simpy.Environment, delay: float, callback: Callable[[Any], None], payload: Any
    ) -> None:
        # Inlined Event/Timeout initialisation, as SimPy's own Timeout does, for speed.
        self.env = env
        self.callbacks = [callback]
        self._value = payload
        self._ok = True
        env.schedule(self, NORMAL, delay)


def simulate(model: Model, run: RunSettings, replication: int) -> SimLog:
    """Simulate one replication.

    Parameters
    ----------
    model
        The validated model.
    run
        Run settings: horizon or cases, warm-up, seed and the event guard.
    replication
        Replication index; selects the random streams.

    Returns
    -------
    SimLog
    """
    env = simpy.Environment()
    seed = run.seed

    durations: list[Iterator[float]] = []
    routes: list[Iterator[Any] | None] = []  # successor ids
    for stage in model.stages:
        durations.append(
            uniform_blocks(
                generator(seed, replication, f"duration/{stage.name}"), stage.duration.ppf
            )
        )
        if len(stage.successors) > 1:
            cum = np.cumsum(stage.probabilities)
            cum = cum / cum[-1]
            cum[-1] = np.inf
            ids = np.asarray(stage.successors, dtype=np.int64)

            def pick(u: np.ndarray, cum: np.ndarray = cum, ids: np.ndarray = ids) -> np.ndarray:
                return ids[np.searchsorted(cum, u, side="right")]

            routes.append(uniform_blocks(generator(seed, replication, f"route/{stage.name}"), pick))
        else:
            routes.append(None)
    single_next = [s.successors[0] if len(s.successors) == 1 else EXIT for s in model.stages]
    interarrival = uniform_blocks(generator(seed, replication, "arrivals"), model.interarrival.ppf)

    free: list[list[int]] = [list(range(r.servers - 1, -1, -1)) for r in model.roles]
    queues: list[deque[tuple[int, int, float]]] = [deque() for _ in model.roles]
    visits: list[tuple[int, int, int, float, float, float]] = []
    log_visit = visits.append
    arrival: list[float] = []
    completion: list[float] = []
    nan = math.nan
    start_stage = model.start

    horizon = run.horizon
    cases_after_warmup = run.cases
    warmup = run.warmup
    counted = 0
    exits: list[float] = []  # completion times in order; its length counts finished cases

    # Per stage, everything the hot path needs, in one tuple: role queue and free servers (None
    # for a pure delay), duration draws, routing draws (None: single successor) and successor.
    plan: list[tuple[Any, Any, Iterator[float], Iterator[Any] | None, int]] = []
    for stage in model.stages:
        role_id = stage.role
        plan.append(
            (
                queues[role_id] if role_id is not None else None,
                free[role_id] if role_id is not None else None,
                durations[stage.id],
                routes[stage.id],
                single_next[stage.id],
            )
        )

    def enter(case: int, stage: int, now: float) -> None:
        queue, idle, draws, _, _ = plan[stage]
        if idle is None:
            d = next(draws)
            log_visit((case, stage, -1, now, now, now + d))
            _Wake(env, d, finish, (case, stage, -1))
        elif idle:
            server = idle.pop()
            d = next(draws)
            log_visit((case, stage, server, now, now, now + d))
            _Wake(env, d, finish, (case, stage, server))
        else:
            queue.append((case, stage, now))

    def finish(event: Event) -> None:
        case, stage, server = event._value
        now = env._now
        queue, idle, _, route, nxt = plan[stage]
        if idle is not None:
            if queue:
                # Hand the server straight to the next waiting visit (FIFO).
                c2, s2, enabled = queue.popleft()
                d = next(plan[s2][2])
                log_visit((c2, s2, server, enabled, now, now + d))
                _Wake(env, d, finish, (c2, s2, server))
            else:
                idle.append(server)
        if route is not None:
            nxt = next(route)
        if nxt == EXIT:
            completion[case] = now
            exits.append(now)
            return
        # enter(case, nxt, now), inlined: this runs once per real event.
        queue, idle, draws, _, _ = plan[nxt]
        if idle is None:
            d = next(draws)
            log_visit((case, nxt, -1, now, now, now + d))
            _Wake(env, d, finish, (case, nxt, -1))
        elif idle:
            server = idle.pop()
            d = next(draws)
            log_visit((case, nxt, server, now, now, now + d))
            _Wake(env, d, finish, (case, nxt, server))
        else:
            queue.append((case, nxt, now))

    def arrive(event: Event) -> None:
        nonlocal counted
        now = env._now
        case = len(arrival)
        arrival.append(now)
        completion.append(nan)
        enter(case, start_stage, now)
        if cases_after_warmup is not None and now >= warmup:
            counted += 1
            if counted >= cases_after_warmup:
                return
        _Wake(env, next(interarrival), arrive, None)

    _Wake(env, next(interarrival), arrive, None)

    # Run in slices so that the event guard can stop a runaway replication.
    truncated = False
    if horizon is not None:
        step = horizon / 64
        t = 0.0
        while t < horizon:
            t = min(horizon, t + step)
            env.run(until=t)
            if len(visits) > run.max_events:
                truncated = True
                break
        end_time = float(env.now)
    else:
        assert cases_after_warmup is not None
        step = max(model.interarrival.mean * max(cases_after_warmup, 1) / 64, 1e-9)
        # Until every case has arrived and left; SimPy's own `until` events keep the schedule
        # non-empty, so the stop condition is counted, not read off the event queue.
        while counted < cases_after_warmup or len(exits) < len(arrival):
            env.run(until=env.now + step)
            if len(visits) > run.max_events:
                truncated = True
                break
        end_time = float(env.now) if truncated else exits[-1]

    visits += [(c, s, -1, e, nan, nan) for q in queues for (c, s, e) in q]
    table = np.fromiter(
        itertools.chain.from_iterable(visits), dtype=np.float64, count=6 * len(visits)
    ).reshape(-1, 6)
    if table.size:
        started_late = table[:, 4] > end_time
        table[started_late, 4] = nan
        # A horizon stops before events due exactly at it: such visits have not finished. A
        # fixed workload ends with the last completion, which did finish.
        unfinished = table[:, 5] > end_time
        if horizon is not None or truncated:
            unfinished |= table[:, 5] == end_time
        table[unfinished, 5] = nan
        # A visit that has not started has no server yet.
        table[started_late, 2] = -1
    return SimLog(
        visits=table,
        arrival=np.asarray(arrival, dtype=np.float64),
        completion=np.asarray(completion, dtype=np.float64),
        end_time=end_time,
        truncated=truncated,
        replication=replication,
    )
