"""Simulated event logs for process-mining tools: zoned timestamps, unique case ids, XES.

Sits after the simulation, beside the run folder's ``visits`` and ``cases`` tables (which keep
times as numbers in the process time unit, for procsim's own metrics): the writer of the run
folder hands it the logs a replication at a time and it writes

- ``event_log.csv.gz``: one row per visit, with ``case`` unique across scenario and replication
  (``current-r0-17``), ``enabled``/``start``/``end`` as ISO 8601 timestamps with the offset of
  the calendar's time zone, resource, role, case type and the visit's ``state``;
- ``event_log.xes.gz``: the same in the IEEE 1849 XES standard (concept, lifecycle, org and
  time extensions), one trace per case.

A visit still open when the run ends is kept and marked, not lost: ``state`` is
``in_service`` (started, no end) or ``waiting`` (not started); in XES it has a ``start`` event
and no ``complete``, or a ``schedule`` event only. A visit whose customer gave up or was turned
away is ``abandoned`` / ``balked``: XES ``schedule`` then ``withdraw`` when the case left.

The simulation runs on the calendar's wall clock (a shift at 09:00 is at 09:00 every day);
timestamps are that wall-clock time in the calendar's ``timezone``. At a change to summer time
a wall-clock time that does not exist is moved forward, and one that occurs twice is read as
the first (summer-time) one.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from procsim.model.calendar import Calendar

#: Columns of ``event_log.csv.gz``, in order.
CSV_COLUMNS = (
    "case",
    "activity",
    "enabled",
    "start",
    "end",
    "resource",
    "role",
    "case_type",
    "state",
    "scenario",
    "replication",
)
#: gzip level: the text is repetitive, and level 9 (gzip's default) triples the writing time
#: for a few per cent of size.
COMPRESSION = 3
#: States of a visit.
STATES = ("completed", "in_service", "waiting", "abandoned", "balked")


@dataclass(frozen=True)
class LogPart:
    """One replication's event log and where its times are anchored.

    Attributes
    ----------
    scenario
        The scenario label (``current`` or the redesign's).
    replication
        The replication index.
    visits, cases
        The replication's ``visits`` and ``cases`` tables (times in the process unit).
    calendar
        The model's calendar: the start date, the wall clock's time zone and the unit.
    """

    scenario: str
    replication: int
    visits: pd.DataFrame
    cases: pd.DataFrame
    calendar: Calendar


def case_names(scenario: str, replication: int, case_ids: np.ndarray) -> np.ndarray:
    """Case ids unique across the scenarios and replications of a study: ``current-r0-17``."""
    prefix = f"{scenario}-r{replication}-"
    return np.char.add(prefix, np.asarray(case_ids).astype(str)).astype(object)


def timestamps(times: np.ndarray, calendar: Calendar) -> pd.DatetimeIndex:
    """Simulation times -> zoned timestamps (NaT where a time is NaN)."""
    origin = pd.Timestamp(calendar.origin)
    hours = np.asarray(times, dtype=float) * calendar.hours_per_unit
    # Rounded to the microsecond: a float hour cannot carry more, and XES keeps milliseconds.
    wall = origin + pd.to_timedelta(np.round(hours * 3.6e9), unit="us")
    index = pd.DatetimeIndex(wall)
    return index.tz_localize(
        calendar.timezone,
        ambiguous=np.ones(len(index), dtype=bool),
        nonexistent="shift_forward",
    )


def visit_table(part: LogPart) -> pd.DataFrame:
    """One replication's visits as the rows of ``event_log.csv.gz`` (timestamps zoned)."""
    v, c = part.visits, part.cases
    start = v["start_time"].to_numpy(dtype=float)
    end = v["end_time"].to_numpy(dtype=float)
    by_case = c.set_index("case_id")
    outcome = _case_column(by_case, "outcome", v["case_id"], "")
    case_type = _case_column(by_case, "case_type", v["case_id"], "")
    state = np.where(np.isnan(start), "waiting", np.where(np.isnan(end), "in_service",
                                                          "completed")).astype(object)  # fmt: skip
    gave_up = np.isnan(start) & np.isin(outcome, ("abandoned", "balked"))
    state[gave_up] = outcome[gave_up]
    return pd.DataFrame(
        {
            "case": case_names(part.scenario, part.replication, v["case_id"].to_numpy()),
            "activity": v["activity"].astype(str).to_numpy(),
            "enabled": timestamps(v["enabled_time"].to_numpy(dtype=float), part.calendar),
            "start": timestamps(start, part.calendar),
            "end": timestamps(end, part.calendar),
            "resource": v["resource"].astype(str).replace("nan", "").to_numpy(),
            "role": v["role"].astype(str).replace("nan", "").to_numpy(),
            "case_type": case_type,
            "state": state,
            "scenario": part.scenario,
            "replication": part.replication,
        }
    )


def _case_column(by_case: pd.DataFrame, column: str, ids: pd.Series, default: str) -> np.ndarray:
    if column not in by_case:
        return np.full(len(ids), default, dtype=object)
    values = by_case[column].astype(str).reindex(ids.to_numpy()).fillna(default)
    return values.to_numpy(dtype=object)


def write_csv(path: Path, parts: Iterable[LogPart]) -> int:
    """Write ``event_log.csv.gz`` a replication at a time; the number of visits written."""
    rows = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=COMPRESSION) as out:
        for i, part in enumerate(parts):
            table = visit_table(part)
            for column in ("enabled", "start", "end"):
                table[column] = _iso(table[column])
            table.to_csv(out, index=False, header=i == 0, columns=list(CSV_COLUMNS))
            rows += len(table)
    return rows


