"""What discovery finds in an event log: the dataclasses a fitted current process is made of.

:func:`procsim.mining.discover.discover` assembles a :class:`ProcessFit` from the discovery
modules (routing, arrivals, roles and staffing, waiting, parallel work and batches); the YAML
writer (:mod:`procsim.mining.yaml_writer`) and the fit report read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from procsim.mining.durations import DurationFit


@dataclass(frozen=True)
class ActivityFit:
    """What the log says about one activity.

    Attributes
    ----------
    name, key
        The name in the log and the stage key in the config.
    count
        Instances in the log.
    role
        Key of the role that does it (None when nobody is recorded: a pure delay).
    duration
        Fitted processing time in hours (None: too few instances, see ``constant``).
    constant
        Median duration in hours, used when there were too few instances to fit.
    delay
        Fitted waiting before the activity that is not queueing for staff (None: negligible).
    wait_mean, delay_mean
        Mean wait before the activity (from the end of the previous one) and the part of it
        that is not queueing for staff, in hours.
    delay_share
        Share of the instances with such waiting at all; ``delay`` is fitted to those only, so
        a case goes through the delay with this probability.
    observed
        The processing times seen in the log (hours), for the fit report.
    batch, batch_note
        Weekly release times (``"mon 17:30"``) when the activity ends in batches (most of its
        instances end at a few recurring moments), and how that was seen.
    next
        Successor key (``"end"`` for the end of the case) -> probability.
    """

    name: str
    key: str
    count: int
    role: str | None
    duration: DurationFit | None
    constant: float
    delay: DurationFit | None
    wait_mean: float
    delay_mean: float
    next: dict[str, float]
    delay_share: float = 0.0
    batch: tuple[str, ...] = ()
    batch_note: str = ""
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


@dataclass(frozen=True)
class RoleFit:
    """A role discovered in the log.

    Attributes
    ----------
    key
        Config key.
    members
        Resources in the role.
    activities
        Keys of the activities it does.
    on_duty
        Mean head count on duty per hour of week (168 values, Monday 00:00 first).
    staffing
        Head count per hour of week as modelled (rounded; 168 integers).
    source
        How the role was found: ``"role column"`` or ``"grouped by activity mix"``.
    """

    key: str
    members: tuple[str, ...]
    activities: tuple[str, ...]
    on_duty: np.ndarray
    staffing: np.ndarray
    source: str


@dataclass(frozen=True)
class ParallelBlock:
    """Two activities done at the same time: after ``split`` both start, ``join`` waits for
    both.

    Attributes
    ----------
    split, branches, join
        Activity keys.
    overlap
        Share of the cases with both activities in which they overlapped in time.
    cases
        Cases with both activities.
    """

    split: str
    branches: tuple[str, str]
    join: str
    overlap: float
    cases: int


@dataclass(frozen=True)
class ProcessFit:
    """Everything discovered in a log, ready to be written as a process config.

    Attributes
    ----------
    name
        Process name.
    source
        The log file.
    cases, events
        Sizes of the log.
    first, last
        Period of the log (local time).
    start
        Start activity key -> probability (the share of cases that begin with it).
    activities
        Per activity, in order of first appearance in the cases.
    roles
        Per role.
    arrivals
        Mean arrivals per hour by hour of week (168 values).
    trend
        Relative change of weekly arrivals per week over the period (least squares), e.g.
        0.01 is +1% a week; None with fewer than three weeks.
    notes
        What the analyst should know (estimated starts, dropped rare edges, ...).
    starts_estimated
        True when the log recorded completions only and its start times were estimated.
    parallel
        Activities done at the same time, as blocks of parallel work.
    """

    name: str
    source: str
    cases: int
    events: int
    first: pd.Timestamp
    last: pd.Timestamp
    start: dict[str, float]
    activities: list[ActivityFit]
    roles: list[RoleFit]
    arrivals: np.ndarray
    trend: float | None
    notes: list[str] = field(default_factory=list)
    starts_estimated: bool = False
    parallel: list[ParallelBlock] = field(default_factory=list)
