"""YAML scalars for a fitted config: numbers, names and distributions that read back as written.

Used by the YAML writer's sections (:mod:`procsim.mining.yaml_writer`,
:mod:`procsim.mining.yaml_process`, :mod:`procsim.mining.yaml_staffing`): a hand-written config
writes ``mean: 0.52`` and ``role: clerk``, not ``mean: 0.5200000001`` or ``role: 'clerk'``; a
name YAML (or OmegaConf, which Hydra loads configs with) would read as something else is quoted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import yaml

from procsim.mining.durations import DurationFit


def number(x: float) -> str:
    """4 significant digits, no exponent for ordinary sizes.

    Parameters
    ----------
    x
        Any float; NaN and infinities are written as 0.

    Returns
    -------
    str
    """
    if x == 0 or not math.isfinite(x):
        return "0"
    if abs(x) < 1e-4:
        return f"{x:.3e}"  # always with a dot: YAML reads 1e-05 as text, 1.000e-05 as a number
    text = f"{x:.4g}"
    if "e" in text:
        text = f"{x:.1f}"
    return text


def scalar(value: Any) -> str:
    """A value as YAML flow text: booleans, numbers, text, and lists and mappings of them.

    Parameters
    ----------
    value
        The value.

    Returns
    -------
    str
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in value.items()) + "}"
    return string(str(value))


def string(text: str) -> str:
    """A YAML scalar: plain when YAML reads it back as this very text, else double-quoted
    (JSON strings are valid YAML): "-5", "1e5", "yes" or "null" are quoted.

    Parameters
    ----------
    text
        The text.

    Returns
    -------
    str
    """
    # Starting with a letter: OmegaConf (which Hydra loads configs with) reads "1e5" as a
    # number where PyYAML does not.
    plain = text and (text[0].isalpha() or text[0] == "_")
    plain = plain and all(c.isalnum() or c in "_-" for c in text)
    if plain and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def distribution(fit: DurationFit | None, constant: float) -> str:
    """A fitted duration as the config's distribution mapping.

    Parameters
    ----------
    fit
        The fit (None: too few values were seen to fit one).
    constant
        The value of the constant duration written without a fit.

    Returns
    -------
    str
    """
    if fit is None:
        return scalar({"dist": "constant", "value": constant})
    return scalar(dict(fit.chosen.spec))


def printable(line: str) -> str:
    """Control and other non-printable characters (from activity names in comments) as
    escapes: YAML refuses them raw. Inside a double-quoted string the escape means the same
    character again.

    Parameters
    ----------
    line
        A line of the config.

    Returns
    -------
    str
    """
    if line.isprintable():
        return line
    return "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        for c in line
    )
