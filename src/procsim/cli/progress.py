"""The progress bar of a run on a terminal: replications done, time taken, time left.

Sits beside one job of ``procsim`` (:mod:`procsim.cli.job`), which hands it to
:func:`procsim.run` as the callback the runner calls after each simulation run.
"""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A progress bar on a terminal (nothing when piped or in a sweep's jobs).

    The runner counts simulation runs, one per model and replication, so with a redesign the
    total is twice the replications asked for; the bar says so rather than calling 80 runs
    "80 replications" when 40 were asked for.

    Parameters
    ----------
    enabled
        Whether to draw at all.
    models
        The models run per replication (the current process and its redesigns).
    """

    WIDTH = 30

    def __init__(self, enabled: bool, models: int = 1) -> None:
        self.enabled = enabled
        self.models = max(models, 1)
        self.started = time.perf_counter()
        self.last = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if done <= self.last:  # a new batch (replications added for run.precision)
            self.started = time.perf_counter()
        self.last = done
        elapsed = time.perf_counter() - self.started
        filled = int(self.WIDTH * done / max(total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        eta = elapsed / done * (total - done) if done else 0.0
        end = "\n" if done == total else ""
        print(
            f"\r  [{bar}] {self.label(done, total)}  {elapsed:5.1f} s  eta {eta:5.1f} s",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    def label(self, done: int, total: int) -> str:
        """``12/40 replications``, or ``12/80 runs (2 models x 40 replications)``."""
        if self.models == 1:
            return f"{done}/{total} replications"
        return f"{done}/{total} runs ({self.models} models x {total // self.models} replications)"
