"""Reading an event log file: CSV or XES -> a checked :class:`~procsim.mining.eventlog.RealLog`.

The entry of the fitting and validation data flows (``procsim-fit``, ``procsim-validate``):
this module gets the rows out of the file as text (a CSV here, an XES file through
:mod:`procsim.mining.xes_file`), within the bounds of :mod:`procsim.mining.read_limits`;
:mod:`procsim.mining.log_checks` turns them into the event-log schema, and
:mod:`procsim.mining.start_times` fills in start times a log without them lacks. The log then
goes to :mod:`procsim.mining.discover` or :mod:`procsim.mining.log_comparison`.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.errors import Issue, ModelError, clip
from procsim.mining.eventlog import LogColumns, RealLog
from procsim.mining.log_checks import check_rows
from procsim.mining.log_problems import log_format_error
from procsim.mining.read_limits import CountingStream, LimitReachedError, ReadLimits, limit_message
from procsim.mining.start_times import estimate_starts
from procsim.mining.timestamps import timezone_issue
from procsim.mining.xes_file import read_xes

#: The file types read, by how their names end.
LOG_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".xes", ".xes.gz")
#: Rows parsed at a time: the row bound is checked between chunks.
_CHUNK = 200_000


def read_log(
    path: str | Path,
    columns: LogColumns | None = None,
    *,
    timezone: str | None = None,
    skip_bad_rows: bool = False,
    limits: ReadLimits | None = None,
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
        Leave out rows with a missing case, activity or end time, an unreadable timestamp, an
        end before the start, or that repeat an earlier row exactly, and say how many and why
        in ``notes``, instead of failing.
    limits
        At most how many rows and bytes (after decompression) are read (default
        :class:`~procsim.mining.read_limits.ReadLimits`): past them reading stops with a
        message naming the bound.

    Returns
    -------
    RealLog

    Raises
    ------
    LogFormatError
        Naming the file, the rows (line numbers in the file) and the columns of every problem
        found, with what was expected and a hint.
    ModelError
        An unknown ``timezone``.
    """
    p = Path(path)
    cols = columns or LogColumns()
    bounds = limits or ReadLimits()
    bad_zone = timezone_issue(timezone)
    if bad_zone is not None:  # before reading a large file for nothing
        raise ModelError([bad_zone], "the options")
    _check_path(p)
    name = p.name.lower()
    try:
        if _is_xes(name):
            raw = read_xes(p, bounds)
            cols = LogColumns(role="role")
            line_offset = None
        else:
            raw = _read_csv(p, bounds)
            line_offset = 2  # header is line 1
    except LimitReachedError as stop:
        kind = "XES" if _is_xes(name) else "CSV"
        message, expected, hint = limit_message(stop.setting, stop.bound, kind)
        raise log_format_error(p, [Issue(str(p), message, expected, "", hint)]) from None
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


def _is_xes(name: str) -> bool:
    """Whether a file name (lower case) is read as XES."""
    return name.endswith((".xes", ".xes.gz"))


def _check_path(path: Path) -> None:
    """Fail unless ``path`` is a file of a type procsim reads (a folder is told apart)."""
    if path.is_dir():
        inside = sorted(
            f.name for f in path.iterdir() if f.is_file() and f.name.lower().endswith(LOG_SUFFIXES)
        )
        hint = (
            "name a file inside it, e.g. log=" + str(path / clip(inside[0], 80))
            if inside
            else "name the log file itself, not its folder"
        )
        got = "a folder" + (
            f" holding {', '.join(clip(n, 40) for n in inside[:5])}" if inside else ""
        )
        raise log_format_error(
            path, [Issue(str(path), "is a folder", "an event log file (.csv or .xes)", got, hint)]
        )
    if not path.exists():
        hint = "check the path; it is read relative to the folder you run the command in"
        raise log_format_error(
            path, [Issue(str(path), "no such file", "an event log (.csv or .xes)", "", hint)]
        )
    if not path.is_file():
        raise log_format_error(
            path,
            [Issue(str(path), "is not a regular file", "an event log file (.csv or .xes)")],
        )
    if not path.name.lower().endswith(LOG_SUFFIXES):
        raise log_format_error(
            path,
            [
                Issue(
                    str(path),
                    "unknown file type",
                    ".csv, .csv.gz, .tsv, .xes or .xes.gz",
                    repr(clip(path.suffix, 20)),
                )
            ],
        )


def _read_csv(path: Path, limits: ReadLimits) -> pd.DataFrame:
    """The rows of a CSV file as text, the separator guessed from the header line."""
    if path.stat().st_size == 0:
        raise log_format_error(path, [Issue(str(path), "is empty", "a header row and events")])
    gz = path.name.lower().endswith(".gz")
    if not gz and path.stat().st_size > limits.max_bytes:
        raise LimitReachedError("max_bytes", limits.max_bytes)
    opener: Any = gzip.open if gz else open

    def text(fh: Any) -> io.TextIOWrapper:
        counted = CountingStream(fh, limits.max_bytes)
        return io.TextIOWrapper(io.BufferedReader(counted), encoding="utf-8-sig")

    try:
        with opener(path, "rb") as fh:
            header = text(fh).readline(1 << 20)  # a bound even on a file with no line breaks
        if path.name.lower().endswith(".tsv"):
            sep = "\t"
        else:  # European exports often use semicolons
            sep = ";" if header.count(";") > header.count(",") else ","
        with opener(path, "rb") as fh:
            return _csv_chunks(text(fh), sep, limits.max_rows)
    except (
        UnicodeDecodeError,
        pd.errors.ParserError,
        csv.Error,
        gzip.BadGzipFile,
        EOFError,
        OSError,
    ) as exc:
        raise log_format_error(
            path,
            [
                Issue(
                    str(path),
                    "cannot be read as CSV",
                    "a text file with a header row (UTF-8, comma-separated)",
                    clip(str(exc).splitlines()[0], 160) if str(exc) else type(exc).__name__,
                    "export the log as CSV, or as XES",
                )
            ],
        ) from None
    except pd.errors.EmptyDataError:
        raise log_format_error(
            path, [Issue(str(path), "is empty", "a header row and events")]
        ) from None


def _csv_chunks(text: io.TextIOWrapper, sep: str, max_rows: int) -> pd.DataFrame:
    """Parse the text a chunk at a time, stopping once more than ``max_rows`` rows came."""
    chunks: list[pd.DataFrame] = []
    rows = 0
    reader = pd.read_csv(
        text, dtype=str, keep_default_na=False, sep=sep, chunksize=_CHUNK, low_memory=True
    )
    with reader:
        for chunk in reader:
            rows += len(chunk)
            if rows > max_rows:
                raise LimitReachedError("max_rows", max_rows)
            chunks.append(chunk)
    if not chunks:
        raise pd.errors.EmptyDataError("no rows")
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
