"""Time quantities in the analyst's notation.

Used by validation: durations, horizons and SLA thresholds may be plain numbers (in the
process's time unit) or strings with a unit (``"24h"``, ``"30min"``, ``"4w"``).
"""

from __future__ import annotations

import re

#: Length of each unit in hours.
UNIT_HOURS: dict[str, float] = {
    "seconds": 1 / 3600,
    "minutes": 1 / 60,
    "hours": 1.0,
    "days": 24.0,
    "weeks": 168.0,
}

_ALIASES: dict[str, str] = {
    "s": "seconds", "sec": "seconds", "second": "seconds", "seconds": "seconds",
    "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes", "m": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
}  # fmt: skip

#: Every name of a unit procsim reads (``h``, ``hour``, ``hours``, ...).
UNIT_ALIASES: tuple[str, ...] = tuple(_ALIASES)
_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)\s*([a-zA-Z]+)\s*$")


def canonical_unit(name: str) -> str | None:
    """Return the canonical unit name (``"hours"``) for an alias (``"h"``), or None."""
    return _ALIASES.get(name.strip().lower())


def per_day(unit: str) -> float:
    """How many of ``unit`` make one day (24 for hours)."""
    return 24.0 / UNIT_HOURS[unit]


def parse_time(value: object, unit: str) -> float:
    """Convert a number or a ``"<number><unit>"`` string to a float in ``unit``.

    Raises
    ------
    ValueError
        When the value is neither a number nor a quantity with a known unit.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a time")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _QUANTITY.match(value)
        if match:
            magnitude, alias = match.groups()
            found = canonical_unit(alias)
            if found is None:
                raise ValueError(f"unknown time unit '{alias}'")
            return float(magnitude) * UNIT_HOURS[found] / UNIT_HOURS[unit]
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"not a time: {value!r}")
