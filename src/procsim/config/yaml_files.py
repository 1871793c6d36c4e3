"""Reading the analyst's YAML files as data, never as code.

Sits at the bottom of configuration: scenario and experiment files, the process files named
in hints and a saved run's resolved configs (:mod:`procsim.study.reproduce`) are read through
:func:`load_yaml`, so that a broken file is reported with its name and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from procsim.errors import ProcsimError


def load_yaml(path: Path) -> Any:
    """Read a YAML file as data (never code); errors name the file and line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ProcsimError(
            f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}). Hint: "
            "check indentation and quotes around values with ':'"
        ) from None
    except OSError as exc:
        raise ProcsimError(f"{path}: cannot read ({exc.strerror})") from None
