"""One replication of one model: simulate it, turn its records into an event log, measure it.

Sits between the engine (:mod:`procsim.sim.engine`) and the measurement
(:mod:`procsim.measure.event_log`, :mod:`procsim.measure.kpis`) on one side and whatever runs
many replications on the other: this process or a pool of worker processes
(:mod:`procsim.study.local`) and the clusters (:mod:`procsim.study.backends`), as the runner
(:mod:`procsim.study.runner`) chooses. It runs in the worker, so only the KPIs and the event
log travel back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from procsim.measure.event_log import EventLog, to_event_log
from procsim.measure.kpis import compute_kpis
from procsim.model.process import Model, RunSettings
from procsim.sim.engine import simulate


@dataclass(frozen=True)
class ReplicationResult:
    """What one replication of one model gives back."""

    scenario: str
    replication: int
    kpis: pd.DataFrame
    log: EventLog
    truncated: bool
    stop_reason: str = ""


def run_one(label: str, model: Model, run: RunSettings, replication: int) -> ReplicationResult:
    """Simulate one replication and compute its KPIs."""
    log = simulate(model, run, replication)
    elog = to_event_log(log, model, run.warmup)
    truncated, stop_reason = log.truncated, log.stop_reason
    del log  # the raw table: the event log holds everything from here on
    kpis = compute_kpis(elog, model, replication)
    kpis.insert(0, "scenario", label)
    return ReplicationResult(label, replication, kpis, elog, truncated, stop_reason)
