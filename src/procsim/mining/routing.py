"""Discovering the routing: which activity follows which, and how cases begin.

Part of discovery (:func:`procsim.mining.discover.discover` calls it on the log sorted by case
and start time, activity keys in a ``key`` column): the directly-follows relation within each
case, counted per activity, with the exits of cases that may still be running left out. The
counts feed :mod:`procsim.mining.activities` (each activity's ``next``) and
:mod:`procsim.mining.parallel_work`; the YAML writer rounds routings with
:func:`rounded_probabilities` too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

from procsim.mining.week import hours


def rounded_probabilities(counts: Mapping[str, float], digits: int = 4) -> dict[str, float]:
    """Probabilities from counts (or weights), rounded, summing to exactly 1 (the largest
    absorbs the rounding), largest first; zeros after rounding are dropped."""
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    probs = {k: round(v / total, digits) for k, v in ordered}
    probs = {k: p for k, p in probs.items() if p > 0}
    top = next(iter(probs))
    probs[top] = round(1.0 - sum(p for k, p in probs.items() if k != top), digits)
    return probs


def successor_counts(
    ev: pd.DataFrame, keys: Mapping[str, str], last: pd.Timestamp, notes: list[str]
) -> dict[str, Counter[str]]:
    """Per activity key, how often each key (``"end"``: the case's exit) came next.

    Parameters
    ----------
    ev
        The log, sorted by case and start time, with the activity keys in ``key``.
    keys
        Activity name -> key, in the order of the activities.
    last
        The log's last end: cases that may still be running at it have no exit.
    notes
        What the analyst should know; a note is added when exits were left out.

    Returns
    -------
    dict
        Every activity key, in the order of ``keys``, with its successors' counts.
    """
    nxt = ev.groupby("case_id", sort=False)["key"].shift(-1).fillna("end")
    censored = _still_running(ev, nxt, last, notes)
    edges: dict[str, Counter[str]] = {k: Counter() for k in keys.values()}
    for a, b, cut in zip(ev["key"].to_numpy(), nxt.to_numpy(), censored, strict=True):
        if not cut:
            edges[a][b] += 1
    return edges


def _still_running(
    ev: pd.DataFrame, nxt: pd.Series, last: pd.Timestamp, notes: list[str]
) -> np.ndarray:
    """Which rows are the last event of a case that may still be running at the log's end.

    Its "exit" is not evidence of the end of the process (right censoring). Close to the end
    means within the 99th percentile of the time from one completion of a case to its next.
    """
    next_end = ev.groupby("case_id", sort=False)["end_time"].shift(-1)
    gaps = hours(next_end - ev["end_time"])
    gaps = gaps[np.isfinite(gaps)]
    tail = float(np.quantile(np.clip(gaps, 0, None), 0.99)) if gaps.size else 0.0
    censored = (nxt == "end").to_numpy() & (hours(last - ev["end_time"]) < tail)
    if censored.any():
        notes.append(
            f"{int(censored.sum()):,} case(s) whose last event is within {tail:.3g} h of the "
            "end of the log may still be running: their last step is not counted as an exit"
        )
    return np.asarray(censored)


def start_probabilities(ev: pd.DataFrame) -> dict[str, float]:
    """Start activity key -> the share of cases that begin with it.

    Parameters
    ----------
    ev
        The log, sorted by case and start time, with the activity keys in ``key``.

    Returns
    -------
    dict
        Rounded by :func:`rounded_probabilities`.
    """
    firsts = ev.groupby("case_id", sort=False)["key"].first()
    return rounded_probabilities(Counter(firsts.to_numpy().tolist()))
