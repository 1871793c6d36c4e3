"""Checking the command line's overrides before Hydra sees them, with did-you-mean hints.

Sits between the command line (:mod:`procsim.cli.prepare`, :func:`procsim.config.compose.compose`)
and Hydra's composition (:mod:`procsim.config.hydra_compose`). It checks the keys, the process
and the scenarios an override names, and says how to pass each override on to Hydra: some are
rewritten (a whole distribution, a key only a scenario defines). With any problem it validates
the rest of the study too (:mod:`procsim.config.resolve`), so every problem is reported at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from procsim.config.dotted_keys import has_path
from procsim.config.hydra_compose import compose_config
from procsim.config.key_hints import example_override, missing_key_issue, unknown_file_keys
from procsim.config.resolve import resolve_study
from procsim.config.scenario_diff import apply_diff
from procsim.config.scenario_files import listed_names, read_scenario, scenario_list
from procsim.config.workspace import Workspace
from procsim.errors import Issue, ModelError, ProcsimError, did_you_mean
from procsim.model.process import BASELINE
from procsim.model.validate import MODEL_SECTIONS, TOP_LEVEL_KEYS, top_level_hint, validate


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
    parsed = _parse(overrides)
    findings = _Findings()
    groups, names, model_keyed = _read_choices(workspace, parsed, findings)
    # Composing once here also turns a broken YAML file into a clear message.
    container = compose_config(workspace, groups, resolve=False)
    file_issues = unknown_file_keys(workspace, container, groups)
    rewrites = _rewrites(workspace, container, parsed, model_keyed, names, findings)
    if findings.issues or file_issues:
        raise _every_problem(workspace, parsed, rewrites, findings, file_issues)
    return rewrites


@dataclass
class _Findings:
    """The problems found so far, and the overrides they leave out of the rest of the check."""

    issues: list[Issue] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # overrides as typed (see _line)

    def drop(self, override: Any, issue: Issue) -> None:
        """Record ``issue`` and leave ``override`` out of the study validated afterwards."""
        self.issues.append(issue)
        self.bad.add(_line(override))


def _parse(overrides: Sequence[str]) -> list[Any]:
    """Hydra's reading of the overrides; a :class:`ModelError` when it cannot read one."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides(list(overrides))
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


def _read_choices(
    workspace: Workspace, parsed: list[Any], findings: _Findings
) -> tuple[list[str], list[str], list[Any]]:
    """The process choice (as a group override), the scenario names and the overrides of
    model keys; unknown top-level keys go into ``findings``.

    An unknown process or scenario raises at once: without them nothing else is checkable.
    """
    processes = workspace.processes()
    groups: list[str] = []
    names: list[str] = []
    model_keyed = []
    fatal: list[Issue] = []
    for o in parsed:
        key = o.key_or_group
        root = key.split(".")[0].split("/")[0]
        if root not in TOP_LEVEL_KEYS:
            # Hydra would add `+foo=1` silently and reject `foo=1` with a raw "not in struct".
            findings.drop(o, _unknown_top_level_key(o, root))
        elif key == "process":
            choices = list(o.sweep_string_iterator()) if o.is_sweep_override() else [o.value()]
            fatal += _unknown_processes(choices, processes)
            if choices:
                groups.append(f"process={choices[0]}")
        elif key in ("scenario", "compare"):
            names += _known_scenarios(workspace, o, fatal)
        elif root in (*MODEL_SECTIONS, "run") and not o.is_delete():
            model_keyed.append(o)
    if fatal:
        raise ModelError(fatal + findings.issues, "the command line")
    return groups, names, model_keyed


def _unknown_top_level_key(o: Any, root: str) -> Issue:
    """The issue of an override whose first part, ``root``, is no top-level key."""
    return Issue(
        o.key_or_group,
        f"unknown top-level key '{root}'",
        "a model section ("
        + ", ".join((*MODEL_SECTIONS, "run"))
        + ") or scenario, compare, rank_by, optimize, optimize_roles, hydra",
        repr(_line(o)),
        top_level_hint(root),
    )


