"""The runner: R replications of one or more models, seeded, in parallel worker processes.

Sits between the engine and the statistics. Each task simulates one replication and computes
its metrics in the worker. Replication ``r`` of every model uses the streams of replication
``r``: the current process and each redesign run on common random numbers. Results do not
depend on the number of workers.

Each worker receives the models once, when it starts, and a task names only a model and a
replication. A worker hands its result (KPIs and the event log, about 1.6 MB for 5,000 cases)
back through a file in a private temporary folder rather than through the pool's pipe, and the
parent reads the files when the workers are done. Through the pipe a worker waited for the
parent every 64 KB, and the parent's reading, while the workers ran, competed with them for
the cores: together about 14% of the wall time on 2 cores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.measure.kpis import compute_kpis
from procsim.model.process import Model, RunSettings
from procsim.study.replication import ReplicationResult, run_one


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


def _task(args: tuple[str, Model, RunSettings, int]) -> ReplicationResult:
    return run_one(*args)


#: A pool worker's models, run settings and spool folder, set once when it starts.
_WORKER: dict[str, Any] = {}
_SPOOLED = itertools.count()


def _start_worker(models: Mapping[str, Model], run: RunSettings, spool: str) -> None:
    _ignore_ctrl_c()
    _WORKER.update(models=models, run=run, spool=spool)


def _pool_task(job: tuple[str, int]) -> ReplicationResult | str:
    """Run one replication in a pool worker; the path of the file holding its result.

    The result itself is returned (through the pipe) when the file cannot be written: no
    temporary folder, a full disk, or a spool folder already removed because the parent stopped.
    """
    label, replication = job
    result = run_one(label, _WORKER["models"][label], _WORKER["run"], replication)
    if not _WORKER["spool"]:
        return result
    path = os.path.join(_WORKER["spool"], f"{os.getpid()}-{next(_SPOOLED)}.pickle")
    try:
        with open(path, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return result
    return path


def _receive(item: ReplicationResult | str) -> ReplicationResult:
    """A pool task's result, read back (and its file removed) if it came as a path."""
    if not isinstance(item, str):
        return item
    with open(item, "rb") as f:
        result: ReplicationResult = pickle.load(f)
    os.unlink(item)
    return result


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
            for i, task in enumerate(tasks):
                results.append(_task(task))
                if progress:
                    progress(i + 1, len(tasks))
        else:
            spool = _make_spool()
            try:
                _run_pool(models, run, replications, workers, spool, progress, results)
            finally:
                if spool:
                    shutil.rmtree(spool, ignore_errors=True)
    except KeyboardInterrupt:
        raise Interrupted(_whole(results, list(models)), len(replications)) from None
    except BrokenProcessPool:
        raise Interrupted(
            _whole(results, list(models)),
            len(replications),
            "a worker process died (killed, or out of memory)",
        ) from None
    return results


_SPOOL_PREFIX = "procsim-results-"
_STALE_AFTER_S = 6 * 3600


def _make_spool() -> str:
    """A private folder for the workers' result files ("" if none can be made).

    Its name carries this process's id: folders left behind by a process that no longer runs
    (killed before it could clean up) are removed first, once unchanged for some hours (a
    process id from another container sharing the folder may look dead).
    """
    try:
        stale = time.time() - _STALE_AFTER_S
        for old in Path(tempfile.gettempdir()).glob(f"{_SPOOL_PREFIX}*-*"):
            pid = old.name.removeprefix(_SPOOL_PREFIX).split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)) and old.stat().st_mtime < stale:
                shutil.rmtree(old, ignore_errors=True)
        return tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-")
    except OSError:
        return ""  # no usable temporary folder: results come through the pipe


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # another user's process
    return True


