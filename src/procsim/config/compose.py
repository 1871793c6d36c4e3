"""Config composition: Hydra's composed config + scenario diffs -> plain per-model mappings.

Sits at the edge with :mod:`procsim.cli.main`; the only modules that import Hydra/OmegaConf. A
scenario is a diff on its current process: mappings merge by key, scalars and lists replace,
``null`` removes a stage, a role or an edge, and a mapping with ``dist`` replaces a whole
distribution. Scenarios stack in order; command-line overrides are applied again after them,
so they win over the scenario as well as over the process.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from procsim.config.workspace import Workspace, find_workspace
from procsim.errors import Issue, ModelError, ProcsimError, did_you_mean
from procsim.model.process import BASELINE, INTERNAL_RUN_FIELDS, Model, RunSettings
from procsim.model.validate import (
    MODEL_SECTIONS,
    TOP_LEVEL_KEYS,
    top_level_hint,
    unknown_top_level_keys,
    validate,
)

SCENARIO_KEYS = ("description", "redesigns", *MODEL_SECTIONS, "run")


@dataclass
class Study:
    """A composed study: the current process and (optionally) one redesign, as plain mappings.

    Attributes
    ----------
    configs
        Label -> model config (``process, roles, staffing, arrivals, sla, targets, run``);
        ``current`` first, then the redesign labelled by its scenario names joined with ``+``.
    scenarios
        The stacked scenario names (empty for the current process alone).
    descriptions
        Label -> description (process or scenario).
    provenance
        Label -> {config path: scenario} for every path a scenario set.
    overrides
        The command-line overrides, as given.
    """

    configs: dict[str, dict[str, Any]]
    scenarios: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    rank_by: str = "cycle_time_mean"

    def build(self) -> tuple[dict[str, Model], RunSettings]:
        """Validate every config; one error listing all problems of all of them."""
        models: dict[str, Model] = {}
        run: RunSettings | None = None
        errors: list[str] = []
        reported: set[Issue] = set()
        for label, config in self.configs.items():
            context = (
                "the current process"
                if label == BASELINE
                else f"scenario '{label}' (applied to the current process)"
            )
            try:
                model, settings = validate(
                    config, provenance=self.provenance.get(label), context=context
                )
            except ModelError as exc:
                # A problem the current process has is not repeated for each redesign.
                fresh = [i for i in exc.issues if i not in reported]
                reported.update(exc.issues)
                if fresh:
                    errors.append(str(ModelError(fresh, exc.context)))
                continue
            models[label] = model
            if run is None:
                run = settings
            elif settings != run:
                # One set of run settings for the whole study: the comparison is paired,
                # replication by replication, on common random numbers.
                differ = [
                    f"run.{f.name}: {getattr(settings, f.name)!r} here, "
                    f"{getattr(run, f.name)!r} for the current process"
                    for f in dataclasses.fields(settings)
                    if getattr(settings, f.name) != getattr(run, f.name)
                ]
                errors.append(
                    f"{context}: its run settings differ from the current process's ("
                    + "; ".join(differ)
                    + "): the current process and every redesign run with the same settings."
                    " Hint: set run.* in the process file or on the command line, not in a"
                    " scenario"
                )
        if errors:
            raise ProcsimError("\n".join(errors))
        assert run is not None
        return models, run


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


def _removed(config: dict[str, Any], key: str) -> bool:
    """Whether a scenario removed ``key`` or one of its parents (set it to null)."""
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
        if node is None:
            return True
    return False


def _remove_path(config: dict[str, Any], key: str) -> None:
    """Delete ``key`` and the mappings left empty above it (Hydra created them for it)."""
    parts = key.split(".")
    nodes: list[Any] = [config]
    for part in parts[:-1]:
        node = nodes[-1].get(part) if isinstance(nodes[-1], dict) else None
        if not isinstance(node, dict):
            return
        nodes.append(node)
    nodes[-1].pop(parts[-1], None)
    for depth in range(len(parts) - 1, 1, -1):  # never a whole section
        if nodes[depth]:
            break
        nodes[depth - 1].pop(parts[depth - 1], None)


def _set_path(config: dict[str, Any], key: str, value: Any, delete: bool) -> None:
    node = config
    parts = key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if delete:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = copy.deepcopy(value)


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
    ``redesign_only`` (set by :func:`check_overrides`) lists override keys that only the
    scenarios define: they are taken out of the current process and reach only the redesigns
    that have them.
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
        _remove_path(base, key)
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
    proposed: Any = _edges_as_mappings(copy.deepcopy(base))
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
    absent = {key for key in redesign_only if not _has_path(proposed, key)}
    for key, value, delete in changes:
        if _removed(proposed, key):
            continue  # the redesign removed this stage or role: the override has no object
        if key in absent:
            continue  # defined by another scenario of the study, not by this redesign
        _set_path(proposed, key, value, delete)
        provenance.pop(key, None)
    return proposed, provenance, " / ".join(d for d in descriptions if d)


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


def _edges_as_mappings(config: dict[str, Any]) -> dict[str, Any]:
    """Write ``next: b`` as ``next: {b: 1.0}`` so that a scenario adding an edge merges with it
    (and a forgotten removal fails validation) instead of silently replacing it."""
    stages = (config.get("process") or {}).get("stages") or {}
    for stage in stages.values():
        if isinstance(stage, dict) and isinstance(stage.get("next"), str):
            stage["next"] = {stage["next"]: 1.0}
    return config


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


def compose(
    process: str | None = None,
    scenario: str | Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    compare: Sequence[str] | None = None,
    workspace: Workspace | None = None,
) -> Study:
    """Compose a study the way the ``procsim`` command does, for notebooks and scripts.

    Parameters
    ----------
    process
        Current process (a file under ``conf/process/``); defaults to the scenario's process,
        else to the workspace default.
    scenario
        A scenario name, or a list of names to stack.
    overrides
        Hydra-style overrides, e.g. ``["staffing.reviewer=3", "run.replications=50"]``.
    workspace
        Defaults to the one found from the working directory.

    Examples
    --------
    >>> study = compose(scenario="merged_approval", overrides=["run.replications=5"])
    >>> sorted(study.configs)
    ['current', 'merged_approval']
    """
    workspace = workspace or find_workspace()
    names = scenario_list(scenario)
    args = list(overrides)
    if names:
        args.append("scenario=[" + ",".join(names) + "]")
    if compare:
        args.append("compare=[" + ",".join(compare) + "]")
    all_names = [*names, *(p for item in (compare or []) for p in item.split("+") if p)]
    process = process or implied_process(workspace, all_names)
    if process:
        args.append(f"process={process}")
    rewrites = check_overrides(workspace, args)
    args = [new for arg in args for new in rewrites.get(arg, [arg])]
    container = compose_config(workspace, args)
    return resolve_study(container, args, workspace)


def compose_config(
    workspace: Workspace, overrides: Sequence[str], resolve: bool = True
) -> dict[str, Any]:
    """Hydra's composed config for ``overrides``, as a plain dict (without ``hydra``)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    register_defaults()
    try:
        with initialize_config_dir(
            config_dir=str(workspace.conf), version_base=None, job_name="procsim"
        ):
            cfg = hydra_compose(config_name="config", overrides=list(overrides))
        container = OmegaConf.to_container(cfg, resolve=resolve)
    except (HydraException, OmegaConfBaseException, yaml.YAMLError) as exc:
        cause = exc.__cause__ or exc.__context__
        detail = " ".join(str(exc).split())
        if isinstance(cause, yaml.YAMLError) or isinstance(exc, yaml.YAMLError):
            detail = " ".join(str(cause if cause else exc).split())
        raise ProcsimError(
            f"cannot compose the configuration from {workspace.conf}: {detail}. "
            "Hint: check the YAML file named above (indentation, brackets, "
            "quotes)"
        ) from None
    assert isinstance(container, dict)
    container.pop("hydra", None)
    return {str(k): v for k, v in container.items()}


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


