"""Reading event logs: every bad row is named by file, line and column, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from procsim.errors import LogFormatError, ModelError
from procsim.mining.eventlog import LogColumns, describe_columns
from procsim.mining.log_files import read_log
from procsim.mining.read_limits import ReadLimits

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
    with pytest.raises(ModelError, match="unknown time zone") as err:
        read_log(write(tmp_path, HEADER + "\n1,a,,2024-03-01,ann\n"), timezone="Mars/Olympus")
    # Reported once, as an option, not as a problem of the file (it was twice, issue 19).
    assert len(err.value.issues) == 1 and err.value.issues[0].path == "timezone"
    assert "event log" not in str(err.value)


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


@pytest.mark.parametrize("value", ["-5", "12", "1e308", "2024-13-45", "yesterday"])
def test_numbers_and_garbage_are_not_timestamps(tmp_path: Path, value: str) -> None:
    """A bare number would silently become a day of this month (found by fuzzing)."""
    path = write(
        tmp_path,
        HEADER
        + f"\n1,a,{value},2024-03-01T10:00:00,ann"
        + "\n2,a,2024-03-01T09:00:00,2024-03-01T10:00:00,bob\n",
    )
    with pytest.raises(LogFormatError, match="line 2, column 'start_time': not a timestamp"):
        read_log(path)


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00", "9999-01-01", "9999-12-31T23:59:59+01:00", "1200-06-01"]
)
def test_valid_dates_outside_the_range_are_named_as_such(tmp_path: Path, value: str) -> None:
    """Year 9999 or 0001 is a valid ISO date (often a placeholder), not garbage: the message
    names the supported range instead of calling it "not a timestamp"."""
    path = write(
        tmp_path,
        HEADER
        + f"\n1,a,{value},2024-03-01T10:00:00,ann"
        + "\n2,a,2024-03-01T09:00:00,2024-03-01T10:00:00,bob\n",
    )
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    text = str(err.value)
    assert "line 2, column 'start_time': a date outside the supported range" in text
    assert "1678-01-01 to 2261-12-31" in text and "not a timestamp" not in text
    log = read_log(path, skip_bad_rows=True)
    assert list(log.events["case_id"]) == ["2"]


def test_exact_duplicate_rows_are_counted_reported_and_droppable(tmp_path: Path) -> None:
    """Three cases of a -> b by hand, two rows exported twice: reading stops and names the
    repeated lines; with skip_bad_rows the repeats go and every count is the hand count."""
    rows = [
        f"{c},{a},2024-03-0{c}T{h:02d}:00:00,2024-03-0{c}T{h:02d}:30:00,ann"
        for c in (1, 2, 3)
        for a, h in (("a", 9), ("b", 10))
    ]
    # Lines 2-7 are the six events; line 8 repeats line 3, line 9 repeats line 6.
    path = write(tmp_path, "\n".join([HEADER, *rows, rows[1], rows[4]]) + "\n")
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    text = str(err.value)
    assert "lines 8, 9: an exact duplicate of an earlier row in 2 row(s)" in text
    assert "line 8 repeats line 3" in text and "skip_bad_rows=true" in text
    log = read_log(path, skip_bad_rows=True)
    assert len(log.events) == 6 and log.cases == 3
    assert log.events.groupby("activity").size().to_dict() == {"a": 3, "b": 3}
    assert any("skipped 2 of 8 rows" in n and "duplicate" in n for n in log.notes)
    # Rows that differ in any column are not duplicates (the same step done twice).
    again = rows[1].replace("ann", "bob")
    assert len(read_log(write(tmp_path, "\n".join([HEADER, *rows, again]) + "\n")).events) == 7


def test_a_garbage_csv_gives_a_short_message(tmp_path: Path) -> None:
    """Three 40 kB "column names": every echoed value is clipped (the message was 120 kB)."""
    path = write(tmp_path, ("x" * 40_000 + ",") * 3 + "\n" + "y,z,w,v\n" * 5)
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    text = str(err.value)
    assert "column 'case_id': missing" in text
    assert len(text) < 3_000, len(text)
    assert max(len(run) for run in text.split("...")) < 400


def test_mixed_naive_and_zoned_timestamps_get_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\n1,a,2024-03-01T08:00:00+01:00,2024-03-01T09:00:00+01:00,ann"
        + "\n2,a,2024-03-01T08:00:00,2024-03-01T09:00:00Z,bob"
        + "\n3,a,2024-03-01 08:00,2024-03-01T09:00:00+0000,bob\n",
    )
    notes = read_log(path, timezone="Europe/Amsterdam").notes
    mixed = [n for n in notes if "mixes timestamps" in n]
    # start_time: one zoned, two naive; end_time has an offset everywhere (Z, +0000 too).
    assert len(mixed) == 1 and "column 'start_time'" in mixed[0]
    assert "(1)" in mixed[0] and "(2," in mixed[0] and "Europe/Amsterdam" in mixed[0]
    plain = write(tmp_path, HEADER + "\n1,a,2024-03-01,2024-03-01 10:00,ann\n", "plain.csv")
    assert not [n for n in read_log(plain).notes if "mixes" in n]


def test_a_folder_is_reported_as_a_folder(tmp_path: Path) -> None:
    write(tmp_path, HEADER + "\n", "events.csv")
    with pytest.raises(LogFormatError) as err:
        read_log(tmp_path)
    text = str(err.value)
    assert "is a folder" in text and "no such file" not in text
    assert f"log={tmp_path / 'events.csv'}" in text


def _bomb(tmp_path: Path, rows: int, name: str = "bomb.csv.gz") -> Path:
    path = tmp_path / name
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        fh.write("1,a,2024-03-01T08:00:00,2024-03-01T09:00:00,ann\n" * rows)
    return path


def test_a_compressed_log_past_the_bounds_is_refused_naming_the_bound(tmp_path: Path) -> None:
    """A small .csv.gz expanding to many copies of one row (a gzip bomb, scaled down):
    reading stops at the bound and the message names it and how to raise it."""
    path = _bomb(tmp_path, 50_000)  # about 2.5 MB of text in a few kB
    assert path.stat().st_size < 50_000
    with pytest.raises(LogFormatError) as err:
        read_log(path, limits=ReadLimits(max_rows=10_000))
    assert "more than 10,000 events (the max_rows bound)" in str(err.value)
    assert "max_rows=40000" in str(err.value)
    with pytest.raises(LogFormatError) as err:
        read_log(path, limits=ReadLimits(max_bytes=100_000))
    assert "more than 100,000 bytes of text after decompression (the max_bytes bound)" in str(
        err.value
    )
    # Within the bounds it is read (and its 50,000 identical rows are duplicates).
    with pytest.raises(LogFormatError, match="exact duplicate of an earlier row in 49,999"):
        read_log(path, limits=ReadLimits(max_rows=60_000))


def test_a_line_without_breaks_stops_at_the_byte_bound(tmp_path: Path) -> None:
    path = tmp_path / "one_line.csv.gz"
    path.write_bytes(gzip.compress(b"x" * 3_000_000))
    with pytest.raises(LogFormatError, match="max_bytes bound"):
        read_log(path, limits=ReadLimits(max_bytes=1_000_000))
    with pytest.raises(LogFormatError, match="max_bytes bound"):  # uncompressed: at once
        read_log(write(tmp_path, "y" * 2_000), limits=ReadLimits(max_bytes=1_000))


def test_an_xes_log_past_the_bounds_is_refused(tmp_path: Path) -> None:
    trace = XES.split("<trace>")[1].split("</trace>")[0]
    body = XES.split("<trace>")[0] + ("<trace>" + trace + "</trace>") * 2_000 + "</log>\n"
    path = tmp_path / "many.xes.gz"
    path.write_bytes(gzip.compress(body.encode()))
    assert len(read_log(path, skip_bad_rows=True).events) == 2  # 2,000 identical traces
    with pytest.raises(LogFormatError, match=r"more than 1,000 events \(the max_rows bound"):
        read_log(path, limits=ReadLimits(max_rows=1_000))
    with pytest.raises(LogFormatError, match="max_bytes bound"):
        read_log(path, limits=ReadLimits(max_bytes=50_000))
