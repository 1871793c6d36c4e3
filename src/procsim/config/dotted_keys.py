"""Dotted keys (``staffing.reviewer``, ``process.stages.review.duration``) in nested configs.

Sits under the steps that follow a command-line override to its place in a config: resolving
a study (:mod:`procsim.config.resolve`) sets, deletes and skips keys in each redesign, and
checking overrides (:mod:`procsim.config.override_checks`) asks which scenarios define a key.
A key whose value is ``null`` is one a scenario removed.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def has_path(config: Any, key: str) -> bool:
    """Whether dotted ``key`` names a value (not a removal) in ``config``."""
    node = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return False
        node = node[part]
    return True


def is_removed(config: dict[str, Any], key: str) -> bool:
    """Whether a scenario removed ``key`` or one of its parents (set it to null)."""
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
        if node is None:
            return True
    return False


def remove_path(config: dict[str, Any], key: str) -> None:
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


def set_path(config: dict[str, Any], key: str, value: Any, delete: bool) -> None:
    """Set ``key`` to ``value`` (or delete it), making the mappings above it where missing."""
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
