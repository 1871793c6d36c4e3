"""What happens by the calendar in a replication: shift changes and scheduled batch releases.

Sits between the model (its shifts, batches and calendar) and the engine, which schedules the
first of each and reschedules from the rest as the run goes. Nothing here draws at random.
"""

from __future__ import annotations

from collections.abc import Iterator

from procsim.model.process import Batch, Model

#: A role's shift changes: role id, time and head count of the first, the later ones.
ShiftChanges = tuple[int, float, float, Iterator[tuple[float, float]]]


def shift_changes(model: Model, until: float) -> list[ShiftChanges]:
    """Every role's changes of head count on duty up to ``until``, for roles whose head count
    changes at all.

    Parameters
    ----------
    model
        The validated model.
    until
        The end of the run (a huge number for a run by cases).

    Returns
    -------
    list[ShiftChanges]
        In role order.
    """
    out = []
    for role in model.roles:
        if role.shifts is not None:
            changes = role.shifts.changes(until)
            first = next(changes, None)
            if first is not None:
                out.append((role.id, first[0], first[1], changes))
    return out


def batch_releases(model: Model) -> list[tuple[int, Iterator[float]]]:
    """The scheduled release times of every stage batched on a schedule.

    Parameters
    ----------
    model
        The validated model: its stages' batching and its calendar (closed days).

    Returns
    -------
    list[tuple[int, Iterator[float]]]
        Stage id and its release times, in stage order.
    """
    return [
        (stage.id, _release_times(stage.batch, model))
        for stage in model.stages
        if stage.batch is not None and stage.batch.times
    ]


def _release_times(batch: Batch, model: Model) -> Iterator[float]:
    """Scheduled batch releases in sim time, ascending, skipping closed days."""
    calendar = model.calendar
    assert calendar is not None
    per_hour = 1.0 / calendar.hours_per_unit
    offset = calendar.origin.weekday() * 24.0
    closed = set(calendar.closed)
    week = 0
    while True:
        for hour in batch.times:
            t = (week * 168.0 + hour - offset) * per_hour
            if t > 0 and (not closed or calendar.to_datetime(t).date() not in closed):
                yield t
        week += 1
