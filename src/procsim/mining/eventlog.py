"""Real event logs: read a CSV or XES file into procsim's event-log schema, checking every row.

Sits at the entry of the fitting data flow (event log -> :mod:`procsim.mining.discover` -> a process
config), and beside the engine for validation: :func:`from_simulation` turns a simulated log
into the very same table, so fitting and comparing treat real and simulated logs alike.

The schema: one row per activity instance, ``case_id, activity, start_time, end_time,
resource`` plus an optional ``role`` and any case attributes; times are timezone-naive
``datetime64`` in the log's local time (converted from the file's offsets when a timezone is
given), because working hours and arrival profiles are about the local clock.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procsim.errors import Issue, LogFormatError, did_you_mean

#: Columns every log has after reading (``role`` only when the file has one).
LOG_COLUMNS = ("case_id", "activity", "start_time", "end_time", "resource")
#: Timestamps outside this range cannot be held at nanosecond resolution.
_EARLIEST = pd.Timestamp("1678-01-01", tz="UTC")
_LATEST = pd.Timestamp("2261-12-31", tz="UTC")
#: At most this many bad rows are listed per kind of problem; the count says how many in all.
MAX_LISTED = 5


@dataclass(frozen=True)
class LogColumns:
    """Which columns of a CSV file hold what (defaults: procsim's own names).

    Attributes
    ----------
    case, activity, end
        Required: case id, activity name and completion time.
    start
        Start time; a log without one (or with it empty everywhere) gets estimated starts.
    resource, role
        Who did it, and the group (role) they belong to; both optional.
    attributes
        Case attributes to keep (e.g. a category), by their column names.
    """

    case: str = "case_id"
    activity: str = "activity"
    start: str | None = "start_time"
    end: str = "end_time"
    resource: str | None = "resource"
    role: str | None = None
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RealLog:
    """An event log read and checked.

    Attributes
    ----------
    events
        ``case_id, activity, start_time, end_time, resource`` (strings and naive datetimes),
        ``role`` when known, the case attributes, and ``start_estimated`` (bool per row).
        Sorted by case, then end time.
    source
        The file it came from (for messages and reports).
    starts_estimated
        True when some start times were estimated (the log had completions only).
    notes
        What reading did to the data, in the analyst's words (rows dropped, times converted).
    """

    events: pd.DataFrame
    source: str
    starts_estimated: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cases(self) -> int:
        """Number of cases."""
        return int(self.events["case_id"].nunique())

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First start and last end."""
        ev = self.events
        return ev["start_time"].min(), ev["end_time"].max()


def _fail(path: Path, issues: list[Issue]) -> LogFormatError:
    lines = [f"{len(issues)} problem(s) in the event log {path}:"]
    lines += [f"  - {i.format()}" for i in issues]
    err = LogFormatError("\n".join(lines))
    err.issues = issues  # type: ignore[attr-defined]
    return err


def read_log(
    path: str | Path,
    columns: LogColumns | None = None,
    *,
    timezone: str | None = None,
    skip_bad_rows: bool = False,
) -> RealLog:
    """Read an event log (``.csv``, ``.csv.gz`` or ``.xes``, ``.xes.gz``) and check every row.

    Parameters
    ----------
    path
        The file.
    columns
        Column names in a CSV file (ignored for XES, which has standard keys).
    timezone
        IANA name (``Europe/Amsterdam``): timestamps are converted to this local time, so
        that hours of the day mean what they meant to the people in the log. Without it,
        timestamps with an offset are read as UTC and those without one as written.
    skip_bad_rows
        Leave out rows with a missing case, activity or end time, an unreadable timestamp or
        an end before the start, and say how many and why in ``notes``, instead of failing.

    Returns
    -------
    RealLog

    Raises
    ------
    LogFormatError
        Naming the file, the rows (line numbers in the file) and the columns of every problem
        found, with what was expected and a hint.
    """
    p = Path(path)
    cols = columns or LogColumns()
    if not p.is_file():
        hint = "check the path; it is read relative to the folder you run procsim-fit in"
        raise _fail(p, [Issue(str(p), "no such file", "an event log (.csv or .xes)", "", hint)])
    name = p.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        raw = _read_xes(p)
        cols = LogColumns(role="role")
        line_offset = None
    elif name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        raw = _read_csv(p)
        line_offset = 2  # header is line 1
    else:
        raise _fail(
            p,
            [Issue(str(p), "unknown file type", ".csv, .csv.gz, .xes or .xes.gz", p.suffix)],
        )
    frame, notes = _check(raw, cols, p, line_offset, timezone, skip_bad_rows)
    estimated = bool(frame["start_estimated"].any())
    if estimated:
        notes.append(
            "start times were estimated (the log records completions only): each activity "
            "starts when both its case's previous activity and its resource's previous "
            "activity had ended, so durations may include some waiting"
        )
    return RealLog(frame, str(p), estimated, tuple(notes))


def _read_csv(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise _fail(path, [Issue(str(path), "is empty", "a header row and events")])
    try:
        opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            header = fh.readline()
        if path.name.lower().endswith(".tsv"):
            sep = "\t"
        else:  # European exports often use semicolons
            sep = ";" if header.count(";") > header.count(",") else ","
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
    except (
        UnicodeDecodeError,
        pd.errors.ParserError,
        csv.Error,
        gzip.BadGzipFile,
        EOFError,
    ) as exc:
        raise _fail(
            path,
            [
                Issue(
                    str(path),
                    "cannot be read as CSV",
                    "a text file with a header row (UTF-8, comma-separated)",
                    str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__,
                    "export the log as CSV, or as XES",
                )
            ],
        ) from None
    except pd.errors.EmptyDataError:
        raise _fail(path, [Issue(str(path), "is empty", "a header row and events")]) from None


def _line(index: int, offset: int | None) -> str:
    return f"line {index + offset}" if offset is not None else f"event {index + 1}"


def _check(
    raw: pd.DataFrame,
    cols: LogColumns,
    path: Path,
    offset: int | None,
    timezone: str | None,
    skip_bad_rows: bool,
) -> tuple[pd.DataFrame, list[str]]:
    issues: list[Issue] = []
    where = str(path)
    present = list(raw.columns)
    required = {"case": cols.case, "activity": cols.activity, "end": cols.end}
    optional = {
        "start": cols.start,
        "resource": cols.resource,
        "role": cols.role,
        **{a: a for a in cols.attributes},
    }
    for what, col in required.items():
        if col not in present:
            issues.append(
                Issue(
                    f"{where}: column '{col}'",
                    f"missing (the {what} column)",
                    f"a column named '{col}'",
                    "columns " + ", ".join(present[:12]),
                    did_you_mean(col, present)
                    + f"; or name yours with {what}=<column> on the command line",
                )
            )
    for what, ocol in optional.items():
        if ocol is not None and ocol not in present and what in ("role", *cols.attributes):
            issues.append(
                Issue(
                    f"{where}: column '{ocol}'",
                    "missing",
                    f"a column named '{ocol}'",
                    "columns " + ", ".join(present[:12]),
                    did_you_mean(ocol, present),
                )
            )
    if issues:
        raise _fail(path, issues)
    if raw.empty:
        raise _fail(path, [Issue(where, "has no events", "one row per activity instance")])

    notes: list[str] = []
    problems: list[tuple[np.ndarray, Issue]] = []
    case = raw[cols.case].astype(str).str.strip()
    activity = raw[cols.activity].astype(str).str.strip()
    for col, values in ((cols.case, case), (cols.activity, activity)):
        empty = (values == "").to_numpy()
        if empty.any():
            rows = np.flatnonzero(empty)
            problems.append(
                (
                    empty,
                    Issue(
                        f"{where}, {_rows(rows, offset)}, column '{col}'",
                        f"empty in {rows.size} row(s)",
                        "a value in every row",
                        "",
                        "remove those rows or fill them in",
                    ),
                )
            )
    end = _times(raw[cols.end], cols.end, where, offset, timezone, issues, problems, required=True)
    has_start = cols.start is not None and cols.start in present
    if has_start and cols.start is not None:
        start = _times(raw[cols.start], cols.start, where, offset, timezone, issues, problems)
    else:
        start = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if issues:
        raise _fail(path, issues)
    backwards = (start > end).fillna(False).to_numpy()
    if backwards.any():
        rows = np.flatnonzero(backwards)
        problems.append(
            (
                backwards,
                Issue(
                    f"{where}, {_rows(rows, offset)}",
                    f"ends before it starts in {rows.size} row(s)",
                    f"{cols.start} <= {cols.end}",
                    f"e.g. {start.iloc[rows[0]]} > {end.iloc[rows[0]]}",
                    "swapped columns? map them with start=<column> end=<column>",
                ),
            )
        )
    if problems and not skip_bad_rows:
        hint = "; or skip_bad_rows=true to leave such rows out (they are counted and reported)"
        raise _fail(
            path,
            [dataclasses.replace(i, hint=i.hint + hint) for _, i in problems],
        )
    if problems:
        drop = np.logical_or.reduce([m for m, _ in problems])
        kept = ~drop
        if not kept.any():
            raise _fail(path, [i for _, i in problems])
        notes.append(
            f"skipped {int(drop.sum()):,} of {len(raw):,} rows (skip_bad_rows): "
            + "; ".join(i.path.split(", ", 1)[-1] + ": " + i.message for _, i in problems)
        )
        raw, case, activity = raw[kept], case[kept], activity[kept]
        start, end = start[kept], end[kept]

    resource = (
        raw[cols.resource].astype(str).str.strip()
        if cols.resource is not None and cols.resource in present
        else pd.Series("", index=raw.index)
    )
    # Numeric resource ids exported as floats ("10913.0") name the same person as "10913".
    resource = resource.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    frame = pd.DataFrame(
        {
            "case_id": case,
            "activity": activity,
            "start_time": start,
            "end_time": end,
            "resource": resource,
        }
    )
    if cols.role is not None and cols.role in present:
        frame["role"] = raw[cols.role].astype(str).str.strip()
    for a in cols.attributes:
        frame[a] = raw[a]
    frame["start_estimated"] = frame["start_time"].isna()
    if frame["start_estimated"].all() and has_start:
        notes.append(f"column '{cols.start}' is empty in every row: the log has completions only")
    elif frame["start_estimated"].any() and has_start:
        notes.append(
            f"{int(frame['start_estimated'].sum()):,} of {len(frame):,} rows have no start time"
        )
    frame = frame.sort_values(["case_id", "end_time", "start_time"], kind="stable")
    frame = frame.reset_index(drop=True)
    if frame["start_estimated"].any():
        frame["start_time"] = estimate_starts(frame)
    return frame, notes


def _rows(index: np.ndarray, offset: int | None) -> str:
    shown = ", ".join(_line(int(i), offset).split(" ")[1] for i in index[:MAX_LISTED])
    kind = "line" if offset is not None else "event"
    more = f" and {index.size - MAX_LISTED:,} more" if index.size > MAX_LISTED else ""
    return f"{kind}{'s' if index.size > 1 else ''} {shown}{more}"


def _times(
    values: pd.Series,
    col: str,
    where: str,
    offset: int | None,
    timezone: str | None,
    issues: list[Issue],
    problems: list[tuple[np.ndarray, Issue]],
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
    bad = (parsed.isna() & ~blank).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        problems.append(
            (
                bad,
                Issue(
                    f"{where}, {_rows(rows, offset)}, column '{col}'",
                    f"not a timestamp in {rows.size} row(s)",
                    "ISO 8601 such as 2024-03-01T09:30:00+01:00",
                    repr(text.iloc[rows[0]]),
                    "fix or remove those rows",
                ),
            )
        )
    if required and blank.any():
        rows = np.flatnonzero(blank.to_numpy())
        problems.append(
            (
                blank.to_numpy(),
                Issue(
                    f"{where}, {_rows(rows, offset)}, column '{col}'",
                    f"empty in {rows.size} row(s)",
                    "a completion time in every row",
                    "",
                    "remove events that never completed",
                ),
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


def identifies_people(events: pd.DataFrame) -> bool:
    """Whether the resource column names people: at least three names, none doing more than
    half of the work (``STAFF MEMBER`` / ``SYSTEM`` only is a label, not a person)."""
    named = events.loc[events["resource"] != "", "resource"]
    if named.nunique() < 3:
        return False
    return bool(named.value_counts(normalize=True).iloc[0] <= 0.5)


def estimate_starts(events: pd.DataFrame) -> pd.Series:
    """Start times for rows without one: the later of the end of the case's previous activity
    and the end of the resource's previous activity (the activity's own end at the latest).

    The first activity of a case with no earlier work by its resource gets a zero duration:
    nothing in the log says when it began. Where the resource column does not name people
    (:func:`identifies_people`), only the case's previous activity bounds the start, so the
    duration is the whole time since the case's previous step.
    """
    ev = events
    start = ev["start_time"].copy()
    end = ev["end_time"]
    missing = start.isna().to_numpy()
    prev_case = end.groupby(ev["case_id"], sort=False).shift(1)
    if identifies_people(ev):
        by_res = ev[ev["resource"] != ""].sort_values(["end_time"], kind="stable")
        prev_res = by_res["end_time"].groupby(by_res["resource"], sort=False).shift(1)
        prev_res = prev_res.reindex(ev.index)
    else:
        prev_res = pd.Series(pd.NaT, index=ev.index, dtype="datetime64[ns]")
    bound = pd.concat([prev_case, prev_res], axis=1).max(axis=1)
    estimate = bound.where(bound.notna() & (bound <= end), end)
    start[missing] = estimate[missing]
    return start


# -- XES -------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_xes(path: Path) -> pd.DataFrame:
    """Traces and events of an XES file; start/complete events paired first-in-first-out."""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    rows: list[dict[str, str]] = []
    try:
        with opener(path, "rb") as fh:
            root = ET.fromstring(fh.read())
    except (ET.ParseError, OSError, EOFError) as exc:
        raise _fail(
            path,
            [Issue(str(path), "is not valid XES", "an XES (XML) event log", str(exc)[:160])],
        ) from None
    for t, trace in enumerate(c for c in root if _local(c.tag) == "trace"):
        name = next(
            (c.get("value", "") for c in trace if c.get("key") == "concept:name"), f"trace {t + 1}"
        )
        pending: dict[str, deque[str]] = defaultdict(deque)
        for event in (c for c in trace if _local(c.tag) == "event"):
            attrs = {c.get("key", ""): c.get("value", "") for c in event}
            life = attrs.get("lifecycle:transition", "complete").lower()
            act = attrs.get("concept:name", "")
            time = attrs.get("time:timestamp", "")
            if life == "start":
                pending[act].append(time)
            elif life == "complete":
                rows.append(
                    {
                        "case_id": name,
                        "activity": act,
                        "start_time": pending[act].popleft() if pending[act] else "",
                        "end_time": time,
                        "resource": attrs.get("org:resource", ""),
                        "role": attrs.get("org:role", ""),
                    }
                )
    frame = pd.DataFrame(
        rows, columns=["case_id", "activity", "start_time", "end_time", "resource", "role"]
    )
    if frame.empty:
        raise _fail(path, [Issue(str(path), "has no completed events", "XES traces with events")])
    return frame


# -- simulated logs in the same schema --------------------------------------------------------


def from_simulation(
    visits: pd.DataFrame,
    origin: pd.Timestamp,
    hours_per_unit: float,
    *,
    completed_only: bool = True,
) -> pd.DataFrame:
    """A simulated visit table as a real event log: datetimes from the calendar's origin.

    Parameters
    ----------
    visits
        ``case_id, activity, start_time, end_time, resource, role`` in simulation time.
    origin
        The datetime of simulation time 0 (the calendar's start at 00:00).
    hours_per_unit
        Hours per simulation time unit.
    completed_only
        Drop visits that had not ended (a real log has no unfinished events).

    Returns
    -------
    pandas.DataFrame
        The schema of :func:`read_log`'s ``events``.
    """
    v = visits
    if completed_only:
        v = v[v["end_time"].notna()]
    scale = hours_per_unit * 3600.0

    def stamp(t: pd.Series) -> np.ndarray:
        delta = pd.to_timedelta(t.to_numpy(dtype=float) * scale, unit="s")
        return np.asarray(origin + delta, dtype="datetime64[ns]")

    out = pd.DataFrame(
        {
            "case_id": v["case_id"].astype(str).to_numpy(),
            "activity": v["activity"].astype(str).to_numpy(),
            "start_time": stamp(v["start_time"]),
            "end_time": stamp(v["end_time"]),
            "resource": v["resource"].astype(str).to_numpy(),
        }
    )
    if "role" in v:
        out["role"] = v["role"].astype(str).to_numpy()
    out["start_estimated"] = False
    return out.sort_values(["case_id", "end_time"], kind="stable").reset_index(drop=True)


def describe_columns(mapping: Mapping[str, Any]) -> LogColumns:
    """Column names from ``key=value`` options (``case=``, ``activity=``, ``start=``, ...)."""
    attrs = mapping.get("attributes") or ()
    if isinstance(attrs, str):
        attrs = tuple(a.strip() for a in attrs.split(",") if a.strip())
    start = mapping.get("start", "start_time")
    resource = mapping.get("resource", "resource")
    return LogColumns(
        case=str(mapping.get("case", "case_id")),
        activity=str(mapping.get("activity", "activity")),
        start=None if start in (None, "", "none") else str(start),
        end=str(mapping.get("end", "end_time")),
        resource=None if resource in (None, "", "none") else str(resource),
        role=None if mapping.get("role") in (None, "", "none") else str(mapping["role"]),
        attributes=tuple(str(a) for a in attrs),
    )
