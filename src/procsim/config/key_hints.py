"""Hints for keys that name nothing: where the key is, what exists near it, an example.

Sits under the override checks (:mod:`procsim.config.override_checks`), which turn what these
functions find into one message for the analyst: ``staffing.reviwer=3`` is told ``did you mean
'reviewer'?``, and an unknown top-level key of a file is named with that file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from procsim.config.workspace import Workspace
from procsim.config.yaml_files import load_yaml
from procsim.errors import Issue, ProcsimError, did_you_mean
from procsim.model.validate import unknown_top_level_keys


def missing_key_issue(container: Mapping[str, Any], key: str) -> Issue | None:
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


_EXAMPLES = {"replications": "20", "seed": "7", "horizon": "4w", "warmup": "1w",
             "cases": "5000", "workers": "0", "precision": "0.05"}  # fmt: skip


def example_override(key: str) -> str:
    """An example override for ``key``, for hints."""
    section, _, rest = key.partition(".")
    if section == "run":
        return f"{key}={_EXAMPLES.get(rest, '...')}"
    if section == "staffing" and "." not in rest:
        return f"{key}=2"
    return f"{key}=..."


def unknown_file_keys(
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
