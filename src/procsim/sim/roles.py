"""Staff and waiting lines of each role at the start of a replication.

Sits under the engine (:mod:`procsim.sim.engine`), fed by the model's roles and case types;
:mod:`procsim.sim.plans` hands each stage its role's line and free servers, and the engine's
event handlers change them as cases move.

A plain role is a stack of free servers and a FIFO of waiting visits (by priority when cases
have several). Shifts alone keep a role plain (:class:`ShiftStaff` counts who is on duty);
preemption, patience or a queue capacity make it a :class:`Gate`.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from procsim.model.process import Model, Role

#: A waiting visit of a plain role: case, virtual stage, enabled.
Entry = tuple[int, int, float]


class WakeUp(Protocol):
    """A scheduled wake-up of the engine: its callback list, which disarming replaces."""

    callbacks: list[Callable[[Any], None]]


def _ignore(event: WakeUp) -> None:
    """The callback of a disarmed wake-up."""


def disarm(event: WakeUp) -> None:
    """Disarm a scheduled wake-up: it still leaves the event queue, but calls nothing."""
    event.callbacks[:] = [_ignore]


class PriorityQueue(list[tuple[int, int, Entry]]):
    """The waiting line of a plain role when cases have priorities: highest priority first,
    first come first served within a priority. Has the deque methods the fast path uses.

    A heap of ``(level, arrival number, entry)``; being a list, its truth value and length
    are C-level, which the fast path tests on every visit that ends at the role.
    """

    __slots__ = ("rank", "serial")

    def __init__(self, rank: list[int]) -> None:
        super().__init__()
        self.rank = rank  # virtual stage -> priority level (0 = highest)
        self.serial = itertools.count()

    def append(self, item: Entry) -> None:  # type: ignore[override]
        heapq.heappush(self, (self.rank[item[1]], next(self.serial), item))

    def popleft(self) -> Entry:
        return heapq.heappop(self)[2]

    def __iter__(self) -> Iterator[Entry]:  # type: ignore[override]
        return (entry[2] for entry in sorted(super().__iter__()))


class ShiftStaff:
    """Head count on duty of a role with shifts that is otherwise plain (served on the fast
    path): its idle servers are the role's free list, the rest are ``off``.

    While staff are ``owed`` (a shift ended while they were busy: each goes home when their
    visit finishes), the role's stages are switched to the general finish, so a role with
    shifts costs the fast path nothing the rest of the time.
    """

    __slots__ = ("idle", "off", "on_duty", "owed", "queue", "role", "stages", "target")

    def __init__(self, role: Role, initial: int, idle: list[int], queue: Any) -> None:
        self.role = role.id
        self.idle = idle  # the role's free list on the fast path (the same list)
        self.queue = queue  # the role's waiting line (the same object)
        self.off: list[int] = list(range(role.servers - 1, initial - 1, -1))
        self.target = initial
        self.on_duty = initial
        self.owed = 0
        self.stages: list[int] = []  # virtual stages served by the role


class Gate:
    """A role with preemption or impatient customers (and shifts or priorities, if any).

    Queue entries are lists ``[case, vstage, enabled, alive, abandon_event, remaining, row]``:
    ``alive`` turns False when the customer abandons (removed lazily), ``remaining`` and
    ``row`` are set for a preempted visit that resumes.
    """

    __slots__ = ("busy_at", "idle", "levels", "off", "on_duty", "owed", "preemptive", "role",
                 "target", "waiting")  # fmt: skip

    def __init__(self, role: Role, initial: int, n_levels: int) -> None:
        self.role = role.id
        self.preemptive = role.preemptive
        self.idle: list[int] = list(range(initial - 1, -1, -1))
        self.off: list[int] = list(range(role.servers - 1, initial - 1, -1))
        self.target = initial
        self.on_duty = initial
        self.owed = 0  # busy servers that leave when they finish (a shift ended)
        self.levels: list[deque[list[Any]]] = [deque() for _ in range(n_levels)]
        self.waiting = 0  # alive entries in the queue
        # Per priority level, in the order they started: server -> [case, vstage, enabled,
        # event, row, end]. The victim of a preemption is the earliest started visit of the
        # lowest priority below the newcomer's, found without scanning every busy server.
        self.busy_at: list[dict[int, list[Any]]] = [{} for _ in range(n_levels)]

    def pop(self) -> list[Any] | None:
        """The next waiting entry: highest priority first, FIFO within a priority."""
        for level in self.levels:
            while level:
                entry = level.popleft()
                if entry[3]:
                    self.waiting -= 1
                    if entry[4] is not None:
                        disarm(entry[4])
                    return entry
        return None


@dataclass(frozen=True)
class Roles:
    """Every role's staff and waiting line at time 0, indexed by role id.

    Attributes
    ----------
    queues
        Waiting line of a plain role: a deque, or a :class:`PriorityQueue` with priorities.
    free
        Free servers of a plain role (a stack; the idle list of its :class:`ShiftStaff`).
    gates
        The :class:`Gate` of a role with preemption, patience or a queue capacity, else None.
    shifts
        The :class:`ShiftStaff` of a plain role with shifts, else None.
    on_duty
        Head count on duty at time 0.
    rank
        Per virtual stage (``type * n_stages + stage``): priority level of its case type
        (0 = highest).
    """

    queues: list[Any]
    free: list[list[int]]
    gates: list[Gate | None]
    shifts: list[ShiftStaff | None]
    on_duty: list[int]
    rank: list[int]


def build_roles(model: Model) -> Roles:
    """Staff every role for the start of a replication.

    Parameters
    ----------
    model
        The validated model: its roles, the stages they serve and the case types' priorities.

    Returns
    -------
    Roles
    """
    stages = model.stages
    n = len(stages)
    types = model.case_types
    priorities = sorted({t.priority for t in types}, reverse=True)
    rank_of_type = [priorities.index(t.priority) for t in types]
    n_virtual = len(types) * n
    rank = [rank_of_type[vs // n] for vs in range(n_virtual)]
    # Roles that need the general path: preemption or impatience (priorities and shifts alone
    # keep a role on the fast path, with a queue per priority level and a head count on duty).
    impatient_roles = {
        s.role for s in stages if s.patience is not None or s.queue_capacity is not None
    }
    roles = Roles(queues=[], free=[], gates=[], shifts=[], on_duty=[], rank=rank)
    for role in model.roles:
        initial = role.servers if role.shifts is None else int(role.shifts.value_at(0.0))
        roles.on_duty.append(initial)
        roles.free.append(list(range(initial - 1, -1, -1)))
        roles.queues.append(PriorityQueue(rank) if len(priorities) > 1 else deque())
        special = role.preemptive or role.id in impatient_roles
        roles.gates.append(Gate(role, initial, len(priorities)) if special else None)
        shift = None
        if role.shifts is not None and not special:
            shift = ShiftStaff(role, initial, roles.free[-1], roles.queues[-1])
            shift.stages = [vs for vs in range(n_virtual) if stages[vs % n].role == role.id]
        roles.shifts.append(shift)
    return roles
