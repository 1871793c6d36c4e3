"""Checking the rows of an event log: the raw text table of a file -> the event-log schema.

Fed by :mod:`procsim.mining.log_files` (a file's rows as text, column names as the file has
them) and feeds the table of :mod:`procsim.mining.eventlog` back to it: required columns
present, case and activity filled in, timestamps readable and in the log's local time, no
activity ending before it starts. Every problem is reported at once, naming the file, the
rows and the column; with ``skip_bad_rows`` bad rows are left out and counted instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from procsim.errors import Issue, LogFormatError, did_you_mean
from procsim.mining.eventlog import LogColumns, log_table

#: Timestamps outside this range cannot be held at nanosecond resolution.
_EARLIEST = pd.Timestamp("1678-01-01", tz="UTC")
_LATEST = pd.Timestamp("2261-12-31", tz="UTC")
#: At most this many bad rows are listed per kind of problem; the count says how many in all.
MAX_LISTED = 5

#: Rows with one kind of problem (a mask over the rows) and how to report it.
_Problem = tuple[np.ndarray, Issue]


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
    """
    _check_columns(raw, cols, path)
    where = str(path)
    # Issues stop the reading whatever skip_bad_rows says; problems are rows it may leave out.
    issues: list[Issue] = []
    problems: list[_Problem] = []
    case = raw[cols.case].astype(str).str.strip()
    activity = raw[cols.activity].astype(str).str.strip()
    problems += _empty_names(((cols.case, case), (cols.activity, activity)), where, offset)
    end = _times(raw[cols.end], cols.end, where, offset, timezone, issues, problems, required=True)
    has_start = cols.start is not None and cols.start in raw.columns
    if has_start and cols.start is not None:
        start = _times(raw[cols.start], cols.start, where, offset, timezone, issues, problems)
    else:
        start = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if issues:
        raise log_format_error(path, issues)
    problems += _ends_before_starts(start, end, cols, where, offset)
    notes: list[str] = []
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
    issues: list[Issue] = [
        Issue(
            f"{where}: column '{col}'",
            f"missing (the {what} column)",
            f"a column named '{col}'",
            "columns " + ", ".join(present[:12]),
            did_you_mean(col, present)
            + f"; or name yours with {what}=<column> on the command line",
        )
        for what, col in required.items()
        if col not in present
    ]
    issues += [
        Issue(
            f"{where}: column '{col}'",
            "missing",
            f"a column named '{col}'",
            "columns " + ", ".join(present[:12]),
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
                _bad_rows(
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
        _bad_rows(
            backwards,
            (where, offset, None),
            "ends before it starts",
            f"{cols.start} <= {cols.end}",
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


def _line(index: int, offset: int | None) -> str:
    return f"line {index + offset}" if offset is not None else f"event {index + 1}"


def _rows(index: np.ndarray, offset: int | None) -> str:
    shown = ", ".join(_line(int(i), offset).split(" ")[1] for i in index[:MAX_LISTED])
    kind = "line" if offset is not None else "event"
    more = f" and {index.size - MAX_LISTED:,} more" if index.size > MAX_LISTED else ""
    return f"{kind}{'s' if index.size > 1 else ''} {shown}{more}"


def _bad_rows(
    mask: np.ndarray,
    place: tuple[str, int | None, str | None],
    what: str,
    expected: str,
    got: str,
    hint: str,
) -> _Problem:
    """The rows of ``mask`` as one problem.

    ``place`` is the file, the line number of the first row (see :func:`check_rows`) and the
    column, if the problem is in one.
    """
    where, offset, column = place
    rows = np.flatnonzero(mask)
    path = f"{where}, {_rows(rows, offset)}" + (
        f", column '{column}'" if column is not None else ""
    )
    return mask, Issue(path, f"{what} in {rows.size} row(s)", expected, got, hint)


def _times(
    values: pd.Series,
    col: str,
    where: str,
    offset: int | None,
    timezone: str | None,
    issues: list[Issue],
    problems: list[_Problem],
    *,
    required: bool = False,
) -> pd.Series:
    """Parse a timestamp column into naive local datetimes; record unparseable rows."""
    text = values.astype(str).str.strip()
    blank = (text == "") | text.str.lower().isin(["nan", "nat", "none", "null"])
    # A bare number is no timestamp: "12" would otherwise become the 12th of this month.
    numeric = text.str.fullmatch(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?").fillna(False)
    usable = ~blank & ~numeric
    parsed = pd.to_datetime(text.where(usable), errors="coerce", utc=True, format="mixed")
    # Outside the years pandas can hold in nanoseconds: not a usable timestamp either.
    in_range = (parsed >= _EARLIEST) & (parsed <= _LATEST)
    parsed = parsed.where(in_range)
    place = (where, offset, col)
    bad = (parsed.isna() & ~blank).to_numpy()
    if bad.any():
        problems.append(
            _bad_rows(
                bad,
                place,
                "not a timestamp",
                "ISO 8601 such as 2024-03-01T09:30:00+01:00",
                repr(text.iloc[int(np.argmax(bad))]),
                "fix or remove those rows",
            )
        )
    if required and blank.any():
        problems.append(
            _bad_rows(
                blank.to_numpy(),
                place,
                "empty",
                "a completion time in every row",
                "",
                "remove events that never completed",
            )
        )
    if timezone is not None:
        try:
            parsed = parsed.dt.tz_convert(timezone)
        except Exception:
            issues.append(
                Issue(
                    "timezone",
                    "unknown time zone",
                    "an IANA name such as Europe/Amsterdam",
                    repr(timezone),
                )
            )
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")
