"""The runner: R replications of one or more models, seeded, in parallel worker processes.

Sits between the engine and the statistics. Each task simulates one replication and computes
its metrics in the worker, so only small tables travel back. Replication ``r`` of every model
uses the streams of replication ``r``: the current process and each redesign run on common
random numbers. Results do not depend on the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from procsim.engine import simulate
from procsim.metrics import EventLog, compute_kpis, to_event_log
from procsim.model import Model, RunSettings


@dataclass(frozen=True)
class ReplicationResult:
    """What one replication of one model gives back."""

    scenario: str
    replication: int
    kpis: pd.DataFrame
    log: EventLog
    truncated: bool


@dataclass
class StudyResults:
    """All replications of the current process and its redesigns.

    Attributes
    ----------
    models
        Label -> model; the first label is the current process (the baseline).
    run
        The run settings used.
    kpis
        One row per (scenario, replication, metric, entity).
    visits, cases
        The simulated event logs of every replication, with ``scenario`` and ``replication``.
    warnings
        Messages for the analyst (offered load, truncated runs, ...).
    """

    models: dict[str, Model]
    run: RunSettings
    kpis: pd.DataFrame
    visits: pd.DataFrame
    cases: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """Label of the current process."""
        return next(iter(self.models))


def run_one(label: str, model: Model, run: RunSettings, replication: int) -> ReplicationResult:
    """Simulate one replication and compute its KPIs."""
    log = simulate(model, run, replication)
    elog = to_event_log(log, model, run.warmup)
    kpis = compute_kpis(elog, model, replication)
    kpis.insert(0, "scenario", label)
    return ReplicationResult(label, replication, kpis, elog, log.truncated)


def _task(args: tuple[str, Model, RunSettings, int]) -> ReplicationResult:
    return run_one(*args)


def resolve_workers(workers: int, tasks: int) -> int:
    """Worker processes to use: ``workers`` (0 = one per core), never more than tasks."""
    cores = os.cpu_count() or 1
    return max(1, min(workers or cores, tasks))


def run_study(
    models: Mapping[str, Model],
    run: RunSettings,
    progress: Callable[[int, int], None] | None = None,
) -> StudyResults:
    """Run ``run.replications`` replications of every model.

    Parameters
    ----------
    models
        Label -> model, the current process first.
    run
        Replications, horizon or cases, warm-up, seed, workers.
    progress
        Called as ``progress(done, total)`` after each finished replication.

    Returns
    -------
    StudyResults
    """
    tasks = [
        (label, model, run, r) for r in range(run.replications) for label, model in models.items()
    ]
    workers = resolve_workers(run.workers, len(tasks))
    results: list[ReplicationResult] = []
    if workers == 1:
        for i, task in enumerate(tasks):
            results.append(_task(task))
            if progress:
                progress(i + 1, len(tasks))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, result in enumerate(pool.map(_task, tasks, chunksize=1)):
                results.append(result)
                if progress:
                    progress(i + 1, len(tasks))
    order = {label: i for i, label in enumerate(models)}
    results.sort(key=lambda r: (order[r.scenario], r.replication))
    warnings = [w for label, m in models.items() for w in ([f"{label}: {x}" for x in m.warnings])]
    truncated = sorted({r.scenario for r in results if r.truncated})
    for label in truncated:
        warnings.append(
            f"{label}: some replications hit the run.max_events guard "
            f"({run.max_events:,} visits) and stopped early; KPIs cover the "
            "simulated part only. Hint: the system is probably overloaded"
        )
    return StudyResults(
        models=dict(models),
        run=run,
        kpis=pd.concat([r.kpis for r in results], ignore_index=True),
        visits=_stack([(r.scenario, r.replication, r.log.visits) for r in results]),
        cases=_stack([(r.scenario, r.replication, r.log.cases) for r in results]),
        warnings=warnings,
    )


def _stack(parts: list[tuple[str, int, pd.DataFrame]]) -> pd.DataFrame:
    frames = []
    for label, rep, frame in parts:
        frame = frame.copy()
        frame.insert(0, "replication", rep)
        frame.insert(0, "scenario", label)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for column in ("activity", "role"):
        if column in out:
            out[column] = out[column].astype("category")
    return out
