"""The runner: R replications of one or more models, seeded, here or on a cluster.

Sits between one replication (:mod:`procsim.study.replication`, the engine and the KPIs) and
the tables (:mod:`procsim.study.collect`). It chooses where the replications run: in this
process or a pool of worker processes (:mod:`procsim.study.local`), or on a Dask or Ray
cluster (:mod:`procsim.study.backends`); and it keeps, after Ctrl-C or a worker process that
died, the replications every model finished. Replication ``r`` of every model uses the streams
of replication ``r``: the current process and each redesign run on common random numbers.
Results do not depend on the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool

from procsim.model.process import Model, RunSettings
from procsim.study.collect import StudyResults, collect
from procsim.study.local import run_in_this_process, run_on_pool
from procsim.study.replication import ReplicationResult


def resolve_workers(workers: int, tasks: int) -> int:
    """Worker processes to use: ``workers`` (0 = one per core), never more than tasks."""
    # The cores this process may use (a cluster job's allocation), not the machine's.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return max(1, min(workers or cores, tasks))


def simulate_replications(
    models: Mapping[str, Model],
    run: RunSettings,
    replications: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
) -> list[ReplicationResult]:
    """Simulate the given replication indices of every model (in parallel workers).

    Replication ``r`` is the same whenever and wherever it runs, so adding replications later
    (for a precision target) extends a study exactly as if it had been asked for at once.

    Raises
    ------
    Interrupted
        On Ctrl-C or a worker process that died, with the replications every model finished.
    """
    tasks = [(label, model, run, r) for r in replications for label, model in models.items()]
    workers = resolve_workers(run.workers, len(tasks))
    results: list[ReplicationResult] = []
    if run.backend != "processes":
        # On a cluster "workers" means the local cluster's size; a remote one has its own.
        local = resolve_workers(run.workers, len(tasks))
        from procsim.study import backends

        try:
            return backends.run_on_cluster(run.backend, tasks, local, run.address or None, progress)
        except KeyboardInterrupt:
            raise Interrupted([], len(replications)) from None
    try:
        if workers == 1:
            run_in_this_process(tasks, progress, results)
        else:
            run_on_pool(models, run, replications, workers, progress, results)
    except KeyboardInterrupt:
        raise Interrupted(_whole(results, list(models)), len(replications)) from None
    except BrokenProcessPool:
        raise Interrupted(
            _whole(results, list(models)),
            len(replications),
            "a worker process died (killed, or out of memory)",
        ) from None
    return results


class Interrupted(Exception):  # noqa: N818 - it is a signal (Ctrl-C), not an error
    """Ctrl-C (or a worker process that died) during the replications: carries the
    replications every model finished."""

    def __init__(
        self, finished: list[ReplicationResult], asked: int, cause: str = "Ctrl-C"
    ) -> None:
        super().__init__(f"interrupted after {len({r.replication for r in finished})} of {asked}")
        self.finished = finished
        self.asked = asked
        self.cause = cause


def _whole(results: list[ReplicationResult], labels: list[str]) -> list[ReplicationResult]:
    """The results of the replications that every model finished (pairs for the comparison)."""
    done: dict[int, set[str]] = {}
    for r in results:
        done.setdefault(r.replication, set()).add(r.scenario)
    complete = {rep for rep, got in done.items() if got >= set(labels)}
    return [r for r in results if r.replication in complete]


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
    results = simulate_replications(models, run, range(run.replications), progress)
    return collect(models, run, results)
