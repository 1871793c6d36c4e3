"""Fitting one activity: its processing time, the delay before it, batches, and its routing.

Part of discovery: :func:`procsim.mining.discover.discover` hands each activity its instances'
working hours (:mod:`procsim.mining.staffing`), waits (:mod:`procsim.mining.waiting`) and
successors (:mod:`procsim.mining.routing`); durations are fitted by
:func:`procsim.mining.durations.fit_durations`. The :class:`~procsim.mining.process_fit.ActivityFit`
it returns is what the YAML writer turns into a stage (and a delay stage before it).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from procsim.errors import FitError
from procsim.mining.batches import batch_times
from procsim.mining.durations import DurationFit, fit_durations
from procsim.mining.process_fit import ActivityFit
from procsim.mining.routing import rounded_probabilities

#: Activities seen fewer times than this get a constant duration (their median) and a note.
MIN_FIT = 5
#: A delay stage is added before an activity when the waiting that is not queueing has a mean
#: above this many hours and above this share of the activity's whole mean wait.
DELAY_MIN_HOURS = 1 / 60
DELAY_MIN_SHARE = 0.1
#: Waiting shorter than this (hours; one second) counts as none.
DELAY_EPS = 1 / 3600


def fit_activity(
    name: str,
    key: str,
    *,
    ends: pd.Series,
    processing: np.ndarray,
    wait: np.ndarray,
    not_queueing: np.ndarray,
    role: str | None,
    successors: Counter[str],
    criterion: str,
    notes: list[str],
) -> ActivityFit:
    """What the log says about one activity.

    Parameters
    ----------
    name, key
        The activity's name in the log and its stage key.
    ends
        When its instances ended.
    processing, wait, not_queueing
        Per instance: working hours, hours waited since the case's previous activity, and
        the part of that wait that was not queueing for staff.
    role
        Key of the role that does it (None: a pure delay).
    successors
        Directly-follows counts from it (empty: every case ends after it).
    criterion
        ``aic`` or ``bic`` for choosing duration families.
    notes
        What the analyst should know; a note when its duration could not be fitted.

    Returns
    -------
    ActivityFit
    """
    n = processing.size
    duration = _processing_fit(name, processing, criterion, notes)
    batch, batch_note = batch_times(ends)
    # A batch's waiting is the wait for its release, which the batch stage plays.
    gaps = not_queueing if not batch else np.zeros(n)
    delay_mean = float(gaps.mean()) if n else 0.0
    wait_mean = float(wait.mean()) if n else 0.0
    positive = gaps[gaps > DELAY_EPS]
    delay = _delay_fit(positive, delay_mean, wait_mean, criterion)
    return ActivityFit(
        name=name,
        key=key,
        count=n,
        role=role,
        duration=duration,
        constant=float(np.median(processing)) if n else 0.0,
        delay=delay,
        wait_mean=wait_mean,
        delay_mean=delay_mean,
        next=rounded_probabilities(successors or Counter({"end": 1})),
        delay_share=positive.size / n if delay is not None else 0.0,
        batch=batch,
        batch_note=batch_note,
        observed=processing,
    )


def _processing_fit(
    name: str, durations: np.ndarray, criterion: str, notes: list[str]
) -> DurationFit | None:
    """The fitted processing time; None (the median is used) with too few or equal values."""
    n = durations.size
    if n >= MIN_FIT and np.ptp(durations) > 0:
        try:
            return fit_durations(durations, criterion=criterion)
        except FitError as exc:
            notes.append(f"{name}: {exc}; its median duration is used")
    elif n < MIN_FIT:
        notes.append(
            f"{name}: only {n} instance(s), too few to fit a distribution; its median "
            "duration is used as a constant"
        )
    return None


def _delay_fit(
    positive: np.ndarray, delay_mean: float, wait_mean: float, criterion: str
) -> DurationFit | None:
    """The delay before the activity, fitted to the waits that are not queueing; None when
    that waiting is negligible (or cannot be fitted)."""
    if (
        positive.size >= MIN_FIT
        and delay_mean > DELAY_MIN_HOURS
        and delay_mean > DELAY_MIN_SHARE * wait_mean
    ):
        try:
            return fit_durations(positive, criterion=criterion)
        except FitError:
            return None
    return None