def _iso(stamps: pd.Series) -> pd.Series:
    """ISO 8601 with milliseconds and the offset as ``+01:00`` ("" for NaT).

    Formatted as whole arrays (numpy's datetime strings and one text per distinct offset):
    pandas' strftime on zoned timestamps costs ~20 us each.
    """
    index = pd.DatetimeIndex(stamps)
    wall = index.tz_localize(None).to_numpy(dtype="datetime64[ms]")
    missing = np.isnat(wall)
    text = np.datetime_as_string(wall, unit="ms").astype(object)
    if index.tz is None:
        offsets = np.zeros(len(index), dtype=np.int64)
    else:
        utc = index.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[s]")
        offsets = (wall.astype("datetime64[s]") - utc).astype(np.int64)
    uniques, inverse = np.unique(np.where(missing, 0, offsets), return_inverse=True)
    signs = np.array([_offset(int(u)) for u in uniques], dtype=object)[inverse]
    out = np.where(missing, "", text + signs)
    return pd.Series(out, index=stamps.index, dtype=object)


def _offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


XES_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace">
    <string key="concept:name" value=""/>
  </global>
  <global scope="event">
    <string key="concept:name" value=""/>
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
  <string key="concept:name" value="procsim simulated log"/>
"""


def write_xes(path: Path, parts: Iterable[LogPart]) -> int:
    """Write ``event_log.xes.gz`` a replication at a time; the number of traces written."""
    traces = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=COMPRESSION) as out:
        out.write(XES_HEADER)
        for part in parts:
            traces += _write_traces(out, part)
        out.write("</log>\n")
    return traces


def _write_traces(out: io.TextIOBase, part: LogPart) -> int:
    """The traces of one replication, cases in their order, each visit's events in the order
    of the visits. Built as whole columns of text and joined once: a Python loop per event
    would cost a second per hundred thousand visits."""
    table = visit_table(part)
    cases = part.cases
    n = len(cases)
    names = case_names(part.scenario, part.replication, cases["case_id"].to_numpy())
    header = "  <trace>\n" + _attr("string", "concept:name", names, 4)
    header = header + _attr("string", "scenario", np.full(n, part.scenario, dtype=object), 4)
    header = header + f'    <int key="replication" value="{part.replication}"/>\n'
    for key in ("case_type", "outcome"):
        if key in cases:
            values = cases[key].astype(str).to_numpy(dtype=object)
            header = header + np.where(values != "", _attr("string", key, values, 4), "")
    if len(table):
        left = timestamps(cases["left_time"].to_numpy(dtype=float), part.calendar) if (
            "left_time" in cases) else None  # fmt: skip
        where = pd.Index(cases["case_id"]).get_indexer(part.visits["case_id"].to_numpy())
        order = np.argsort(where, kind="stable")
        left_at = _iso(pd.Series(left)).to_numpy(dtype=object)[where] if left is not None else (
            np.full(len(table), "", dtype=object))  # fmt: skip
        events = _visit_events(table, left_at)[order]
        bounds = np.searchsorted(where[order], np.arange(n + 1))
    else:
        events, bounds = np.array([], dtype=object), np.zeros(n + 1, dtype=int)
    pieces = np.empty(len(events) + 2 * n, dtype=object)
    # Case i's header goes before its events, its footer after them.
    at = bounds[:-1] + 2 * np.arange(n)
    pieces[at] = header
    pieces[bounds[1:] + 2 * np.arange(n) + 1] = "  </trace>\n"
    rest = np.ones(len(pieces), dtype=bool)
    rest[at] = False
    rest[bounds[1:] + 2 * np.arange(n) + 1] = False
    pieces[rest] = events
    out.write("".join(pieces.tolist()))
    return n


def _attr(kind: str, key: str, values: np.ndarray, indent: int) -> np.ndarray:
    """``<kind key="key" value="..."/>`` lines, one per value (escaped)."""
    quoted = _quoted(values)
    return f'{" " * indent}<{kind} key="{key}" value=' + quoted + "/>\n"


def _quoted(values: np.ndarray) -> np.ndarray:
    """XML-quoted attribute values; each distinct value quoted once."""
    uniques, inverse = np.unique(values.astype(str), return_inverse=True)
    return np.array([quoteattr(u) for u in uniques], dtype=object)[inverse]


def _visit_events(table: pd.DataFrame, left_at: np.ndarray) -> np.ndarray:
    """Per visit, the text of its XES events (see the module docstring for which)."""
    state = table["state"].to_numpy(dtype=object)
    name = _attr("string", "concept:name", table["activity"].to_numpy(dtype=object), 6)
    resource = table["resource"].to_numpy(dtype=object)
    role = table["role"].to_numpy(dtype=object)
    org = np.where(resource != "", _attr("string", "org:resource", resource, 6), "")
    org = org + np.where(role != "", _attr("string", "org:role", role, 6), "")
    marker = _attr("string", "state", state, 6)

    def event(transition: str, when: np.ndarray, extra: np.ndarray | str) -> np.ndarray:
        head = (
            "    <event>\n"
            + name
            + f'      <string key="lifecycle:transition" value="{transition}"/>\n'
        )
        text: np.ndarray = (
            head
            + '      <date key="time:timestamp" value="'
            + when
            + '"/>\n'
            + extra
            + "    </event>\n"
        )
        return text

    stamps = {k: _iso(table[k]).to_numpy(dtype=object) for k in ("enabled", "start", "end")}
    done, busy = state == "completed", state == "in_service"
    gave_up = (state == "abandoned") | (state == "balked")
    started = np.where(
        done | busy, event("start", stamps["start"], org + np.where(busy, marker, "")), ""
    )
    finished = np.where(done, event("complete", stamps["end"], org), "")
    scheduled = np.where(~(done | busy), event("schedule", stamps["enabled"], marker), "")
    withdrawn = np.where(gave_up & (left_at != ""), event("withdraw", left_at, marker), "")
    out: np.ndarray = started + finished + scheduled + withdrawn
    return out
