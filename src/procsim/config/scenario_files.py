"""The scenarios a study names: reading scenario files, and the ``scenario=``/``compare=`` lists.

Sits between the workspace (:mod:`procsim.config.workspace`, where the files are) and the
steps that use them: resolving a study (:mod:`procsim.config.resolve`), checking overrides
(:mod:`procsim.config.override_checks`) and picking the current process a scenario redesigns
(:func:`implied_process`, for :func:`procsim.config.compose.compose` and the command line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procsim.config.workspace import Workspace
from procsim.config.yaml_files import load_yaml
from procsim.errors import Issue, ModelError, did_you_mean
from procsim.model.validate import MODEL_SECTIONS

SCENARIO_KEYS = ("description", "redesigns", *MODEL_SECTIONS, "run")


def read_scenario(workspace: Workspace, name: str) -> dict[str, Any]:
    """Load and shape-check scenario ``name``."""
    path = workspace.scenario_file(name)
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise ModelError(
            [
                Issue(
                    str(path),
                    "a scenario must be a mapping",
                    "description, redesigns and the sections it changes",
                    type(data).__name__,
                )
            ],
            f"scenario '{name}'",
        )
    issues = [
        Issue(
            f"{path.name}: {key}",
            "unknown top-level key",
            ", ".join(SCENARIO_KEYS),
            repr(key),
            did_you_mean(str(key), SCENARIO_KEYS),
        )
        for key in data
        if key not in SCENARIO_KEYS
    ]
    if not isinstance(data.get("redesigns"), str):
        issues.append(
            Issue(
                f"{path.name}: redesigns",
                "a scenario names the current process it redesigns",
                "a process name",
                repr(data.get("redesigns")),
                "add e.g. redesigns: approval_chain",
            )
        )
    if issues:
        raise ModelError(issues, f"scenario '{name}' ({path})")
    return dict(data)


def scenario_list(value: Any) -> list[str]:
    """Normalize ``scenario=`` (None, a name, or a list of names) to a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ModelError(
        [
            Issue(
                "scenario",
                "not a scenario name or list of names",
                "scenario=name or scenario=[a,b]",
                repr(value),
            )
        ],
        "the command line",
    )


def compare_list(value: Any) -> list[list[str]]:
    """Normalize ``compare=`` (None, a name, or a list of names or ``a+b`` stacks)."""
    if value is None or value == "" or value == []:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, str) for v in items):
        raise ModelError(
            [
                Issue(
                    "compare",
                    "not a list of redesigns",
                    "compare=[a,b] or compare=[a,a+b]",
                    repr(value),
                )
            ],
            "the command line",
        )
    return [[part.strip() for part in item.split("+") if part.strip()] for item in items]


def listed_names(text: str) -> list[str]:
    """The names in one value of a ``scenario=``/``compare=`` sweep, as Hydra gives it as text
    (``a`` or ``[a,b]``)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [part.strip() for part in text[1:-1].split(",") if part.strip()]
    return [text] if text else []


def implied_process(workspace: Workspace, names: Sequence[str]) -> str | None:
    """The current process the given scenarios redesign (None without scenarios)."""
    processes = {read_scenario(workspace, n)["redesigns"] for n in names}
    if len(processes) > 1:
        raise ModelError(
            [
                Issue(
                    "scenario",
                    "the scenarios redesign different processes",
                    "scenarios of one process",
                    ", ".join(sorted(processes)),
                    "run them separately, one process at a time",
                )
            ],
            "the command line",
        )
    return processes.pop() if processes else None
