"""Replications on a Dask or Ray cluster, for a single study too large for one machine.

Sits beside :mod:`procsim.study.runner`, which calls it when ``run.backend`` is ``dask`` or ``ray``:
the same replication tasks, sent in batches (a task costs milliseconds on these schedulers,
a replication often less), results gathered as they finish. Replication ``r`` draws from the
streams of replication ``r`` wherever it runs, so the results are identical to a local run.
Both libraries are optional extras (``pip install procsim[dask]``, ``procsim[ray]``) and are
imported only here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from procsim.errors import ProcsimError

#: Batches per worker: enough to balance uneven replications, few enough to keep overhead low.
BATCHES_PER_WORKER = 4


def _batch(tasks: Sequence[tuple[Any, ...]]) -> list[Any]:
    from procsim.study.replication import run_one

    return [run_one(*task) for task in tasks]


def batches(tasks: Sequence[tuple[Any, ...]], workers: int) -> list[list[tuple[Any, ...]]]:
    """Tasks split into contiguous batches, ``BATCHES_PER_WORKER`` per worker at most."""
    size = max(1, math.ceil(len(tasks) / (max(workers, 1) * BATCHES_PER_WORKER)))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def _missing(backend: str, exc: ImportError) -> ProcsimError:
    return ProcsimError(
        f"run.backend={backend} needs the {backend} package, which is not installed ({exc}). "
        f"Hint: pip install 'procsim[{backend}]', or run.backend=processes"
    )


def run_on_cluster(
    backend: str,
    tasks: Sequence[tuple[Any, ...]],
    workers: int,
    address: str | None,
    progress: Callable[[int, int], None] | None,
) -> list[Any]:
    """Run the tasks on ``backend`` (``dask`` or ``ray``): the cluster at ``address``, or a
    local one of ``workers`` processes. Results come back in the order batches finish."""
    source = _on_dask if backend == "dask" else _on_ray
    out: list[Any] = []
    for part in source(batches(tasks, workers), workers, address):
        out += part
        if progress:
            progress(len(out), len(tasks))
    return out


def _on_dask(
    parts: list[list[tuple[Any, ...]]], workers: int, address: str | None
) -> Iterator[list[Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise _missing("dask", exc) from None
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        for future in as_completed(client.map(_batch, parts, pure=False)):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _on_ray(
    parts: list[list[tuple[Any, ...]]], workers: int, address: str | None
) -> Iterator[list[Any]]:
    try:
        import ray
    except ImportError as exc:
        raise _missing("ray", exc) from None
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(_batch)
        pending = [remote.remote(part) for part in parts]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started:
            ray.shutdown()
