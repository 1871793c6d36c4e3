"""The Hydra callback that collects a sweep when its last job has finished.

Sits at the edge: Hydra calls :meth:`CollectSweep.on_multirun_end` in the main process whatever
the launcher, and the work is :func:`procsim.study.sweep.write_sweep`, which reads the job
folders from disk. The ``procsim`` command installs this callback itself, so a workspace's
``conf/config.yaml`` need not name it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from procsim.study.sweep import write_sweep

#: Outcome of the last sweep collected in this process (read by the CLI for its exit code).
LAST_SWEEP: dict[str, Any] = {}

#: The callback's import path, as Hydra instantiates it.
TARGET = f"{__name__}.CollectSweep"


class CollectSweep(Callback):
    """Hydra callback: at the end of a multirun, collect the job folders from disk."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        if not sweep_dir.is_dir():
            return
        result = write_sweep(sweep_dir)
        LAST_SWEEP.clear()
        LAST_SWEEP.update({"dir": str(sweep_dir), "jobs": len(result.jobs),
                           "failed": result.failed})  # fmt: skip
        print(
            f"\nsweep: {len(result.jobs)} jobs, {result.failed} failed; "
            f"parameters {', '.join(result.parameters) or '-'}"
        )
        for job in result.jobs.itertuples():
            if job.status != "ok":
                first = str(job.error).strip().splitlines()[:2]
                print(f"  job {job.job} failed: {' '.join(first)}")
        print(f"collected: {sweep_dir / 'sweep_summary.csv'}")
