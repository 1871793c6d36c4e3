"""Reading event logs: every bad row is named by file, line and column, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from procsim.errors import LogFormatError
from procsim.mining.eventlog import LogColumns, describe_columns
from procsim.mining.log_files import read_log

HEADER = "case_id,activity,start_time,end_time,resource"
DATA = Path(__file__).parent / "data"


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_good_log_sorted_with_local_times(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\n2,b,2024-03-01T10:00:00+00:00,2024-03-01T10:30:00+00:00,ann"
        + "\n1,a,2024-03-01T08:00:00+00:00,2024-03-01T08:10:00+00:00,10913.0"
        + "\n1,b,2024-03-01T09:00:00+00:00,2024-03-01T09:05:00+00:00,bob\n",
    )
    log = read_log(path, timezone="Europe/Amsterdam")
    ev = log.events
    assert list(ev["case_id"]) == ["1", "1", "2"]
    # 08:00 UTC is 09:00 in Amsterdam in March (CET, UTC+1).
    assert ev["start_time"].iloc[0] == pd.Timestamp("2024-03-01 09:00")
    assert ev["resource"].iloc[0] == "10913"  # a float-exported id names the same person
    assert not log.starts_estimated and log.cases == 2


def test_every_problem_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\n1,a,2024-03-01 08:00,2024-03-01 08:10,ann"  # line 2: fine
        + "\n1,,2024-03-01 09:00,2024-03-01 09:10,ann"  # line 3: no activity
        + "\n2,b,yesterday,2024-03-01 10:00,bob"  # line 4: bad start
        + "\n3,c,2024-03-01 11:00,,bob\n",  # line 5: no end
    )
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    text = str(err.value)
    assert str(path) in text
    assert "line 3, column 'activity'" in text
    assert "line 4, column 'start_time'" in text and "'yesterday'" in text
    assert "line 5, column 'end_time'" in text
    assert "3 problem(s)" in text


def test_skip_bad_rows_drops_them_and_says_how_many(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\n1,a,2024-03-01 08:00,2024-03-01 08:10,ann"
        + "\n1,,2024-03-01 09:00,2024-03-01 09:10,ann"  # line 3: no activity
        + "\n2,b,yesterday,2024-03-01 10:00,bob"  # line 4: bad start
        + "\n3,c,2024-03-01 12:00,2024-03-01 11:00,bob\n",  # line 5: ends before it starts
    )
    with pytest.raises(LogFormatError, match="skip_bad_rows=true"):
        read_log(path)
    log = read_log(path, skip_bad_rows=True)
    assert len(log.events) == 1 and log.events["activity"].iloc[0] == "a"
    note = next(n for n in log.notes if n.startswith("skipped"))
    assert "skipped 3 of 4 rows" in note
    assert "line 3" in note and "line 4" in note and "line 5" in note


def test_end_before_start_names_the_rows(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n1,a,2024-03-01 09:00,2024-03-01 08:00,ann\n")
    with pytest.raises(LogFormatError, match=r"line 2: ends before it starts"):
        read_log(path)


def test_missing_columns_suggest_the_right_name(tmp_path: Path) -> None:
    path = write(tmp_path, "case,activity,start,end\n1,a,2024-03-01,2024-03-01\n")
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    text = str(err.value)
    assert "column 'case_id'" in text and "case=<column>" in text
    log = read_log(path, describe_columns({"case": "case", "start": "start", "end": "end"}))
    assert log.cases == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "cannot be read as CSV"),
        (HEADER.encode() + b"\n", "has no events"),
    ],
)
def test_unreadable_files_get_a_message(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(content)
    with pytest.raises(LogFormatError, match=expected):
        read_log(path)


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(LogFormatError, match="no such file"):
        read_log(tmp_path / "nowhere.csv")
    with pytest.raises(LogFormatError, match="unknown file type"):
        read_log(write(tmp_path, "x", "log.json"))
    with pytest.raises(LogFormatError, match="unknown time zone"):
        read_log(write(tmp_path, HEADER + "\n1,a,,2024-03-01,ann\n"), timezone="Mars/Olympus")


def test_start_times_estimated_by_hand(tmp_path: Path) -> None:
    """Completions only: a step starts when its case's previous step and its resource's
    previous step have both ended."""
    path = write(
        tmp_path,
        "case,activity,end,resource"
        + "\n1,a,2024-03-01 09:00,ann"  # first of case 1, ann's first: zero duration
        + "\n2,a,2024-03-01 09:30,ann"  # ann was busy until 09:00: starts 09:00
        + "\n1,b,2024-03-01 10:00,bob"  # case 1's a ended 09:00; bob free: starts 09:00
        + "\n2,b,2024-03-01 10:20,bob"  # case 2's a ended 09:30, bob's b 10:00: 10:00
        + "\n3,c,2024-03-01 11:00,cat\n",  # three people, none doing over half the work
    )
    log = read_log(path, LogColumns(case="case", start=None, end="end"))
    assert log.starts_estimated
    ev = log.events.set_index(["case_id", "activity"])
    assert ev.loc[("1", "a"), "start_time"] == pd.Timestamp("2024-03-01 09:00")
    assert ev.loc[("2", "a"), "start_time"] == pd.Timestamp("2024-03-01 09:00")
    assert ev.loc[("1", "b"), "start_time"] == pd.Timestamp("2024-03-01 09:00")
    assert ev.loc[("2", "b"), "start_time"] == pd.Timestamp("2024-03-01 10:00")
    assert any("estimated" in n for n in log.notes)


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="case-1"/>
    <event><string key="concept:name" value="a"/><string key="lifecycle:transition"
      value="start"/><date key="time:timestamp" value="2024-03-01T08:00:00.000+01:00"/>
      <string key="org:resource" value="ann"/></event>
    <event><string key="concept:name" value="a"/><string key="lifecycle:transition"
      value="complete"/><date key="time:timestamp" value="2024-03-01T08:20:00.000+01:00"/>
      <string key="org:resource" value="ann"/></event>
    <event><string key="concept:name" value="b"/><string key="lifecycle:transition"
      value="complete"/><date key="time:timestamp" value="2024-03-01T09:00:00.000+01:00"/>
      <string key="org:resource" value="bob"/></event>
  </trace>
</log>
"""