def _run_pool(
    models: Mapping[str, Model],
    run: RunSettings,
    replications: Sequence[int],
    workers: int,
    spool: str,
    progress: Callable[[int, int], None] | None,
    results: list[ReplicationResult],
) -> None:
    """Run the replications on a pool of worker processes; append the results in task order.

    The results are read when the workers are done: read while they ran, they took the cores
    from them. After Ctrl-C or a dead worker, those finished so far are read too (and the
    exception goes on); after any other error none are.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(models, run, spool)
    )
    jobs = [(label, r) for r in replications for label in models]
    finished: list[ReplicationResult | str] = []
    try:
        # The workers are forked when the tasks are submitted. With the parent's objects
        # frozen then, a worker's garbage collector never walks (and so never copies, page by
        # page) the heap it inherited, which slowed every worker down when the parent held
        # earlier results.
        gc.freeze()
        try:
            done = pool.map(_pool_task, jobs, chunksize=1)
        finally:
            gc.unfreeze()
        for i, item in enumerate(done):
            finished.append(item)
            if progress:
                progress(i + 1, len(jobs))
    except (KeyboardInterrupt, BrokenProcessPool):
        pool.shutdown(wait=False, cancel_futures=True)  # not waiting for unfinished ones
        for item in finished:
            with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError):
                results.append(_receive(item))
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    results.extend(_receive(item) for item in finished)


def _ignore_ctrl_c() -> None:
    """Workers leave Ctrl-C to the main process, which keeps what they finished (and no
    worker prints a traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def remeasure(
    results: Sequence[ReplicationResult], models: Mapping[str, Model], warmup: float
) -> list[ReplicationResult]:
    """Recompute the KPIs of simulated replications with another warm-up (no re-simulation)."""
    out = []
    for r in results:
        log = dataclasses.replace(r.log, start=warmup)
        kpis = compute_kpis(log, models[r.scenario], r.replication)
        kpis.insert(0, "scenario", r.scenario)
        out.append(
            ReplicationResult(r.scenario, r.replication, kpis, log, r.truncated, r.stop_reason)
        )
    return out


def model_warnings(models: Mapping[str, Model]) -> list[str]:
    """Validation warnings of every model, each prefixed with its label (as reported)."""
    return [f"{label}: {text}" for label, model in models.items() for text in model.warnings]


def collect(
    models: Mapping[str, Model], run: RunSettings, results: Sequence[ReplicationResult]
) -> StudyResults:
    """Stack replication results into tidy tables, current process first."""
    order = {label: i for i, label in enumerate(models)}
    ordered = sorted(results, key=lambda r: (order[r.scenario], r.replication))
    warnings = model_warnings(models)
    for label in sorted({r.scenario for r in ordered if r.truncated}):
        hit = sorted({r.stop_reason for r in ordered if r.scenario == label and r.truncated})
        guards = {
            "max_events": f"run.max_events ({run.max_events:,} visits)",
            "max_seconds": f"run.max_seconds ({run.max_seconds:g} s each)",
        }
        warnings.append(
            f"{label}: some replications hit the {' and '.join(guards[h] for h in hit)} guard "
            "and stopped early; KPIs cover the simulated part only. Hint: the system is "
            "probably overloaded (see the offered load); a shorter run.horizon, or raise the "
            "guard if the run is meant to be this large"
        )
    for label in sorted({r.scenario for r in ordered if r.stop_reason == "parked"}):
        warnings.append(
            f"{label}: in some replications the run by cases ended with cases that nothing "
            "could move on any more (in a batch waiting for a size no more cases would fill); "
            "they count as open. Hint: give such a batch release times (batch.at) as well as "
            "a size, or run by run.horizon"
        )
    return StudyResults(
        models=dict(models),
        run=run,
        kpis=pd.concat([r.kpis for r in ordered], ignore_index=True),
        visits=_stack([(r.scenario, r.replication, r.log.visits) for r in ordered]),
        cases=_stack([(r.scenario, r.replication, r.log.cases) for r in ordered]),
        warnings=warnings,
    )


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
