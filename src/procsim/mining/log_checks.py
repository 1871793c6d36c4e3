"""Checking the rows of an event log: the raw text table of a file -> the event-log schema.

Fed by :mod:`procsim.mining.log_files` (a file's rows as text, column names as the file has
them) and feeds the table of :mod:`procsim.mining.eventlog` back to it: required columns
present, no row an exact duplicate of an earlier one, case and activity filled in, timestamps
readable and in the log's local time (:mod:`procsim.mining.timestamps`), no activity ending
before it starts. Every problem is reported at once, naming the file, the rows and the column
(:mod:`procsim.mining.log_problems`); with ``skip_bad_rows`` bad rows are left out and counted
instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from procsim.errors import Issue, ModelError, clip, did_you_mean
from procsim.mining.eventlog import LogColumns, log_table
from procsim.mining.log_problems import MAX_LISTED, Problem, bad_rows, line, log_format_error
from procsim.mining.timestamps import parse_times, timezone_issue

__all__ = ["MAX_LISTED", "check_rows", "log_format_error"]

_Problem = Problem


def check_rows(
    raw: pd.DataFrame,
    cols: LogColumns,
    path: Path,
    offset: int | None,
    timezone: str | None,
    skip_bad_rows: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of a file in the event-log schema, sorted by case and end time.

    Parameters
    ----------
    raw
        The file's rows, every value as text.
    cols
        Which column holds what.
    path
        The file, for messages.
    offset
        Line number in the file of the first row (None: rows are counted as events, XES).
    timezone
        IANA name to convert timestamps to (None: as written, offsets read as UTC).
    skip_bad_rows
        Leave out bad rows and say so in the notes, instead of failing.

    Returns
    -------
    tuple of pandas.DataFrame and list of str
        The table (start times missing where the log has none: see
        :mod:`procsim.mining.start_times`) and what was done to the data.

    Raises
    ------
    LogFormatError
        Every problem found.
    ModelError
        An unknown ``timezone`` (an option problem, not one of the file's).
    """
    bad_zone = timezone_issue(timezone)
    if bad_zone is not None:
        raise ModelError([bad_zone], "the options")
    _check_columns(raw, cols, path)
    where = str(path)
    # Problems are rows that skip_bad_rows may leave out.
    problems: list[_Problem] = _duplicates(raw, where, offset)
    notes: list[str] = []
    case = raw[cols.case].astype(str).str.strip()
    activity = raw[cols.activity].astype(str).str.strip()
    problems += _empty_names(((cols.case, case), (cols.activity, activity)), where, offset)
    place = (where, offset)
    end = parse_times(raw[cols.end], cols.end, place, timezone, problems, notes, required=True)
    has_start = cols.start is not None and cols.start in raw.columns
    if has_start and cols.start is not None:
        start = parse_times(raw[cols.start], cols.start, place, timezone, problems, notes)
    else:
        start = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    problems += _ends_before_starts(start, end, cols, where, offset)
    if problems:
        kept = _rows_to_keep(problems, skip_bad_rows, path, notes)
        raw, case, activity = raw[kept], case[kept], activity[kept]
        start, end = start[kept], end[kept]
    frame = _schema_table(raw, cols, case, activity, start, end)
    notes += _missing_start_notes(frame, cols, has_start)
    frame = frame.sort_values(["case_id", "end_time", "start_time"], kind="stable")
    return frame.reset_index(drop=True), notes


def _check_columns(raw: pd.DataFrame, cols: LogColumns, path: Path) -> None:
    """Fail unless the columns the mapping names are all in the file, and it has rows."""
    where = str(path)
    present = list(raw.columns)
    required = {"case": cols.case, "activity": cols.activity, "end": cols.end}
    optional = {
        "start": cols.start,
        "resource": cols.resource,
        "role": cols.role,
        **{a: a for a in cols.attributes},
    }
    # Start and resource may be missing (estimated starts, no resources); a role or an
    # attribute the analyst named may not.
    named = [
        c for what, c in optional.items() if c is not None and what in ("role", *cols.attributes)
    ]
    shown = "columns " + ", ".join(repr(clip(c, 40)) for c in present[:12])
    shown += f" and {len(present) - 12:,} more" if len(present) > 12 else ""
    issues: list[Issue] = [
        Issue(
            f"{where}: column '{clip(col)}'",
            f"missing (the {what} column)",
            f"a column named '{clip(col)}'",
            shown,
            did_you_mean(col, present)
            + f"; or name yours with {what}=<column> on the command line",
        )
        for what, col in required.items()
        if col not in present
    ]
    issues += [
        Issue(
            f"{where}: column '{clip(col)}'",
            "missing",
            f"a column named '{clip(col)}'",
            shown,
            did_you_mean(col, present),
        )
        for col in named
        if col not in present
    ]
    if issues:
        raise log_format_error(path, issues)
    if raw.empty:
        raise log_format_error(
            path, [Issue(where, "has no events", "one row per activity instance")]
        )