def test_xes_pairs_start_and_complete(tmp_path: Path) -> None:
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(XES.encode()))
    ev = read_log(path, timezone="Europe/Amsterdam").events
    assert list(ev["activity"]) == ["a", "b"]
    assert list(ev["case_id"]) == ["case-1", "case-1"]
    # a: paired start 08:00; b: complete only, starts when a ended (estimated).
    assert ev["start_time"].iloc[0] == pd.Timestamp("2024-03-01 08:00")
    assert ev["start_time"].iloc[1] == pd.Timestamp("2024-03-01 08:20")
    assert list(ev["start_estimated"]) == [False, True]
    with pytest.raises(LogFormatError, match="not valid XES"):
        read_log(write(tmp_path, "<log><trace>", "bad.xes"))


def test_bundled_sample_reads() -> None:
    log = read_log(DATA / "bpic2012_w_sample.csv.gz", timezone="Europe/Amsterdam")
    assert log.cases >= 200
    assert set(log.events["activity"]) >= {"W_Completeren aanvraag", "W_Nabellen offertes"}


@pytest.mark.parametrize("value", ["-5", "12", "1e308", "0001-01-01T00:00:00", "9999-01-01"])
def test_numbers_and_dates_out_of_range_are_not_timestamps(tmp_path: Path, value: str) -> None:
    """A bare number would silently become a day of this month; years pandas cannot hold
    would overflow: both are reported like any unreadable timestamp (found by fuzzing)."""
    path = write(
        tmp_path,
        HEADER
        + f"\n1,a,{value},2024-03-01T10:00:00,ann"
        + "\n2,a,2024-03-01T09:00:00,2024-03-01T10:00:00,bob\n",
    )
    with pytest.raises(LogFormatError, match="line 2, column 'start_time': not a timestamp"):
        read_log(path)
