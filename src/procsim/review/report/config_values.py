"""Values out of resolved configs and ``run.json``, read leniently and written as short text.

The bottom of the report's content: :mod:`~procsim.review.report.what_changed`,
:mod:`~procsim.review.report.run_folder` and the sections read configs through these (a
missing or ``null`` entry reads as empty), and write config values as the analyst wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: What the report writes for nothing: an absent value, a stage a scenario removed.
DASH = "—"


def mapping(value: Any) -> dict[str, Any]:
    """``value`` as a mapping with text keys; anything else (``None``, a list) as empty."""
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def section(config: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A section of a config (``process``, ``run``, ...), empty when it is missing."""
    return mapping(config.get(key))


def present_entries(value: Any) -> dict[str, Any]:
    """Entries of a mapping that a scenario did not remove (``null``)."""
    return {k: v for k, v in mapping(value).items() if v is not None}


def as_text(value: Any) -> str:
    """A config value as short text (``—`` for nothing)."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {as_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(as_text(v) for v in value) + "]"
    return str(value)
