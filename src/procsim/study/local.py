"""Replications on this machine: in this process, or on a pool of worker processes.

Sits between :mod:`procsim.study.runner`, which chooses where replications run, and
:mod:`procsim.study.replication`, which runs one; the clusters are
:mod:`procsim.study.backends`. Results are appended in task order.

Each worker receives the models once, when it starts, and a task names only a model and a
replication. A worker hands its result (KPIs and the event log, about 1.6 MB for 5,000 cases)
back through a file in a private temporary folder (the spool) rather than through the pool's
pipe, and the parent reads the files when the workers are done. Through the pipe a worker
waited for the parent every 64 KB, and the parent's reading, while the workers ran, competed
with them for the cores: together about 14% of the wall time on 2 cores.
"""

from __future__ import annotations

import contextlib
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
from pathlib import Path
from typing import Any

from procsim.model.process import Model, RunSettings
from procsim.study.replication import ReplicationResult, run_one


def _task(args: tuple[str, Model, RunSettings, int]) -> ReplicationResult:
    return run_one(*args)


def run_in_this_process(
    tasks: Sequence[tuple[str, Model, RunSettings, int]],
    progress: Callable[[int, int], None] | None,
    results: list[ReplicationResult],
) -> None:
    """Run the tasks one after the other here; append each result as it finishes."""
    for i, task in enumerate(tasks):
        results.append(_task(task))
        if progress:
            progress(i + 1, len(tasks))


def run_on_pool(
    models: Mapping[str, Model],
    run: RunSettings,
    replications: Sequence[int],
    workers: int,
    progress: Callable[[int, int], None] | None,
    results: list[ReplicationResult],
) -> None:
    """Run the replications on a pool of ``workers`` processes; append the results in task
    order. The spool folder and every result file in it are gone afterwards, however it ends.

    Raises
    ------
    KeyboardInterrupt, concurrent.futures.process.BrokenProcessPool
        On Ctrl-C or a worker process that died; ``results`` then holds those finished so far.
    """
    spool = _make_spool()
    try:
        _run_pool(models, run, replications, workers, spool, progress, results)
    finally:
        if spool:
            shutil.rmtree(spool, ignore_errors=True)


#: A pool worker's models, run settings and spool folder, set once when it starts.
_WORKER: dict[str, Any] = {}
_SPOOLED = itertools.count()


def _start_worker(models: Mapping[str, Model], run: RunSettings, spool: str) -> None:
    _ignore_ctrl_c()
    _WORKER.update(models=models, run=run, spool=spool)


def _ignore_ctrl_c() -> None:
    """Workers leave Ctrl-C to the main process, which keeps what they finished (and no
    worker prints a traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