def _unknown_processes(choices: list[Any], processes: Mapping[str, str]) -> list[Issue]:
    """An issue for each ``process=`` choice that is not a file under ``conf/process/``."""
    return [
        Issue(
            "process",
            f"unknown process '{choice}'",
            "one of " + ", ".join(processes),
            repr(choice),
            did_you_mean(str(choice), processes),
        )
        for choice in choices
        if str(choice) not in processes
    ]


def _known_scenarios(workspace: Workspace, o: Any, fatal: list[Issue]) -> list[str]:
    """The scenarios a ``scenario=`` or ``compare=`` override names that exist; the issues of
    those that do not go into ``fatal``."""
    if o.is_sweep_override():
        options = [listed_names(text) for text in o.sweep_string_iterator()]
    else:
        options = [scenario_list(o.value())]
    known = []
    for name in {p for names in options for n in names for p in n.split("+") if p}:
        try:
            workspace.scenario_file(name)
            known.append(name)
        except ModelError as exc:
            fatal += exc.issues
    return known


def _rewrites(
    workspace: Workspace,
    container: Mapping[str, Any],
    parsed: list[Any],
    model_keyed: list[Any],
    names: list[str],
    findings: _Findings,
) -> dict[str, list[str]]:
    """How each override of a model key reaches Hydra (see :func:`check_overrides`); keys that
    name nothing go into ``findings``."""
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
            empty = Issue(
                key,
                "empty value",
                f"a value, e.g. {example_override(key)}",
                "nothing",
                "leave the argument out to keep the configured value",
            )
            findings.drop(o, empty)
            continue
        missing = missing_key_issue(container, key)
        if missing is None:
            if _replaces_distribution(o) and key not in deleted:
                # Hydra merges mappings, so the old parameters (cv) would stay beside the new
                # ones: delete the old distribution and add the new one whole.
                rewrites[line] = [f"~{key}", f"+{key}={line.partition('=')[2]}"]
            continue
        if diffs is None:
            diffs = [read_scenario(workspace, name) for name in sorted(set(names))]
        if any(has_path(diff, key) for diff in diffs):
            # Only a scenario defines it: the redesigns get it, the current process does not.
            redesign_only.append(key)
            rewrites[line] = [line if adds else f"+{line}"]
            continue
        if adds:
            continue  # a new key, added on purpose (to the current process and the redesigns)
        # Hint from the keys of the process and its scenarios together.
        findings.drop(o, missing_key_issue(_merged_view(container, diffs), key) or missing)
    if redesign_only:
        last = next(_line(o) for o in reversed(model_keyed) if o.key_or_group in redesign_only)
        rewrites[last].append("+redesign_only=[" + ",".join(dict.fromkeys(redesign_only)) + "]")
    return rewrites


def _every_problem(
    workspace: Workspace,
    parsed: list[Any],
    rewrites: dict[str, list[str]],
    findings: _Findings,
    file_issues: list[Issue],
) -> ModelError:
    """One error with the problems found and those of the study the good overrides make."""
    kept = [
        new
        for o in parsed
        if _line(o) not in findings.bad and not o.is_sweep_override()
        and not o.key_or_group.startswith("hydra")
        for new in rewrites.get(_line(o), [_line(o)])
    ]  # fmt: skip
    where = "the configuration files and the command line" if file_issues else "the command line"
    study_issues = _study_issues(workspace, kept)
    problems = list(dict.fromkeys(file_issues + findings.issues + study_issues))
    return ModelError(problems, where)


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


def _merged_view(container: Mapping[str, Any], diffs: list[dict[str, Any]]) -> Any:
    """The composed config with every scenario diff applied: the keys a study knows."""
    view: Any = container
    for diff in diffs:
        model_diff = {k: v for k, v in diff.items() if k in (*MODEL_SECTIONS, "run")}
        view = apply_diff(view, model_diff, scenario="", provenance={}, issues=[])
    return view


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
