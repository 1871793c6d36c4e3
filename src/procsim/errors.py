"""Errors and warnings that reach the analyst.

Sits beside every stage of the data flow: validation, model building, fitting and the CLI raise
these, and the CLI prints them without a traceback and exits with code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

EXIT_USER_ERROR = 2


@dataclass(frozen=True)
class Issue:
    """One problem found in the input.

    Parameters
    ----------
    path
        Where the problem is: a dotted config path (``process.stages.review.role``), or a file
        with its row and column.
    message
        What is wrong, in the analyst's words.
    expected
        What was expected there.
    got
        What was found instead.
    hint
        How to fix it (``did you mean 'reviewer'?``).
    """

    path: str
    message: str
    expected: str = ""
    got: str = ""
    hint: str = ""

    def format(self) -> str:
        """One line: ``path: message (expected ..., got ...). hint``."""
        text = f"{self.path}: {self.message}"
        detail = []
        if self.expected:
            detail.append(f"expected {self.expected}")
        if self.got:
            detail.append(f"got {self.got}")
        if detail:
            text += f" ({'; '.join(detail)})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


class ProcsimError(Exception):
    """Root of every error caused by the user's input; the CLI exits 2 on it."""


class ModelError(ProcsimError):
    """Invalid process, scenario or run configuration; carries every issue found at once."""

    def __init__(self, issues: Iterable[Issue], context: str = "the configuration") -> None:
        self.issues = list(issues)
        self.context = context
        lines = [f"{len(self.issues)} problem(s) in {context}:"]
        lines += [f"  - {issue.format()}" for issue in self.issues]
        super().__init__("\n".join(lines))


class ProcsimWarning(UserWarning):
    """A problem the analyst should look at in results that were still produced.

    :func:`procsim.run` raises each of :attr:`procsim.Results.warnings` as one of these (once
    per run), so a notebook shows them and a script can filter them by category::

        warnings.simplefilter("error", procsim.ProcsimWarning)  # treat them as failures
    """


class LogFormatError(ProcsimError):
    """An event log that cannot be read: names the file, the row and the column."""


class FitError(ProcsimError):
    """Fitting failed, e.g. an activity had too little data."""


def clip(text: object, limit: int = 60) -> str:
    """``text`` as a string of at most ``limit`` characters (``...`` marks a cut).

    Every value a message echoes from the user's input goes through this, so that a garbage
    file (a 40 kB "column name") cannot turn one message into a page.
    """
    value = str(text)
    return value if len(value) <= limit else value[: max(limit - 3, 1)] + "..."


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest choice, or list the choices.

    The choices are echoed clipped (:func:`clip`): they may come from a file.
    """
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(name)[:200], options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{clip(close[0])}'?"
    if not options:
        return ""
    shown = ", ".join(clip(o, 40) for o in options[:12]) + (", ..." if len(options) > 12 else "")
    return f"choose one of: {shown}"