def _takes_a_number(key: str) -> bool:
    """Whether an empty value at ``key`` can only be a mistake: a head count or a numeric run
    setting (an empty ``run.address`` is the documented local default)."""
    root, _, rest = key.partition(".")
    return root == "staffing" or (root == "run" and rest not in ("address", "backend"))


def _replaces_distribution(o: Any) -> bool:
    """Whether an override gives a whole distribution (a mapping with ``dist``), alone or as
    one of a sweep's values."""
    if o.is_sweep_override():
        try:
            values = list(o.sweep_iterator())
        except Exception:  # a range or interval sweep: numbers, never a mapping
            return False
    else:
        values = [o.value()]
    return any(isinstance(v, Mapping) and "dist" in v for v in values)


def check_overrides(workspace: Workspace, overrides: Sequence[str]) -> dict[str, list[str]]:
    """Check override keys and group choices before Hydra sees them; say how to pass them on.

    Hydra would reject an unknown key with a hint to add it with ``+``; an analyst who typed
    ``staffing.reviwer=3`` needs ``did you mean 'reviewer'?`` instead. When anything is wrong,
    the bad overrides are dropped and the rest of the study is validated too, so that every
    problem (a typo'd key, a head count of 0, a seed that is not a number) is reported at once.

    Parameters
    ----------
    workspace
        Where the process files and scenarios live.
    overrides
        The command line's ``key=value`` arguments.

    Returns
    -------
    dict
        Override -> the overrides Hydra gets instead (absent: pass it on as it is). A mapping
        with ``dist`` on an existing distribution becomes ``~key`` and ``+key=...`` (it
        replaces the old distribution whole, as in a scenario); a key that only the study's
        scenarios define becomes ``+key=...`` and is listed in ``+redesign_only=[...]`` so
        that it reaches the redesigns only.

    Raises
    ------
    ModelError
        Every problem found, in the command line, the files it composes and the study.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as exc:
        raise ModelError(
            [
                Issue(
                    "command line",
                    "cannot read an override",
                    "key=value",
                    " ".join(str(exc).split())[:200],
                    "quote values with spaces; lists look like [a,b]",
                )
            ],
            "the command line",
        ) from None
    processes = workspace.processes()
    groups: list[str] = []
    names: list[str] = []
    model_keyed = []
    fatal: list[Issue] = []  # without the right process or scenarios nothing else is checkable
    issues: list[Issue] = []
    bad: set[str] = set()
    for o in parsed:
        key = o.key_or_group
        root = key.split(".")[0].split("/")[0]
        if root not in TOP_LEVEL_KEYS:
            # Hydra would add `+foo=1` silently and reject `foo=1` with a raw "not in struct".
            issues.append(
                Issue(key, f"unknown top-level key '{root}'",
                      "a model section (" + ", ".join((*MODEL_SECTIONS, "run"))
                      + ") or scenario, compare, rank_by, optimize, optimize_roles, hydra",
                      repr(_line(o)), top_level_hint(root))
            )  # fmt: skip
            bad.add(_line(o))
        elif key == "process":
            choices = list(o.sweep_string_iterator()) if o.is_sweep_override() else [o.value()]
            for choice in choices:
                if str(choice) not in processes:
                    fatal.append(
                        Issue(
                            "process",
                            f"unknown process '{choice}'",
                            "one of " + ", ".join(processes),
                            repr(choice),
                            did_you_mean(str(choice), processes),
                        )
                    )
            if choices:
                groups.append(f"process={choices[0]}")
        elif key in ("scenario", "compare"):
            if o.is_sweep_override():
                options = [_names_of(text) for text in o.sweep_string_iterator()]
            else:
                options = [scenario_list(o.value())]
            for name in {p for names in options for n in names for p in n.split("+") if p}:
                try:
                    workspace.scenario_file(name)
                    names.append(name)
                except ModelError as exc:
                    fatal += exc.issues
        elif root in (*MODEL_SECTIONS, "run") and not o.is_delete():
            model_keyed.append(o)
    if fatal:
        raise ModelError(fatal + issues, "the command line")
    # Composing once here also turns a broken YAML file into a clear message.
    container = compose_config(workspace, groups, resolve=False)
    file_issues = _unknown_file_keys(workspace, container, groups)
    diffs: list[dict[str, Any]] | None = None  # read only for a key the process lacks
    rewrites: dict[str, list[str]] = {}
    redesign_only: list[str] = []
    # Keys the command line already deletes (a recorded command that was rewritten before).
    deleted = {o.key_or_group for o in parsed if o.is_delete()}
    for o in model_keyed:
        key, line = o.key_or_group, _line(o)
        value = None if o.is_sweep_override() else o.value()
        adds = o.is_add() or o.is_force_add()
        if value == "" and _takes_a_number(key):
            issues.append(
                Issue(key, "empty value", f"a value, e.g. {_example(key)}", "nothing",
                      "leave the argument out to keep the configured value")
            )  # fmt: skip
            bad.add(line)
            continue
        missing = _missing_key(container, key)
        if missing is None:
            if _replaces_distribution(o) and key not in deleted:
                # Hydra merges mappings, so the old parameters (cv) would stay beside the new
                # ones: delete the old distribution and add the new one whole.
                rewrites[line] = [f"~{key}", f"+{key}={line.partition('=')[2]}"]
            continue
        if diffs is None:
            diffs = [read_scenario(workspace, name) for name in sorted(set(names))]
        if any(_has_path(diff, key) for diff in diffs):
            # Only a scenario defines it: the redesigns get it, the current process does not.
            redesign_only.append(key)
            rewrites[line] = [line if adds else f"+{line}"]
            continue
        if adds:
            continue  # a new key, added on purpose (to the current process and the redesigns)
        # Hint from the keys of the process and its scenarios together.
        issues.append(_missing_key(_merged_view(container, diffs), key) or missing)
        bad.add(line)
    if redesign_only:
        last = next(_line(o) for o in reversed(model_keyed) if o.key_or_group in redesign_only)
        rewrites[last].append("+redesign_only=[" + ",".join(dict.fromkeys(redesign_only)) + "]")
    if issues or file_issues:
        kept = [
            new
            for o in parsed
            if _line(o) not in bad and not o.is_sweep_override()
            and not o.key_or_group.startswith("hydra")
            for new in rewrites.get(_line(o), [_line(o)])
        ]  # fmt: skip
        where = (
            "the configuration files and the command line" if file_issues else "the command line"
        )
        problems = list(dict.fromkeys(file_issues + issues + _study_issues(workspace, kept)))
        raise ModelError(problems, where)
    return rewrites


def _line(override: Any) -> str:
    """The override as the analyst typed it (Hydra keeps it as ``input_line``)."""
    return str(override.input_line or "")


def _study_issues(workspace: Workspace, overrides: list[str]) -> list[Issue]:
    """The problems of the study the good overrides compose (none if it validates)."""
    try:
        container = compose_config(workspace, overrides)
        study = resolve_study(container, overrides, workspace, check_keys=False)
    except ModelError as exc:
        return exc.issues
    except ProcsimError as exc:
        return [Issue("configuration", str(exc))]
    out: list[Issue] = []
    for label, config in study.configs.items():
        try:
            validate(config, provenance=study.provenance.get(label))
        except ModelError as exc:
            for issue in exc.issues:
                if issue in out:
                    continue  # the current process has it too: reported once
                if label != BASELINE:
                    issue = dataclasses.replace(issue, path=f"{issue.path} (in {label})")
                out.append(issue)
    return out


def _missing_key(container: Mapping[str, Any], key: str) -> Issue | None:
    """An issue when ``key`` names nothing in the composed config (None when it exists)."""
    node: Any = container
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            continue
        parent = ".".join(parts[:depth]) or "<root>"
        known = list(node) if isinstance(node, Mapping) else []
        hint = did_you_mean(part, known) if known else ""
        if parts[0] == "staffing" and depth == 1:
            hint = (hint + "; " if hint else "") + ("to add a new role use +" + key + "=N")
        return Issue(
            key,
            f"no setting '{part}' under {parent}",
            "an existing key" + (f" ({', '.join(sorted(known)[:8])})" if known else ""),
            repr(part),
            hint,
        )
    return None


def _merged_view(container: Mapping[str, Any], diffs: list[dict[str, Any]]) -> Any:
    """The composed config with every scenario diff applied: the keys a study knows."""
    view: Any = container
    for diff in diffs:
        model_diff = {k: v for k, v in diff.items() if k in (*MODEL_SECTIONS, "run")}
        view = apply_diff(view, model_diff, scenario="", provenance={}, issues=[])
    return view


def _has_path(config: Any, key: str) -> bool:
    """Whether dotted ``key`` names a value (not a removal) in ``config``."""
    node = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return False
        node = node[part]
    return True


_EXAMPLES = {"replications": "20", "seed": "7", "horizon": "4w", "warmup": "1w",
             "cases": "5000", "workers": "0", "precision": "0.05"}  # fmt: skip


def _example(key: str) -> str:
    """An example override for ``key``, for hints."""
    section, _, rest = key.partition(".")
    if section == "run":
        return f"{key}={_EXAMPLES.get(rest, '...')}"
    if section == "staffing" and "." not in rest:
        return f"{key}=2"
    return f"{key}=..."


def _unknown_file_keys(
    workspace: Workspace, container: Mapping[str, Any], groups: Sequence[str]
) -> list[Issue]:
    """Unknown top-level keys of the composed files, each named with the file it came from."""
    unknown = unknown_top_level_keys(container)
    if not unknown:
        return []  # the usual case: no file needs reading again
    choice = groups[0].partition("=")[2] if groups else _default_process(workspace)
    process_file = workspace.conf / "process" / f"{choice}.yaml"
    try:
        in_process = load_yaml(process_file) if choice else None
    except ProcsimError:
        in_process = None
    issues = []
    for issue in unknown:
        key = issue.path
        where = process_file if isinstance(in_process, Mapping) and key in in_process else None
        where = where or workspace.conf / "config.yaml"
        issues.append(dataclasses.replace(issue, path=f"{where}: {key}"))
    return issues


def _default_process(workspace: Workspace) -> str:
    """The process chosen by ``conf/config.yaml``'s defaults list ('' when none)."""
    try:
        data = load_yaml(workspace.conf / "config.yaml")
    except ProcsimError:
        return ""
    defaults = data.get("defaults") if isinstance(data, Mapping) else None
    for item in defaults if isinstance(defaults, list) else []:
        if isinstance(item, Mapping) and "process" in item:
            return str(item["process"])
    return ""


