"""Bounds on what an event log may make procsim read: rows, and bytes after decompression.

Used by the readers of :mod:`procsim.mining.log_files` and :mod:`procsim.mining.xes_file`: a
file is read through :class:`CountingStream`, which stops as soon as more bytes came out of it
(after gzip) than ``max_bytes``, and the readers count rows as they go, stopping past
``max_rows``. A gzip bomb (a small ``.csv.gz`` that expands to gigabytes of one repeated row)
therefore ends in a message naming the bound, with the memory used bounded by it, instead of
exhausting the machine. Both bounds are options of the log commands (``max_rows=``,
``max_bytes=``), with defaults far above real event logs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import IO

#: Default bounds: the largest public event logs have a few million events.
MAX_ROWS = 5_000_000
MAX_BYTES = 2_000_000_000

_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


@dataclass(frozen=True)
class ReadLimits:
    """How much of a log file may be read.

    Attributes
    ----------
    max_rows
        Events (CSV rows, XES events) at most.
    max_bytes
        Bytes of text at most, counted after decompression.
    """

    max_rows: int = MAX_ROWS
    max_bytes: int = MAX_BYTES


class LimitReachedError(Exception):
    """Raised inside a reader when a bound is passed; the caller turns it into a message."""

    def __init__(self, setting: str, bound: int) -> None:
        super().__init__(f"{setting}={bound}")
        self.setting = setting
        self.bound = bound


class CountingStream(io.RawIOBase):
    """A binary stream that raises :class:`LimitReachedError` once more than ``limit`` bytes
    have been read from it (for a ``.gz`` file: bytes after decompression)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # Never ask for more than one byte past the limit: a bomb stops where it passes it.
        view = memoryview(buffer)
        room = max(self._limit - self.count + 1, 1)
        data = self._raw.read(min(len(view), room))
        n = len(data)
        view[:n] = data
        self.count += n
        if self.count > self._limit:
            raise LimitReachedError("max_bytes", self._limit)
        return n


def parse_bound(text: str) -> int | None:
    """A bound written by an analyst: ``5000000``, ``5_000_000``, ``5M``, ``2G``, ``500MB``,
    ``1GiB``; None when it is none of these or not positive.

    Parameters
    ----------
    text
        The option's value.

    Returns
    -------
    int or None
    """
    match = re.fullmatch(
        r"\s*(\d[\d_,]*(?:\.\d+)?)\s*([kKmMgG]i?)?[bB]?\s*", text or "", flags=re.ASCII
    )
    if not match:
        return None
    number = float(match.group(1).replace("_", "").replace(",", ""))
    value = int(number * _UNITS[(match.group(2) or "").lower()])
    return value if value >= 1 else None


def limit_message(setting: str, bound: int, what: str) -> tuple[str, str, str]:
    """What to say when a bound is passed: the message, what was expected, and the hint.

    Parameters
    ----------
    setting
        ``max_rows`` or ``max_bytes``.
    bound
        Its value.
    what
        What the file is (``CSV``, ``XES``), for the message.

    Returns
    -------
    tuple of str
    """
    if setting == "max_rows":
        message = f"has more than {bound:,} events (the {setting} bound); nothing was fitted"
        expected = f"at most {setting}={bound:,} {what} rows"
    else:
        message = (
            f"holds more than {bound:,} bytes of text after decompression (the {setting} "
            "bound); nothing was fitted"
        )
        expected = f"at most {setting}={bound:,} bytes"
    hint = (
        f"if the log is really this large, raise the bound ({setting}=<larger>, e.g. "
        f"{setting}={bound * 4}) on a machine with the memory for it; a small compressed "
        "file that expands this much is more likely damaged or a decompression bomb"
    )
    return message, expected, hint
