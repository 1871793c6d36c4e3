"""The engine's general path: the event handlers of the stages and roles whose features need
more bookkeeping than the fast path (preemption, abandonment, queue capacity, batching,
parallel branches, and shifts while staff are owed).

Part of the event loop of :mod:`procsim.sim.engine`, which builds these handlers once per
replication (:func:`general_path`) and calls them where its plan (:mod:`procsim.sim.plans`)
marks a stage as slow; they change the roles (:mod:`procsim.sim.roles`) and write to the
logbook (:mod:`procsim.sim.logbook`). They are closures over the replication's state, as the
fast path is: a closure's variables cost less per event than an object's attributes. SimPy
stays in the engine: the handlers get its environment and its wake-up constructor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from procsim.model.process import EXIT, Model
from procsim.sim.logbook import Logbook
from procsim.sim.plans import ReplicationPlan
from procsim.sim.records import ABANDONED, BALKED, COMPLETED
from procsim.sim.roles import Gate, Roles, ShiftStaff, disarm

#: An event's callback.
Callback = Callable[[Any], None]
#: ``(case, virtual stage, enabled, now)``: a visit starts, or waits, at a stage.
StartVisit = Callable[[int, int, float, float], None]
#: ``(case, virtual stage, server, now)``: a visit ends.
FinishVisit = Callable[[int, int, int, float], None]
#: ``serve(gate, server, entry, now)``: a server of a gate takes a waiting entry.
Serve = Callable[[Gate, int, list[Any], float], None]
#: ``preempt(gate, priority level, server, now)``: the server's visit is interrupted.
Preempt = Callable[[Gate, int, int, float], None]
#: ``take_next(queue, idle, server, now)``: a free server of a plain role.
TakeNext = Callable[[Any, list[int], int, float], None]
#: ``go_home(staff, server, now)``: a server leaves at the end of its visit (a shift ended).
GoHome = Callable[[Gate | ShiftStaff, int, float], None]


class GeneralPath(NamedTuple):
    """The handlers the fast path and the dispatch loop call.

    Attributes
    ----------
    enter_slow
        ``(case, virtual stage, enabled, now)``: entering a stage with a join, a batch or a
        gate.
    finish_slow
        ``(case, virtual stage, server, now)``: the end of a visit at a stage with a split, a
        gate, or staff owed by an ended shift.
    abandon
        Callback of a customer's patience running out.
    on_shift
        Callback of a change of head count on duty.
    on_schedule
        Callback of a scheduled batch release.
    """

    enter_slow: StartVisit
    finish_slow: FinishVisit
    abandon: Callback
    on_shift: Callback
    on_schedule: Callback


class Loop(NamedTuple):
    """What the general path shares with the rest of the engine's event loop.

    Attributes
    ----------
    env
        The replication's SimPy environment (its clock and event queue).
    wake_up
        The engine's wake-up constructor: ``wake_up(env, delay, callback, payload)`` calls
        ``callback(event)`` after ``delay``, with the payload in ``event._value``.
    model, plan, roles, logbook
        The validated model, and the replication's plan, roles and logbook.
    wake, enter, depart
        The fast path's handlers, which the general path calls too: ``wake(delay, (case,
        virtual stage, server))`` schedules the end of a visit, ``enter(case, virtual stage,
        now)`` enters a stage, ``depart(case, now, outcome)`` leaves the process.
    """

    env: Any
    wake_up: Callable[[Any, float, Callback, Any], Any]
    model: Model
    plan: ReplicationPlan
    roles: Roles
    logbook: Logbook
    wake: Callable[[float, tuple[int, int, int]], Any]
    enter: Callable[[int, int, float], None]
    depart: Callable[[int, float, int], None]


def general_path(loop: Loop) -> GeneralPath:
    """The general path's handlers for one replication.

    Parameters
    ----------
    loop
        The event loop's clock, set-up, logbook and fast-path handlers.

    Returns
    -------
    GeneralPath
    """
    serve, preempt = _service(loop)
    enter_stage, abandon = _visit_starts(loop, serve, preempt)
    take_next, release_server, go_home, on_shift = _staffing(loop, serve)
    enter_slow, finish_slow, on_schedule = _stage_changes(
        loop, enter_stage, take_next, release_server, go_home
    )
    return GeneralPath(enter_slow, finish_slow, abandon, on_shift, on_schedule)


def _stage_changes(
    loop: Loop,
    enter_stage: StartVisit,
    take_next: TakeNext,
    release_server: Callable[[Gate, int, float], None],
    go_home: GoHome,
) -> tuple[StartVisit, FinishVisit, Callback]:
    """How a case moves on the general path: into a stage through a join or a batch (released
    by size or on schedule), and out of a visit (its server freed, then a split into parallel
    branches or the next stage): ``enter_slow``, ``finish_slow`` and ``on_schedule``."""
    env, wake_up, enter, depart = loop.env, loop.wake_up, loop.enter, loop.depart
    stages = loop.model.stages
    plan = loop.plan.stages
    base = loop.plan.base
    join_targets = loop.plan.join_targets
    batches = loop.plan.batches
    gates = loop.roles.gates
    shifts = loop.roles.shifts
    rank = loop.roles.rank
    pending_join: dict[tuple[int, int], int] = {}

    def enter_slow(case: int, vs: int, enabled: float, now: float) -> None:
        stage = stages[base[vs]]
        if stage.id in join_targets:
            key = (case, vs)
            left_to_join = pending_join.get(key)
            if left_to_join is not None:
                if left_to_join > 1:
                    pending_join[key] = left_to_join - 1
                    return  # wait for the other branches
                del pending_join[key]
        if stage.batch is not None:
            buffer = batches[stage.id]
            buffer.append((case, vs, enabled))
            if stage.batch.size is not None and len(buffer) >= stage.batch.size:
                release(stage.id, now)
            return
        enter_stage(case, vs, enabled, now)

    def finish_slow(case: int, vs: int, server: int, now: float) -> None:
        queue, idle, _, route, nxt, _, _ = plan[vs]
        stage = stages[base[vs]]
        if stage.role is not None:
            gate = gates[stage.role]
            shift = shifts[stage.role]
            if gate is not None:
                if gate.preemptive:
                    del gate.busy_at[rank[vs]][server]
                release_server(gate, server, now)
            elif shift is not None and shift.owed:
                go_home(shift, server, now)
            else:
                take_next(queue, idle, server, now)
        if stage.split:
            offset = vs - stage.id
            assert stage.join is not None
            pending_join[(case, stage.join + offset)] = len(stage.split)
            for branch in stage.split:
                enter(case, branch + offset, now)
            return
        if route is not None:
            nxt = next(route)
        if nxt == EXIT:
            depart(case, now, COMPLETED)
        else:
            enter(case, nxt, now)

    def release(stage_id: int, now: float) -> None:
        buffer = batches[stage_id]
        batches[stage_id] = []
        for case, vs, enabled in buffer:
            enter_stage(case, vs, enabled, now)

    def on_schedule(event: Any) -> None:
        stage_id, times = event._value
        release(stage_id, env._now)
        wake_up(env, next(times) - env._now, on_schedule, (stage_id, times))

    return enter_slow, finish_slow, on_schedule


def _service(loop: Loop) -> tuple[Serve, Preempt]:
    """Service at a gate: a visit starts, or resumes the work it had left, and a visit of lower
    priority is interrupted (preemption, which keeps its row and counts the pause):
    ``serve`` and ``preempt``."""
    wake = loop.wake
    plan = loop.plan.stages
    rank = loop.roles.rank
    visits = loop.logbook.visits
    log_visit = visits.append
    suspended = loop.logbook.suspended
    suspended_since = loop.logbook.suspended_since
    pauses = loop.logbook.pauses
    nan = math.nan

    def serve(gate: Gate, server: int, entry: list[Any], now: float) -> None:
        case, vs, enabled = entry[0], entry[1], entry[2]
        if entry[5] is None:
            d = next(plan[vs][2])
            row = len(visits)
            log_visit((case, vs, server, enabled, now, now + d))
        else:  # a preempted visit resumes with the work it had left
            d = entry[5]
            row = entry[6]
            since = suspended_since.pop(row)
            suspended[row] = suspended.get(row, 0.0) + now - since
            pauses.append((row, since, now))
            started = visits[row][4]
            visits[row] = (case, vs, server, enabled, started, now + d)
        event = wake(d, (case, vs, server))
        if gate.preemptive:
            gate.busy_at[rank[vs]][server] = [case, vs, enabled, event, row, now + d]

    def preempt(gate: Gate, level: int, server: int, now: float) -> None:
        case, vs, enabled, event, row, end = gate.busy_at[level].pop(server)
        disarm(event)
        suspended_since[row] = now
        started = visits[row][4]
        visits[row] = (case, vs, -1, enabled, started, nan)
        gate.levels[rank[vs]].appendleft([case, vs, enabled, True, None, end - now, row])
        gate.waiting += 1

    return serve, preempt


def _visit_starts(loop: Loop, serve: Serve, preempt: Preempt) -> tuple[StartVisit, Callback]:
    """How a visit starts on the general path (at once, in a queue, by preempting another, or
    not at all: a balk), and how a waiting customer abandons: ``enter_stage`` and
    ``abandon``."""
    env, wake_up, wake, depart = loop.env, loop.wake_up, loop.wake, loop.depart
    stages = loop.model.stages
    plan = loop.plan.stages
    base = loop.plan.base
    patience = loop.plan.patience
    gates = loop.roles.gates
    rank = loop.roles.rank
    log_visit = loop.logbook.visits.append
    nan = math.nan

    def enter_stage(case: int, vs: int, enabled: float, now: float) -> None:
        queue, idle, draws, _, _, _, _ = plan[vs]
        stage = stages[base[vs]]
        if stage.role is None:
            d = next(draws)
            log_visit((case, vs, -1, enabled, now, now + d))
            wake(d, (case, vs, -1))
            return
        gate = gates[stage.role]
        if gate is None:
            if idle:
                server = idle.pop()
                d = next(draws)
                log_visit((case, vs, server, enabled, now, now + d))
                wake(d, (case, vs, server))
            else:
                queue.append((case, vs, enabled))
            return
        entry: list[Any] = [case, vs, enabled, True, None, None, -1]
        if gate.idle:
            serve(gate, gate.idle.pop(), entry, now)
            return
        if gate.preemptive:
            for level in range(len(gate.busy_at) - 1, rank[vs], -1):
                if gate.busy_at[level]:
                    victim = next(iter(gate.busy_at[level]))
                    preempt(gate, level, victim, now)
                    serve(gate, victim, entry, now)
                    return
        if stage.queue_capacity is not None and gate.waiting >= stage.queue_capacity:
            log_visit((case, vs, -1, enabled, nan, nan))
            depart(case, now, BALKED)
            return
        if stage.patience is not None:
            draw = patience[stage.id]
            assert draw is not None
            entry[4] = wake_up(env, next(draw), abandon, (gate, entry))
        gate.levels[rank[vs]].append(entry)
        gate.waiting += 1

    def abandon(event: Any) -> None:
        gate, entry = event._value
        entry[3] = False
        gate.waiting -= 1
        case, vs, enabled = entry[0], entry[1], entry[2]
        log_visit((case, vs, -1, enabled, nan, nan))
        depart(case, env._now, ABANDONED)

    return enter_stage, abandon


def _staffing(
    loop: Loop, serve: Serve
) -> tuple[TakeNext, Callable[[Gate, int, float], None], GoHome, Callback]:
    """What a server does when free (the next waiting visit, idle, or home when a shift has
    ended) and how a shift change moves the head count on duty: ``take_next``,
    ``release_server``, ``go_home`` and ``on_shift``."""
    env, wake_up, wake = loop.env, loop.wake_up, loop.wake
    plan = loop.plan.stages
    fast_plan = loop.plan.as_built
    log_visit = loop.logbook.visits.append
    staff_log = loop.logbook.staff

    def take_next(queue: Any, idle: list[int], server: int, now: float) -> None:
        """A free server of a plain role takes the first waiting visit, or waits idle."""
        if queue:
            c2, s2, enabled = queue.popleft()
            d = next(plan[s2][2])
            log_visit((c2, s2, server, enabled, now, now + d))
            wake(d, (c2, s2, server))
        else:
            idle.append(server)

    def hand_over(staff: Gate | ShiftStaff, server: int, now: float) -> None:
        """A server on duty is free: the next waiting visit, or idle."""
        if isinstance(staff, ShiftStaff):
            take_next(staff.queue, staff.idle, server, now)
            return
        entry = staff.pop()
        if entry is None:
            staff.idle.append(server)
        else:
            serve(staff, server, entry, now)

    def set_owed(staff: Gate | ShiftStaff, owed: int) -> None:
        """Staff still owed by an ended shift; a plain role's stages take the general finish
        exactly while some are."""
        if isinstance(staff, ShiftStaff) and bool(owed) != bool(staff.owed):
            owe(staff, bool(owed))
        staff.owed = owed

    def go_home(staff: Gate | ShiftStaff, server: int, now: float) -> None:
        """The shift has ended: this person goes home instead of taking the next case."""
        set_owed(staff, staff.owed - 1)
        staff.off.append(server)
        staff.on_duty -= 1
        staff_log.append((now, staff.role, staff.on_duty))

    def release_server(gate: Gate, server: int, now: float) -> None:
        if gate.owed:
            go_home(gate, server, now)
        else:
            hand_over(gate, server, now)

    def owe(shift: ShiftStaff, owed: bool) -> None:
        """Switch the finish of the role's stages to the general path (staff owed) or back."""
        for vs in shift.stages:
            plan[vs] = (*fast_plan[vs][:6], True) if owed else fast_plan[vs]

    def on_shift(event: Any) -> None:
        """A change of head count on duty (a plain role with shifts, or a gate)."""
        staff, value, changes = event._value
        now = env._now
        target = int(value)
        diff = target - staff.target
        staff.target = target
        before = staff.on_duty
        if diff > 0:
            # Staff owed from an earlier shift end stay instead; the rest come on duty.
            cancelled = min(diff, staff.owed)
            set_owed(staff, staff.owed - cancelled)
            for _ in range(diff - cancelled):
                staff.on_duty += 1
                hand_over(staff, staff.off.pop(), now)
        elif diff < 0:
            # Idle staff leave now; busy staff finish their case first (then leave).
            leaving = min(-diff, len(staff.idle))
            for _ in range(leaving):
                staff.off.append(staff.idle.pop())
            staff.on_duty -= leaving
            set_owed(staff, staff.owed + (-diff - leaving))
        if staff.on_duty != before:
            staff_log.append((now, staff.role, staff.on_duty))
        following = next(changes, None)
        if following is not None:
            wake_up(env, following[0] - now, on_shift, (staff, following[1], changes))

    return take_next, release_server, go_home, on_shift
