"""Timestamp columns of an event log: text -> naive datetimes in the log's local time.

Part of the row checks (:mod:`procsim.mining.log_checks`): every value of a start or end
column is parsed (ISO 8601 and the usual export formats), unreadable ones are reported by line
and column, valid dates that procsim cannot hold (before 1678 or after 2261, pandas'
nanosecond range) are told apart from unreadable ones, and a column that mixes timestamps with
and without a UTC offset gets a note, since the two may not mean the same clock. The time zone
option is checked here too (:func:`timezone_issue`), once, as an option.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from procsim.errors import Issue, clip
from procsim.mining.log_problems import Problem, bad_rows

#: Timestamps outside this range cannot be held at nanosecond resolution.
EARLIEST = pd.Timestamp("1678-01-01", tz="UTC")
LATEST = pd.Timestamp("2261-12-31", tz="UTC")
SUPPORTED_RANGE = f"a date from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"


def timezone_issue(timezone: str | None) -> Issue | None:
    """The problem with a ``timezone=`` option, or None when pandas can convert to it.

    Parameters
    ----------
    timezone
        An IANA name (``Europe/Amsterdam``), ``UTC``, or None (no conversion).

    Returns
    -------
    Issue or None
    """
    if timezone is None:
        return None
    try:
        pd.Timestamp("2024-01-01", tz="UTC").tz_convert(timezone)
    except Exception:
        return Issue(
            "timezone",
            "unknown time zone",
            "an IANA name such as Europe/Amsterdam, or UTC",
            repr(clip(timezone)),
            "the names are those of the tz database (Region/City)",
        )
    return None


def parse_times(
    values: pd.Series,
    col: str,
    place: tuple[str, int | None],
    timezone: str | None,
    problems: list[Problem],
    notes: list[str],
    *,
    required: bool = False,
) -> pd.Series:
    """A timestamp column as naive local datetimes; unreadable rows recorded as problems.

    Parameters
    ----------
    values
        The column's text.
    col
        Its name, for messages.
    place
        The file and the line number of its first row (None: XES events).
    timezone
        Convert to this local time (checked beforehand with :func:`timezone_issue`); None:
        offsets are read as UTC and timestamps without one as written.
    problems, notes
        Where bad rows and remarks about the column go.
    required
        Whether every row must have a value (the end column).

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, NaT where the value is missing or bad.
    """
    text = values.astype(str).str.strip()
    blank = (text == "") | text.str.lower().isin(["nan", "nat", "none", "null"])
    # A bare number is no timestamp: "12" would otherwise become the 12th of this month.
    numeric = text.str.fullmatch(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?").fillna(False)
    usable = ~blank & ~numeric
    parsed = pd.to_datetime(text.where(usable), errors="coerce", utc=True, format="mixed")
    in_range = ((parsed >= EARLIEST) & (parsed <= LATEST)).fillna(False)
    outside = (parsed.notna() & ~in_range).to_numpy().copy()
    unread = (parsed.isna() & usable).to_numpy()
    if unread.any():  # pandas 2 cannot parse what it cannot hold: is it a valid date?
        valid = text[unread].map(_iso_date)
        outside[np.flatnonzero(unread)[valid.to_numpy(dtype=bool)]] = True
    parsed = parsed.where(in_range)
    where, offset = place
    bad = (parsed.isna() & ~blank).to_numpy() & ~outside
    if bad.any():
        problems.append(
            bad_rows(
                bad,
                (where, offset, col),
                "not a timestamp",
                "ISO 8601 such as 2024-03-01T09:30:00+01:00",
                repr(clip(text.iloc[int(np.argmax(bad))])),
                "fix or remove those rows",
            )
        )
    if outside.any():
        problems.append(
            bad_rows(
                outside,
                (where, offset, col),
                "a date outside the supported range",
                SUPPORTED_RANGE,
                repr(clip(text.iloc[int(np.argmax(outside))])),
                "placeholder dates (0001-01-01, 9999-12-31) mean 'unknown': remove those rows",
            )
        )
    if required and blank.any():
        problems.append(
            bad_rows(
                blank.to_numpy(),
                (where, offset, col),
                "empty",
                "a completion time in every row",
                "",
                "remove events that never completed",
            )
        )
    notes += _mixed_offsets_note(text[parsed.notna()], col, timezone)
    if timezone is not None:
        parsed = parsed.dt.tz_convert(timezone)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def _iso_date(text: str) -> bool:
    """Whether Python reads ``text`` as an ISO 8601 date or time (years 1 to 9999)."""
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


#: A UTC offset or ``Z`` at the end of a timestamp.
_OFFSET = r"(?:Z|[+-]\d\d(?::?\d\d)?)$"


def _mixed_offsets_note(text: pd.Series, col: str, timezone: str | None) -> list[str]:
    """A note when a column has timestamps with a UTC offset and timestamps without one."""
    if text.empty:
        return []
    # The offset follows a time of day (a date alone, 2024-03-01, has none).
    zoned = text.str.contains(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*" + _OFFSET, regex=True)
    n_zoned = int(zoned.sum())
    if n_zoned in (0, len(text)):
        return []
    naive = len(text) - n_zoned
    first = int(np.argmax(~zoned.to_numpy()))
    read = f"as UTC and converted to {timezone}" if timezone else "as UTC"
    return [
        f"column '{col}' mixes timestamps with a UTC offset ({n_zoned:,}) and without one "
        f"({naive:,}, e.g. {clip(text.iloc[first], 40)!r}): those without were read {read}; "
        "if they are local times, export the log with offsets everywhere"
    ]