def _names_of(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [part.strip() for part in text[1:-1].split(",") if part.strip()]
    return [text] if text else []


def settings_dict() -> dict[str, Any]:
    """Run-setting defaults from the one schema, :class:`~procsim.model.process.RunSettings`."""
    values = dataclasses.asdict(RunSettings())
    values["precision_kpis"] = list(values["precision_kpis"])
    return {k: v for k, v in values.items() if k not in INTERNAL_RUN_FIELDS}


def register_defaults() -> None:
    """Put the run-setting defaults into Hydra's ConfigStore as ``procsim_defaults``."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="procsim_defaults", node={"run": settings_dict()})


EXPERIMENT_KEYS = ("description", "process", "overrides", "sweep")


def expand_experiment(workspace: Workspace, name: str, args: Sequence[str]) -> list[str]:
    """Command-line arguments of named study ``name`` (``experiments/<name>.yaml``).

    The study's process, overrides and sweep come first; the analyst's own arguments follow
    and win where they name the same key. A study with a ``sweep`` runs as a multirun.
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
    if issues:
        raise ModelError(issues, f"experiment '{name}' ({path})")
    process = data.get("process")
    own = ([f"process={process}"] if process else []) + list(overrides) + swept
    user_keys = {a.partition("=")[0].lstrip("+~") for a in args if "=" in a}
    run_length = {"run.horizon", "run.cases"}
    if user_keys & run_length:
        # A run length given by the analyst replaces the study's, whichever of the two it is.
        user_keys |= run_length
    own = [a for a in own if a.partition("=")[0].lstrip("+~") not in user_keys]
    multirun = bool(swept) and not any(a in ("-m", "--multirun") for a in args)
    return (["--multirun"] if multirun else []) + own + list(args)
