"""How problems in an event log file are told: the rows they are on, the error that lists them.

Shared by the readers and checks of the mining data flow (:mod:`procsim.mining.log_files`,
:mod:`procsim.mining.log_checks`, :mod:`procsim.mining.timestamps`): a problem names the file,
its lines (or XES events) and its column, says what was expected and echoes what was found,
clipped (:func:`procsim.errors.clip`) so that a garbage file gives a short message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from procsim.errors import Issue, LogFormatError

#: At most this many bad rows are listed per kind of problem; the count says how many in all.
MAX_LISTED = 5

#: Rows with one kind of problem (a mask over the rows) and how to report it.
Problem = tuple[np.ndarray, Issue]


def log_format_error(path: Path, issues: list[Issue]) -> LogFormatError:
    """The error that lists every problem found in an event log file.

    Parameters
    ----------
    path
        The file.
    issues
        The problems, each naming its rows and column.

    Returns
    -------
    LogFormatError
        With the issues also kept as its ``issues`` attribute.
    """
    lines = [f"{len(issues)} problem(s) in the event log {path}:"]
    lines += [f"  - {i.format()}" for i in issues]
    err = LogFormatError("\n".join(lines))
    err.issues = issues  # type: ignore[attr-defined]
    return err


def line(index: int, offset: int | None) -> str:
    """``line 7`` (a CSV row, ``offset`` being the line of the first row) or ``event 7``."""
    return f"line {index + offset}" if offset is not None else f"event {index + 1}"


def rows_text(index: np.ndarray, offset: int | None) -> str:
    """``lines 3, 5 and 12 more``: the first few rows of ``index`` and how many others."""
    shown = ", ".join(line(int(i), offset).split(" ")[1] for i in index[:MAX_LISTED])
    kind = "line" if offset is not None else "event"
    more = f" and {index.size - MAX_LISTED:,} more" if index.size > MAX_LISTED else ""
    return f"{kind}{'s' if index.size > 1 else ''} {shown}{more}"


def bad_rows(
    mask: np.ndarray,
    place: tuple[str, int | None, str | None],
    what: str,
    expected: str,
    got: str,
    hint: str,
) -> Problem:
    """The rows of ``mask`` as one problem.

    Parameters
    ----------
    mask
        Which rows have it.
    place
        The file, the line number of the first row (None: XES events) and the column, if the
        problem is in one.
    what, expected, got, hint
        As in :class:`~procsim.errors.Issue`; ``got`` already clipped by the caller.

    Returns
    -------
    Problem
    """
    where, offset, column = place
    rows = np.flatnonzero(mask)
    path = f"{where}, {rows_text(rows, offset)}" + (
        f", column '{column}'" if column is not None else ""
    )
    return mask, Issue(path, f"{what} in {rows.size:,} row(s)", expected, got, hint)
