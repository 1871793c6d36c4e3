"""Reading a distribution from a config: ``{dist: lognormal, mean: 30, cv: 0.7}`` -> Distribution.

Used by validation wherever a config gives a duration, an inter-arrival time, a patience or a
handoff delay. Checks the spec's shape, the family's name (or alias) and its parameter names,
converts times written with a unit (``"30min"``) to the process time unit, and hands the
numbers to the family in :mod:`procsim.model.distribution_families`, which checks their domain
and builds the :class:`~procsim.model.distribution_families.Distribution`. Every problem is
appended to the caller's issues; nothing is raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from procsim.errors import Issue, did_you_mean
from procsim.model.distribution_families import ALIASES, FAMILIES, Distribution, Family
from procsim.model.units import parse_time

#: Parameters that are times (converted from ``"30min"``-style strings to the process unit).
_TIME_PARAMS = {"value", "mean", "low", "mode", "high", "sd", "scale"}


def parse_distribution(
    spec: object, path: str, unit: str, issues: list[Issue]
) -> Distribution | None:
    """Build a :class:`Distribution` from a config mapping, appending problems to ``issues``.

    Parameters
    ----------
    spec
        The mapping from the config, e.g. ``{"dist": "gamma", "mean": 4, "cv": 0.5}``. A bare
        number or time string is read as a constant.
    path
        Config path of the mapping, used in messages.
    unit
        The process time unit: time-valued parameters given as ``"30min"`` are converted to it.
    issues
        Problems found are appended here; nothing is raised.

    Returns
    -------
    Distribution or None
        None when the spec has problems (they are in ``issues``).
    """
    if isinstance(spec, int | float | str) and not isinstance(spec, bool):
        try:
            return parse_distribution({"dist": "constant", "value": spec}, path, unit, issues)
        except ValueError:
            pass
    if not isinstance(spec, Mapping):
        issues.append(
            Issue(
                path,
                "a distribution must be a mapping",
                "e.g. " + FAMILIES["lognormal"].help,
                f"{type(spec).__name__} {spec!r}",
            )
        )
        return None
    found = _family(spec.get("dist"), path, issues)
    if found is None:
        return None
    family_name, family = found
    given = {k: v for k, v in spec.items() if k != "dist"}
    if not _parameter_names_fit(given, family_name, family, path, issues):
        return None
    params = _parameter_values(given, path, unit, issues)
    if params is None:
        return None
    return _build_with_finite_moments(family, params, given, path, issues)


def _family(name: object, path: str, issues: list[Issue]) -> tuple[str, Family] | None:
    """The family named by ``dist`` (an alias such as ``exponential`` counts), with its name."""
    if name is None:
        issues.append(
            Issue(
                f"{path}.dist",
                "missing the distribution family",
                "one of " + ", ".join(FAMILIES),
                "nothing",
                "add e.g. dist: expon",
            )
        )
        return None
    family_name = ALIASES.get(str(name).lower(), str(name).lower())
    family = FAMILIES.get(family_name)
    if family is None:
        issues.append(
            Issue(
                f"{path}.dist",
                f"unknown distribution '{name}'",
                "one of " + ", ".join(FAMILIES),
                repr(name),
                did_you_mean(str(name), [*FAMILIES, *ALIASES]),
            )
        )
        return None
    return family_name, family


def _parameter_names_fit(
    given: dict[Any, Any], family_name: str, family: Family, path: str, issues: list[Issue]
) -> bool:
    """No parameter the family does not know, and every one it needs (all reported)."""
    allowed = set(family.required) | set(family.optional)
    ok = True
    for key in given:
        if key not in allowed:
            issues.append(
                Issue(
                    f"{path}.{key}",
                    f"unknown parameter for {family_name}",
                    "parameters " + ", ".join(sorted(allowed)),
                    repr(key),
                    did_you_mean(key, allowed),
                )
            )
            ok = False
    for key in family.required:
        if key not in given or given[key] is None:
            issues.append(
                Issue(
                    f"{path}.{key}",
                    f"missing parameter '{key}' for {family_name}",
                    "e.g. " + family.help,
                    "nothing",
                )
            )
            ok = False
    return ok


def _parameter_values(
    given: dict[Any, Any], path: str, unit: str, issues: list[Issue]
) -> dict[str, Any] | None:
    """The parameters as numbers in the process time unit (None at the first bad one)."""
    params: dict[str, Any] = {}
    for key, value in given.items():
        if key == "values":
            params[key] = _parse_values(value, f"{path}.values", unit, issues)
            if params[key] is None:
                return None
        elif key == "interpolate":
            if not isinstance(value, bool):
                issues.append(
                    Issue(f"{path}.interpolate", "must be true or false", "a boolean", repr(value))
                )
                return None
            params[key] = value
        else:
            number = _number(value, key in _TIME_PARAMS and key != "cv", unit)
            if number is None or not math.isfinite(number):
                issues.append(
                    Issue(
                        f"{path}.{key}",
                        f"{key} must be a finite number",
                        "a number" + (" or a time like '30min'" if key in _TIME_PARAMS else ""),
                        repr(value),
                    )
                )
                return None
            params[key] = number
    return params


def _build_with_finite_moments(
    family: Family,
    params: dict[str, Any],
    given: dict[Any, Any],
    path: str,
    issues: list[Issue],
) -> Distribution | None:
    """The family's distribution, or None when its domain checks fail or its moments overflow."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            dist = family.build(params, path, issues)
        usable = dist is None or (math.isfinite(dist.mean) and math.isfinite(dist.var))
    except (OverflowError, ZeroDivisionError):
        usable = False
    if not usable:
        # Parameters like 1e308 pass the domain checks but overflow in the moments.
        issues.append(
            Issue(
                path,
                "parameters give a distribution with no finite mean and variance",
                "parameters of a realistic size, e.g. " + family.help,
                ", ".join(f"{k}={v!r}" for k, v in given.items()),
            )
        )
        return None
    return dist


def _number(value: object, is_time: bool, unit: str) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if is_time and isinstance(value, str):
        try:
            return parse_time(value, unit)
        except ValueError:
            return None
    return None


def _parse_values(value: object, path: str, unit: str, issues: list[Issue]) -> list[float] | None:
    if not isinstance(value, list | tuple):
        issues.append(
            Issue(
                path,
                "values must be a list of observed durations",
                "a list such as [3, 5, 4]",
                type(value).__name__,
            )
        )
        return None
    out: list[float] = []
    for i, item in enumerate(value):
        number = _number(item, True, unit)
        if number is None or not math.isfinite(number):
            issues.append(Issue(f"{path}[{i}]", "not a number", "a number", repr(item)))
            return None
        out.append(number)
    return out
