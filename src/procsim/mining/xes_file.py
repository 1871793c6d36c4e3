"""Reading an XES event log (``.xes``, ``.xes.gz``) into rows of text, as a CSV gives them.

Called by :func:`procsim.mining.log_files.read_log`; the rows then go through the same checks
(:mod:`procsim.mining.log_checks`) as a CSV's. The file is parsed incrementally, one trace at a
time, through the bounds of :mod:`procsim.mining.read_limits`, so a huge or decompression-bomb
file stops at the bound instead of filling memory. Start and complete events of one activity
in a trace are paired first in, first out. The XML parser resolves no external entities and
refuses entity expansion bombs.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import pandas as pd

from procsim.errors import Issue, clip
from procsim.mining.eventlog import LOG_COLUMNS
from procsim.mining.log_problems import log_format_error
from procsim.mining.read_limits import CountingStream, LimitReachedError, ReadLimits


def read_xes(path: Path, limits: ReadLimits) -> pd.DataFrame:
    """Traces and events of an XES file as rows ``case_id, activity, start_time, end_time,
    resource, role`` (text).

    Parameters
    ----------
    path
        The file (gzip-compressed when its name ends in ``.gz``).
    limits
        Rows and bytes that may be read.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    LogFormatError
        Not XML, no completed events, or a bound passed.
    LimitReachedError
        A bound was passed (the caller names it).
    """
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    rows: list[dict[str, str]] = []
    try:
        with opener(path, "rb") as fh:
            _traces(CountingStream(fh, limits.max_bytes), rows, limits.max_rows)
    except LimitReachedError:
        raise
    except (ET.ParseError, OSError, EOFError) as exc:
        raise log_format_error(
            path,
            [Issue(str(path), "is not valid XES", "an XES (XML) event log", clip(exc, 160))],
        ) from None
    frame = pd.DataFrame(rows, columns=[*LOG_COLUMNS, "role"])
    if frame.empty:
        raise log_format_error(
            path, [Issue(str(path), "has no completed events", "XES traces with events")]
        )
    return frame


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _traces(stream: CountingStream, rows: list[dict[str, str]], max_rows: int) -> None:
    """Append the completed events of every trace to ``rows``, a trace at a time."""
    depth = 0
    root: ET.Element | None = None
    count = 0
    for event, elem in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            depth += 1
            if root is None:
                root = elem
            continue
        depth -= 1
        if depth == 1 and _local(elem.tag) == "trace":
            _trace_rows(elem, count, rows)
            count += 1
            if len(rows) > max_rows:
                raise LimitReachedError("max_rows", max_rows)
            if root is not None:
                root.clear()  # the trace is done: free it and everything before it


def _trace_rows(trace: ET.Element, index: int, rows: list[dict[str, str]]) -> None:
    name = next(
        (c.get("value", "") for c in trace if c.get("key") == "concept:name"), f"trace {index + 1}"
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
