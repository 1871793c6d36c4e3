"""Resolving a study: Hydra's composed config -> the current process and each redesign.

Sits after composition (:mod:`procsim.config.hydra_compose`) and feeds a
:class:`~procsim.config.composed_study.Study` to the study. Each redesign stacks its scenario
diffs (:mod:`procsim.config.scenario_diff`) on the current process in order; the command-line
overrides on model keys are applied again after them, so they win over the scenario as well
as over the process.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from procsim.config.composed_study import Study
from procsim.config.dotted_keys import has_path, is_removed, remove_path, set_path
from procsim.config.scenario_diff import apply_diff, edges_as_mappings
from procsim.config.scenario_files import compare_list, read_scenario, scenario_list
from procsim.config.workspace import Workspace, find_workspace
from procsim.errors import Issue, ModelError
from procsim.model.process import BASELINE
from procsim.model.validate import MODEL_SECTIONS, unknown_top_level_keys


def resolve_study(
    config: Mapping[str, Any],
    overrides: Sequence[str] = (),
    workspace: Workspace | None = None,
    *,
    check_keys: bool = True,
) -> Study:
    """Turn a composed config into a :class:`Study`.

    Parameters
    ----------
    config
        Plain mapping (Hydra's composed config as a container) with the model sections, ``run``,
        ``scenario`` (a name or list of names to stack into one redesign) and ``compare`` (a list
        of redesigns, each a name or ``a+b`` stack, each compared with the current process).
    overrides
        Command-line overrides; those on model keys are applied again after the scenarios.
    workspace
        Where scenarios live (found from the working directory by default).
    check_keys
        Report unknown top-level keys (off when the caller has reported them already).

    Notes
    -----
    ``redesign_only`` (set by :func:`procsim.config.override_checks.check_overrides`) lists
    override keys that only the scenarios define: they are taken out of the current process and
    reach only the redesigns that have them.
    """
    workspace = workspace or find_workspace()
    unknown = unknown_top_level_keys(config) if check_keys else []
    if unknown:
        # A misspelt section (slas for sla) would otherwise be dropped without a word.
        raise ModelError(unknown, "the composed configuration")
    base = {
        key: copy.deepcopy(config.get(key))
        for key in (*MODEL_SECTIONS, "run")
        if config.get(key) is not None
    }
    changes = model_overrides(overrides)  # parsed once, used for every redesign
    _run_length_from_command_line(base, changes)
    only = [str(k) for k in config.get("redesign_only") or []]
    for key in only:
        remove_path(base, key)
    names = scenario_list(config.get("scenario"))
    redesigns = ([names] if names else []) + compare_list(config.get("compare"))
    study = Study(
        configs={BASELINE: base},
        scenarios=names,
        overrides=list(overrides),
        descriptions={BASELINE: str((base.get("process") or {}).get("description", "") or "")},
        rank_by=str(config.get("rank_by") or "cycle_time_mean"),
    )
    issues: list[Issue] = []
    for stack in redesigns:
        label = "+".join(stack)
        if label in study.configs:
            issues.append(
                Issue("compare", f"'{label}' is listed twice", "each redesign once", label)
            )
            continue
        proposed, provenance, description = _redesign(base, stack, changes, workspace, issues, only)
        study.configs[label] = proposed
        study.provenance[label] = provenance
        study.descriptions[label] = description
    if issues:
        raise ModelError(list(dict.fromkeys(issues)), "the scenarios")
    return study


def model_overrides(overrides: Sequence[str]) -> list[tuple[str, Any, bool]]:
    """The command-line overrides that change the model: ``(key, value, delete)``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    out = []
    for o in parsed:
        key = o.key_or_group
        if (
            "." not in key
            or key.split(".")[0] not in (*MODEL_SECTIONS, "run")
            or o.is_sweep_override()
        ):
            continue
        out.append((key, None if o.is_delete() else o.value(), o.is_delete()))
    return out


def _run_length_from_command_line(
    base: dict[str, Any], changes: Sequence[tuple[str, Any, bool]]
) -> None:
    """Let ``run.cases`` on the command line replace a file's ``run.horizon``, and vice versa.

    Hydra merges the command line into the process file, so ``run.cases=5000`` on a process
    that sets ``run.horizon`` would give both. The command line wins, as it does for every
    other setting; both on the command line (or both in one file) stay an error.
    """
    given = {key for key, value, delete in changes if value is not None}
    given &= {"run.horizon", "run.cases"}
    if len(given) == 1 and isinstance(base.get("run"), dict):
        other = "horizon" if given == {"run.cases"} else "cases"
        base["run"].pop(other, None)


def _redesign(
    base: dict[str, Any],
    names: list[str],
    changes: Sequence[tuple[str, Any, bool]],
    workspace: Workspace,
    issues: list[Issue],
    redesign_only: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, str], str]:
    """Apply stacked scenario diffs to the current process, then the command line's
    ``changes`` (from :func:`model_overrides`) again."""
    process_name = str((base.get("process") or {}).get("name", "process"))
    proposed: Any = edges_as_mappings(copy.deepcopy(base))
    provenance: dict[str, str] = {}
    descriptions = []
    for name in names:
        scenario = read_scenario(workspace, name)
        if scenario["redesigns"] != process_name:
            issues.append(
                Issue(
                    "scenario",
                    f"scenario '{name}' redesigns process "
                    f"'{scenario['redesigns']}', but the current process is "
                    f"'{process_name}'",
                    f"process={scenario['redesigns']}",
                    f"process={process_name}",
                    f"drop process=... (procsim picks the scenario's process) or "
                    f"use a scenario of {process_name}",
                )
            )
            continue
        descriptions.append(" ".join(str(scenario.get("description", "")).split()))
        diff = {k: v for k, v in scenario.items() if k in (*MODEL_SECTIONS, "run")}
        proposed = apply_diff(proposed, diff, scenario=name, provenance=provenance, issues=issues)
    absent = {key for key in redesign_only if not has_path(proposed, key)}
    for key, value, delete in changes:
        if is_removed(proposed, key):
            continue  # the redesign removed this stage or role: the override has no object
        if key in absent:
            continue  # defined by another scenario of the study, not by this redesign
        set_path(proposed, key, value, delete)
        provenance.pop(key, None)
    return proposed, provenance, " / ".join(d for d in descriptions if d)
