"""What a run tells the analyst while it goes: progress and warnings, for Python callers.

Sits beside :func:`procsim.study.api.run`. The command line draws its own progress bar and
prints warnings itself; a notebook or script gets a ``tqdm`` bar (only in Jupyter unless asked)
and each warning raised once as a :class:`~procsim.errors.ProcsimWarning`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from procsim.errors import ProcsimWarning

#: ``progress(done, total)``, called after each simulation run.
Progress = Callable[[int, int], None]


def raise_warnings(texts: Iterable[str], seen: set[str], stacklevel: int) -> None:
    """Raise each of ``texts`` not in ``seen`` as a :class:`ProcsimWarning` and add it there.

    ``stacklevel`` counts from the caller of this function, so that the warning points at the
    analyst's line that called :func:`procsim.run`.
    """
    for text in texts:
        if text not in seen:
            seen.add(text)
            warnings.warn(text, ProcsimWarning, stacklevel=stacklevel + 1)


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (where a progress bar is wanted by default)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


class TqdmProgress:
    """A ``tqdm.auto`` bar fed by the runner's ``progress(done, total)`` calls.

    The total can grow (``run.precision`` adds replications in rounds, each round counting from
    zero again), so the bar keeps a running count of its own.
    """

    def __init__(self) -> None:
        self._bar: Any = None
        self._offset = 0
        self._last = 0

    def __call__(self, done: int, total: int) -> None:
        from tqdm.auto import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, unit="run", desc="procsim", leave=True)
        if done <= self._last:  # a new round of replications counts from 1 again
            self._offset += self._last
            self._bar.total = self._offset + total
        self._last = done
        self._bar.n = self._offset + done
        self._bar.refresh()

    def close(self) -> None:
        """Close the bar (once the run has ended, finished or not)."""
        if self._bar is not None:
            self._bar.close()


def choose_progress(
    progress: bool | Progress | None,
) -> tuple[Progress | None, TqdmProgress | None]:
    """The callback for the runner, and the bar to close afterwards (if procsim made one).

    ``None``: a bar in Jupyter, nothing elsewhere; ``True``: always a bar; ``False``: nothing;
    a callable: that callable.
    """
    if callable(progress):
        return progress, None
    if progress is True or (progress is None and in_notebook()):
        bar = TqdmProgress()
        return bar, bar
    return None, None
