"""Scenario diffs: how a scenario file changes the config of its current process.

Sits between reading a scenario (:mod:`procsim.config.scenario_files`) and resolving a study
(:mod:`procsim.config.resolve`), which stacks the diffs of a redesign in order. A scenario is a
diff on its current process: mappings merge by key, scalars and lists replace, ``null``
removes a stage, a role or an edge, and a mapping with ``dist`` replaces a whole distribution.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from procsim.errors import Issue, did_you_mean


def apply_diff(
    base: Any,
    diff: Any,
    *,
    scenario: str,
    path: str = "",
    provenance: dict[str, str],
    issues: list[Issue],
) -> Any:
    """Apply a scenario diff to a config (see the module docstring for the rules)."""
    if not isinstance(diff, Mapping) or not isinstance(base, Mapping):
        provenance[path] = scenario
        return copy.deepcopy(diff)
    if "dist" in diff:
        provenance[path] = scenario
        return copy.deepcopy(dict(diff))
    out = dict(base)
    for key, value in diff.items():
        sub = f"{path}.{key}" if path else str(key)
        if value is None:
            if key not in out or out[key] is None:
                issues.append(
                    Issue(
                        sub,
                        f"scenario '{scenario}' removes something that does not exist",
                        "an existing key",
                        repr(key),
                        did_you_mean(str(key), [k for k, v in out.items() if v is not None]),
                    )
                )
            else:
                out[key] = None
                provenance[sub] = scenario
        elif key in out and isinstance(out[key], Mapping) and isinstance(value, Mapping):
            out[key] = apply_diff(
                out[key], value, scenario=scenario, path=sub, provenance=provenance, issues=issues
            )
        else:
            out[key] = copy.deepcopy(value)
            provenance[sub] = scenario
    return out


def edges_as_mappings(config: dict[str, Any]) -> dict[str, Any]:
    """Write ``next: b`` as ``next: {b: 1.0}`` so that a scenario adding an edge merges with it
    (and a forgotten removal fails validation) instead of silently replacing it."""
    stages = (config.get("process") or {}).get("stages") or {}
    for stage in stages.values():
        if isinstance(stage, dict) and isinstance(stage.get("next"), str):
            stage["next"] = {stage["next"]: 1.0}
    return config