def _empty_names(
    columns: tuple[tuple[str, pd.Series], ...], where: str, offset: int | None
) -> list[_Problem]:
    """Rows with no case id or no activity name, per column (name, stripped values)."""
    problems: list[_Problem] = []
    for col, values in columns:
        empty = (values == "").to_numpy()
        if empty.any():
            problems.append(
                bad_rows(
                    empty,
                    (where, offset, col),
                    "empty",
                    "a value in every row",
                    "",
                    "remove those rows or fill them in",
                )
            )
    return problems


def _ends_before_starts(
    start: pd.Series, end: pd.Series, cols: LogColumns, where: str, offset: int | None
) -> list[_Problem]:
    """Rows whose end is before their start (none where the start is missing)."""
    backwards = (start > end).fillna(False).to_numpy()
    if not backwards.any():
        return []
    first = int(np.argmax(backwards))
    return [
        bad_rows(
            backwards,
            (where, offset, None),
            "ends before it starts",
            f"{clip(cols.start)} <= {clip(cols.end)}",
            f"e.g. {start.iloc[first]} > {end.iloc[first]}",
            "swapped columns? map them with start=<column> end=<column>",
        )
    ]


def _rows_to_keep(
    problems: list[_Problem], skip_bad_rows: bool, path: Path, notes: list[str]
) -> np.ndarray:
    """The rows without problems, when the analyst asked to skip bad rows (else fail)."""
    if not skip_bad_rows:
        hint = "; or skip_bad_rows=true to leave such rows out (they are counted and reported)"
        raise log_format_error(
            path,
            [dataclasses.replace(i, hint=i.hint + hint) for _, i in problems],
        )
    drop = np.logical_or.reduce([m for m, _ in problems])
    kept = ~drop
    if not kept.any():
        raise log_format_error(path, [i for _, i in problems])
    notes.append(
        f"skipped {int(drop.sum()):,} of {drop.size:,} rows (skip_bad_rows): "
        + "; ".join(i.path.split(", ", 1)[-1] + ": " + i.message for _, i in problems)
    )
    return np.asarray(kept)


def _schema_table(
    raw: pd.DataFrame,
    cols: LogColumns,
    case: pd.Series,
    activity: pd.Series,
    start: pd.Series,
    end: pd.Series,
) -> pd.DataFrame:
    """The checked columns as the schema, with the role, the attributes and which rows have
    no start time."""
    resource = (
        raw[cols.resource].astype(str).str.strip()
        if cols.resource is not None and cols.resource in raw.columns
        else pd.Series("", index=raw.index)
    )
    # Numeric resource ids exported as floats ("10913.0") name the same person as "10913".
    resource = resource.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    has_role = cols.role is not None and cols.role in raw.columns
    role = raw[cols.role].astype(str).str.strip() if has_role and cols.role is not None else None
    frame = log_table(case, activity, start, end, resource, role)
    for a in cols.attributes:
        frame[a] = raw[a]
    frame["start_estimated"] = frame["start_time"].isna()
    return frame


def _missing_start_notes(frame: pd.DataFrame, cols: LogColumns, has_start: bool) -> list[str]:
    """Say when a start column was there but left empty in some or all rows."""
    missing = frame["start_estimated"]
    if not has_start or not missing.any():
        return []
    if missing.all():
        return [f"column '{cols.start}' is empty in every row: the log has completions only"]
    return [f"{int(missing.sum()):,} of {len(frame):,} rows have no start time"]


def _duplicates(raw: pd.DataFrame, where: str, offset: int | None) -> list[_Problem]:
    """Rows that repeat an earlier row exactly, every column alike (an export that wrote some
    events twice): counted twice they add visits, work and waiting that never happened."""
    repeated = raw.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return []
    first = int(np.argmax(repeated))
    original = int(np.flatnonzero((raw == raw.iloc[first]).all(axis=1).to_numpy())[0])
    return [
        bad_rows(
            repeated,
            (where, offset, None),
            "an exact duplicate of an earlier row",
            "each event once",
            f"e.g. {line(first, offset)} repeats {line(original, offset)}",
            "an export that wrote some events twice? the first of each is kept",
        )
    ]
