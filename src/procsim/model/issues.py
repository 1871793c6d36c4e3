"""The issue collector shared by the validation modules.

Validation walks a config and, instead of stopping at the first problem, collects every issue
(path, what was expected, what was found, hint) so that the analyst fixes them in one go.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from procsim.errors import Issue, did_you_mean
from procsim.model.units import parse_time


class Collector:
    """Accumulates issues while walking a config."""

    def __init__(self, provenance: Mapping[str, str] | None = None) -> None:
        self.issues: list[Issue] = []
        self.provenance = dict(provenance or {})

    def add(
        self, path: str, message: str, expected: str = "", got: str = "", hint: str = ""
    ) -> None:
        self.issues.append(Issue(path, message, expected, got, hint))

    def unknown(
        self, path: str, message: str, choices: Collection[str], got: str, value: object
    ) -> None:
        """Report a value that is none of ``choices``: list them, hint at the closest one."""
        self.add(
            path, message, "one of " + ", ".join(choices), got, did_you_mean(str(value), choices)
        )

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: bool = True,
        allowed: tuple[str, ...] | None = None,
        example: str = "",
    ) -> dict[str, Any]:
        """Check a mapping (and its keys); return it, or {} when it is not one."""
        if value is None:
            if required:
                self.add(
                    path,
                    "missing",
                    "a mapping" + (f" such as {example}" if example else ""),
                    "nothing",
                )
            return {}
        if not isinstance(value, Mapping):
            self.add(
                path,
                "must be a mapping",
                "a mapping" + (f" such as {example}" if example else ""),
                f"{type(value).__name__} {short(value)}",
            )
            return {}
        out = {str(k): v for k, v in value.items()}
        if allowed is not None:
            for key in out:
                if key not in allowed:
                    self.unknown(f"{path}.{key}", "unknown key", allowed, repr(key), key)
        return out

    def entries(
        self, value: object, section: str, *, allowed: tuple[str, ...], example: str
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """The named entries of an optional section such as ``sla``: ``(name, path, entry)``.

        An entry set to null (removed by a scenario) is skipped, and so is one that is empty or
        not a mapping (the latter reported by :meth:`mapping`, as is the section itself).
        """
        for name, spec in self.mapping(value, section, required=False).items():
            if spec is None:
                continue
            path = f"{section}.{name}"
            entry = self.mapping(spec, path, allowed=allowed, example=example)
            if entry:
                yield name, path, entry

    def number(
        self,
        value: object,
        path: str,
        *,
        minimum: float | None = None,
        strict: bool = False,
        integer: bool = False,
        time_unit: str | None = None,
        what: str = "a number",
        hint: str = "",
    ) -> float | None:
        """Check a number (or a time string when ``time_unit`` is given) against a minimum.

        ``hint`` goes with every problem found (the valid range or format, an example).
        """
        if isinstance(value, str) and not value.strip():
            # `run.replications=` on the command line: say so rather than "not a number ''".
            self.add(path, "empty value", what, "nothing", hint or "give a value")
            return None
        number: float | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and time_unit is not None:
            try:
                number = parse_time(value, time_unit)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            expected = what + (" or a time such as '24h'" if time_unit else "")
            got = f"{type(value).__name__} {short(value)}"
            self.add(path, "not a valid number", expected, got, hint)
            return None
        if integer and not float(number).is_integer():
            self.add(path, "must be a whole number", "an integer", short(value), hint)
            return None
        if minimum is not None and (number < minimum or (strict and number == minimum)):
            op = ">" if strict else ">="
            self.add(
                path,
                f"out of range ({op} {minimum:g} required)",
                f"{what} {op} {minimum:g}",
                short(value),
                hint,
            )
            return None
        return number

    def text(self, value: object, path: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            self.add(path, "must be text", "a string", f"{type(value).__name__} {short(value)}")
            return default
        return value


def short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
