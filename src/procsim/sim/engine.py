"""The engine: one replication of a :class:`~procsim.model.process.Model` in SimPy.

Sits between the model and the runner; the only module that imports SimPy. :func:`simulate`
sets a replication up (:mod:`procsim.sim.roles`, :mod:`procsim.sim.plans`), runs its event loop
(:func:`run_replication`, with :mod:`procsim.sim.general_path`), and returns the log that
:mod:`procsim.sim.logbook` makes of what the loop recorded. The loop appends one record per
stage visit to a plain list and computes no metrics. Cases still open at the end are kept
(censored), never dropped.

Why callbacks rather than one SimPy process per case: each real event (an arrival or the end of
a stage visit) costs exactly one SimPy kernel event here. A ``simpy.Resource`` costs three per
visit (request, timeout, release), and tens of thousands of suspended case processes make every
event slower. Each role is a light gate instead: a stack of free servers and a FIFO of waiting
visits, which gives the same FIFO results.

Features that need more bookkeeping (preemption, abandonment, queue capacity, batching, parallel
branches) take a slower path only at the stages and roles that use them, so a plain process pays
nothing for them; priorities and shifts stay on the fast path. Case types are folded into
"virtual stages" (``type * n_stages + stage``): each has its own durations and routing, at no
cost per event.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, Event

from procsim.model.process import EXIT, Model, RunSettings
from procsim.sim.general_path import Loop, general_path
from procsim.sim.logbook import STORE_EVERY, Logbook
from procsim.sim.plans import ReplicationPlan, plan_replication
from procsim.sim.records import COMPLETED, GUARDS, SimLog
from procsim.sim.roles import Roles, build_roles
from procsim.sim.schedules import batch_releases, shift_changes

#: Most events between two checks of the guards (run.max_events, run.max_seconds).
GUARD_EVERY = 1 << 16


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
        heapq.heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


class _SliceEndError(Exception):
    """Raised by the end-of-slice marker to leave the dispatch loop."""


def _end_slice(event: Event) -> None:
    raise _SliceEndError


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
    roles = build_roles(model)
    plan = plan_replication(model, run.seed, replication, roles)
    logbook = Logbook.start(roles)
    end_time, stop_reason = run_replication(env, model, run, roles, plan, logbook)
    return logbook.to_sim_log(model, run, replication, roles, plan.batches, end_time, stop_reason)


def run_replication(
    env: simpy.Environment,
    model: Model,
    run: RunSettings,
    roles: Roles,
    replication_plan: ReplicationPlan,
    logbook: Logbook,
) -> tuple[float, str]:
    """The event loop of one replication: the handlers of arrivals and of the starts and ends
    of visits on the fast path, and the dispatch of SimPy's event queue until the run ends.

    Parameters
    ----------
    env
        A new environment.
    model
        The validated model.
    run
        Run settings: horizon or cases, warm-up and the guards.
    roles, replication_plan
        The replication's roles and plan, from :func:`~procsim.sim.roles.build_roles` and
        :func:`~procsim.sim.plans.plan_replication`; the loop changes their state.
    logbook
        Where the loop records (see :class:`~procsim.sim.logbook.Logbook`).

    Returns
    -------
    tuple[float, str]
        When the run stopped, and why (:attr:`~procsim.sim.records.SimLog.stop_reason`).
    """
    n = len(model.stages)
    start_stage = model.start
    horizon = run.horizon
    cases_after_warmup = run.cases
    warmup = run.warmup
    counted = 0
    plan = replication_plan.stages
    batches = replication_plan.batches
    type_draws = replication_plan.case_types
    interarrival = replication_plan.arrivals
    queues = roles.queues
    gates = roles.gates
    shifts = roles.shifts
    visits = logbook.visits
    log_visit = visits.append
    arrival = logbook.arrival
    case_type = logbook.case_type  # only with several case types
    gone = logbook.gone  # cases in order of departure
    exits = logbook.exits  # departure times in order; its length counts departed cases
    not_completed = logbook.not_completed  # (case, outcome) of abandoned and balked cases

    queue_ = env._queue
    push = heapq.heappush
    eid = env._eid

    # Finished wake-ups of visits, kept for reuse: building an event object is a Python call
    # and four attribute stores, reusing one is a pop and one store. Only events whose callback
    # is finish and which nothing refers to any more are kept (never a disarmed one).
    spare: list[Event] = []
    take_spare = spare.pop
    keep_spare = spare.append

    def wake(delay: float, payload: tuple[int, int, int]) -> Event:
        """Schedule ``finish`` for a visit: a spare wake-up if there is one, else a new one."""
        if spare:
            event = take_spare()
            event._value = payload
            push(queue_, (env._now + delay, NORMAL, next(eid), event))
            return event
        return _Wake(env, delay, finish, payload)

    def depart(case: int, now: float, how: int) -> None:
        # (validation keeps patience and queue capacity out of parallel branches, so a case
        # leaves once)
        exits.append(now)
        gone.append(case)
        if how != COMPLETED:
            not_completed.append((case, how))

    def enter(case: int, stage: int, now: float) -> None:
        queue, idle, draws, _, _, slow, _ = plan[stage]
        if slow:
            enter_slow(case, stage, now, now)
        elif idle is None:
            d = next(draws)
            log_visit((case, stage, -1, now, now, now + d))
            wake(d, (case, stage, -1))
        elif idle:
            server = idle.pop()
            d = next(draws)
            log_visit((case, stage, server, now, now, now + d))
            wake(d, (case, stage, server))
        else:
            queue.append((case, stage, now))

    def finish(event: Event) -> None:
        case, stage, server = event._value
        now = env._now
        queue, idle, _, route, nxt, _, slow = plan[stage]
        if slow:
            finish_slow(case, stage, server, now)
            keep_spare(event)
            return
        # The route first (its own stream: the order of draws across streams does not matter),
        # so that a case that leaves frees its wake-up for the visit that takes its server.
        if route is not None:
            nxt = next(route)
        if idle is not None:
            if queue:
                # Hand the server straight to the next waiting visit (FIFO).
                c2, s2, enabled = queue.popleft()
                d = next(plan[s2][2])
                end = now + d
                log_visit((c2, s2, server, enabled, now, end))
                if nxt == EXIT:
                    # The leaving case's wake-up serves the visit that takes its server.
                    event._value = (c2, s2, server)
                    push(queue_, (end, NORMAL, next(eid), event))
                    exits.append(now)
                    gone.append(case)
                    return
                if spare:
                    ev = take_spare()
                    ev._value = (c2, s2, server)
                    push(queue_, (end, NORMAL, next(eid), ev))
                else:
                    _Wake(env, d, finish, (c2, s2, server))
            else:
                idle.append(server)
        if nxt == EXIT:
            # depart(case, now, COMPLETED), inlined.
            exits.append(now)
            gone.append(case)
            keep_spare(event)
            return
        # enter(case, nxt, now), inlined: this runs once per real event.
        queue, idle, draws, _, _, slow, _ = plan[nxt]
        if slow:
            enter_slow(case, nxt, now, now)
            keep_spare(event)
        elif idle is None:
            end = now + next(draws)
            log_visit((case, nxt, -1, now, now, end))
            # The finished wake-up is reused for the case's next visit: one object less to
            # build per event (fast path only; nothing else refers to it).
            event._value = (case, nxt, -1)
            push(queue_, (end, NORMAL, next(eid), event))
        elif idle:
            server = idle.pop()
            end = now + next(draws)
            log_visit((case, nxt, server, now, now, end))
            event._value = (case, nxt, server)
            push(queue_, (end, NORMAL, next(eid), event))
        else:
            queue.append((case, nxt, now))
            keep_spare(event)

    # The general path, for the stages and roles that the plan marks as slow.
    loop = Loop(env, _Wake, model, replication_plan, roles, logbook, wake, enter, depart)
    enter_slow, finish_slow, abandon, on_shift, on_schedule = general_path(loop)

    def arrive(event: Event) -> None:
        nonlocal counted
        now = env._now
        case = len(arrival)
        arrival.append(now)
        if type_draws is None:
            stage = start_stage
        else:
            ctype = next(type_draws)
            case_type.append(ctype)
            stage = start_stage + ctype * n
        # enter(case, stage, now) for a free server or a queue, inlined: arrivals are half the
        # events of a single-stage process.
        queue, idle, draws, _, _, slow, _ = plan[stage]
        if idle and not slow:
            server = idle.pop()
            d = next(draws)
            log_visit((case, stage, server, now, now, now + d))
            wake(d, (case, stage, server))
        elif idle is not None and not slow:
            queue.append((case, stage, now))
        else:
            enter(case, stage, now)
        if cases_after_warmup is not None and now >= warmup:
            counted += 1
            if counted >= cases_after_warmup:
                return
        # The arrival wake-up is rescheduled for the next arrival (one object for them all).
        push(queue_, (now + next(interarrival), NORMAL, next(eid), event))

    _Wake(env, next(interarrival), arrive, None)
    limit = horizon if horizon is not None else 1e300
    for role_id, first_time, first_count, changes in shift_changes(model, limit):
        staff = gates[role_id] or shifts[role_id]
        _Wake(env, first_time, on_shift, (staff, first_count, changes))
    releases = batch_releases(model)
    for stage_id, times in releases:
        _Wake(env, next(times), on_schedule, (stage_id, times))

    queue = env._queue
    pop = heapq.heappop
    # Often enough that a replication stops within a few percent of run.max_events.
    guard_every = max(1, min(GUARD_EVERY, run.max_events // 16))

    # The end of the current slice is a marker in the event queue (as in SimPy's run(until=)),
    # so the loop tests nothing per event: URGENT, it leaves events due exactly then for later.
    marker = Event(env)
    marker.callbacks = [_end_slice]
    marked = math.nan  # the time the marker is scheduled at, if it is pending

    def advance(until: float) -> bool:
        """``env.run(until=until)`` for a schedule of callback-only events, without SimPy's
        per-event ``step`` call: every event here is a :class:`_Wake` with at most one
        callback and no failure to raise. As with ``env.run(until=...)``, events due exactly
        at ``until`` are left for later and the clock ends at ``until``. Returns False when
        it stopped after ``guard_every`` events without reaching ``until`` (so that the
        guards are checked however long a stretch of simulated time is)."""
        nonlocal marked
        if marked != until:
            push(queue, (until, URGENT, next(eid), marker))
            marked = until
        try:
            for _ in itertools.repeat(None, guard_every):
                when, _, _, event = pop(queue)
                env._now = when
                # Every wake-up has exactly one callback (a disarmed one calls _ignore); the
                # list stays, as a wake-up may be rescheduled (see finish).
                event.callbacks[0](event)
        except _SliceEndError:
            marked = math.nan
            return True
        return False

    timed_batches = [stage_id for stage_id, _ in releases]

    def parked() -> bool:
        """After the last arrival: whether the open cases can never move on, because nothing
        pending serves or releases them (cases in a batch that waits for a size no more cases
        will fill)."""
        if any(queues) or any(g is not None and g.waiting for g in gates):
            return False  # waiting for staff: a shift change will bring them
        if any(batches[i] for i in timed_batches):
            return False  # a scheduled release will take them
        moving = (finish, abandon)
        return not any(entry[3].callbacks[0] in moving for entry in queue)

    # Run in slices so that the guards can stop a runaway replication.
    stop_reason = ""
    deadline = time.perf_counter() + run.max_seconds

    # Finished visit records move into numpy blocks as the run goes, except with preemption,
    # which rewrites earlier rows.
    can_store = not any(g is not None and g.preemptive for g in gates)

    def guarded() -> bool:
        nonlocal stop_reason
        if logbook.stored + len(visits) > run.max_events:
            stop_reason = "max_events"
        elif time.perf_counter() > deadline:
            stop_reason = "max_seconds"
        if can_store and len(visits) >= STORE_EVERY:
            logbook.store()
        return bool(stop_reason)

    if horizon is not None:
        while not advance(horizon):
            if guarded():
                break
        end_time = float(env.now)
    else:
        assert cases_after_warmup is not None
        step = max(max(cases_after_warmup, 1) / model.arrival_rate / 64, 1e-9)
        # Until every case has arrived and left (the stop condition is counted, not read off
        # the event queue, which shift and batch schedules keep non-empty).
        until = step
        while counted < cases_after_warmup or len(exits) < len(arrival):
            if advance(until):
                until = env.now + step
                if counted >= cases_after_warmup and parked():
                    stop_reason = "parked"
                    break
            if guarded():
                break
        end_time = exits[-1] if exits else 0.0
        if stop_reason in GUARDS:
            end_time = float(env.now)
    return end_time, stop_reason
