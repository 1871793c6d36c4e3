"""Reading an event log file: CSV or XES -> a checked :class:`~procsim.mining.eventlog.RealLog`.

The entry of the fitting and validation data flows (``procsim-fit``, ``procsim-validate``):
this module gets the rows out of the file as text, :mod:`procsim.mining.log_checks` turns them
into the event-log schema, and :mod:`procsim.mining.start_times` fills in start times a log
without them lacks. The log then goes to :mod:`procsim.mining.discover` or
:mod:`procsim.mining.log_comparison`.
"""

from __future__ import annotations

import csv
import gzip
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.errors import Issue
from procsim.mining.eventlog import LOG_COLUMNS, LogColumns, RealLog
from procsim.mining.log_checks import check_rows, log_format_error
from procsim.mining.start_times import estimate_starts


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
        raise log_format_error(
            p, [Issue(str(p), "no such file", "an event log (.csv or .xes)", "", hint)]
        )
    name = p.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        raw = _read_xes(p)
        cols = LogColumns(role="role")
        line_offset = None
    elif name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        raw = _read_csv(p)
        line_offset = 2  # header is line 1
    else:
        raise log_format_error(
            p,
            [Issue(str(p), "unknown file type", ".csv, .csv.gz, .xes or .xes.gz", p.suffix)],
        )
    frame, notes = check_rows(raw, cols, p, line_offset, timezone, skip_bad_rows)
    estimated = bool(frame["start_estimated"].any())
    if estimated:
        frame["start_time"] = estimate_starts(frame)
        notes.append(
            "start times were estimated (the log records completions only): each activity "
            "starts when both its case's previous activity and its resource's previous "
            "activity had ended, so durations may include some waiting"
        )
    return RealLog(frame, str(p), estimated, tuple(notes))


def _read_csv(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise log_format_error(path, [Issue(str(path), "is empty", "a header row and events")])
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
        raise log_format_error(
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
        raise log_format_error(
            path, [Issue(str(path), "is empty", "a header row and events")]
        ) from None


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
        raise log_format_error(
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
    frame = pd.DataFrame(rows, columns=[*LOG_COLUMNS, "role"])
    if frame.empty:
        raise log_format_error(
            path, [Issue(str(path), "has no completed events", "XES traces with events")]
        )
    return frame
