"""Named experiments: ``experiment=NAME`` -> the study's own command-line arguments.

Sits at the start of the command line (:mod:`procsim.cli.prepare`), before the overrides are
checked: an experiment file (``experiments/<name>.yaml``) names a process, overrides and a
sweep, and they are put in front of the analyst's own arguments, which win.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from procsim.config.workspace import Workspace
from procsim.config.yaml_files import load_yaml
from procsim.errors import Issue, ModelError, did_you_mean

EXPERIMENT_KEYS = ("description", "process", "overrides", "sweep")


def expand_experiment(workspace: Workspace, name: str, args: Sequence[str]) -> list[str]:
    """Command-line arguments of named study ``name`` (``experiments/<name>.yaml``).

    The study's process, overrides and sweep come first; the analyst's own arguments follow
    and win where they name the same key. A study with a ``sweep`` runs as a multirun.
    """
    own, swept = _experiment_arguments(workspace, name)
    user_keys = {a.partition("=")[0].lstrip("+~") for a in args if "=" in a}
    run_length = {"run.horizon", "run.cases"}
    if user_keys & run_length:
        # A run length given by the analyst replaces the study's, whichever of the two it is.
        user_keys |= run_length
    own = [a for a in own if a.partition("=")[0].lstrip("+~") not in user_keys]
    multirun = bool(swept) and not any(a in ("-m", "--multirun") for a in args)
    return (["--multirun"] if multirun else []) + own + list(args)


def _experiment_arguments(workspace: Workspace, name: str) -> tuple[list[str], list[str]]:
    """The arguments experiment ``name`` gives (process, overrides, sweep), and its sweep's.

    Raises
    ------
    ModelError
        When there is no such experiment, or every problem of its file.
    """
    path = workspace.experiments / f"{name}.yaml"
    if not path.is_file():
        known = workspace.experiment_names()
        raise ModelError(
            [Issue("experiment", f"unknown experiment '{name}'",
                   f"a file {workspace.experiments}/<name>.yaml", repr(name),
                   did_you_mean(name, known) if known else f"create {path}")],
            "the command line",
        )  # fmt: skip
    data = load_yaml(path)
    issues: list[Issue] = []
    if not isinstance(data, Mapping):
        raise ModelError([Issue(str(path), "an experiment must be a mapping",
                                ", ".join(EXPERIMENT_KEYS), type(data).__name__)],
                         f"experiment '{name}'")  # fmt: skip
    for key in data:
        if key not in EXPERIMENT_KEYS:
            issues.append(
                Issue(
                    f"{path.name}: {key}",
                    "unknown key",
                    ", ".join(EXPERIMENT_KEYS),
                    repr(key),
                    did_you_mean(str(key), EXPERIMENT_KEYS),
                )
            )
    overrides = _overrides(path, data, issues)
    swept = _swept(path, data, issues)
    if issues:
        raise ModelError(issues, f"experiment '{name}' ({path})")
    process = data.get("process")
    own = ([f"process={process}"] if process else []) + list(overrides) + swept
    return own, swept


def _overrides(path: Path, data: Mapping[str, Any], issues: list[Issue]) -> list[str]:
    """The experiment's ``overrides`` (none when they are not a list of strings: an issue)."""
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        issues.append(
            Issue(
                f"{path.name}: overrides",
                "must be a list of key=value strings",
                "e.g. [run.replications=10]",
                repr(overrides),
            )
        )
        overrides = []
    return overrides


def _swept(path: Path, data: Mapping[str, Any], issues: list[Issue]) -> list[str]:
    """The experiment's ``sweep`` as sweep overrides (``key=a,b,c``); problems into ``issues``."""
    sweep = data.get("sweep") or {}
    if not isinstance(sweep, Mapping):
        issues.append(
            Issue(
                f"{path.name}: sweep",
                "must map a key to its values",
                "e.g. {staffing.reviewer: [1, 2, 3]}",
                repr(sweep),
            )
        )
        sweep = {}
    swept = []
    for key, values in sweep.items():
        items = values if isinstance(values, list) else str(values).split(",")
        if not items:
            issues.append(Issue(f"{path.name}: sweep.{key}", "no values", "a list", "[]"))
            continue
        swept.append(f"{key}=" + ",".join(str(v).strip() for v in items))
    return swept
