"""Shell completion of the names procsim knows that Hydra does not: scenarios and experiments.

Sits at the command-line edge, before Hydra (:mod:`procsim.cli.main` asks it first when the
shell asks ``procsim -sc query=bash|zsh|fish``). Hydra completes its config groups
(``process=``) and config keys (``staffing.reviewer=``) itself; scenarios and experiments are
procsim's own folders, so their names are completed here: ``scenario=``, each item of
``scenario=[a,b]`` and ``compare=[a,b]``, and ``experiment=``. With ``process=<name>`` on the
line, only the scenarios that redesign that process are offered.

Turning completion on is Hydra's: ``eval "$(procsim -sc install=bash)"`` (or ``zsh``, or
``procsim -sc install=fish | source``).
"""

from __future__ import annotations

import re
import shlex

import yaml

from procsim.config.workspace import Workspace

#: Keys whose values are names of scenarios, and of experiments.
SCENARIO_KEYS = ("scenario", "compare", "+scenario", "+compare")
EXPERIMENT_KEYS = ("experiment", "+experiment")


def completion_query(args: list[str]) -> str | None:
    """The shell of a ``-sc query=<shell>`` request (None for anything else)."""
    if len(args) != 2 or args[0] not in ("-sc", "--shell-completion"):
        return None
    match = re.fullmatch(r"query=(bash|zsh|fish)", args[1])
    return match.group(1) if match else None


def complete(workspace: Workspace, line: str) -> list[str] | None:
    """Candidates for the last word of ``line`` (the shell's ``COMP_LINE``), or None when the
    word is not a scenario or experiment name (Hydra completes it then).

    Parameters
    ----------
    workspace
        Where the scenario and experiment files are.
    line
        The command line typed so far.

    Returns
    -------
    list of str or None
        Whole words to offer, each starting with what was typed.
    """
    try:
        words = shlex.split(line)
    except ValueError:  # an open quote
        words = line.split()
    if line.endswith(" ") or not words:
        return None
    word = words[-1]
    key, eq, value = word.partition("=")
    if not eq:
        return None
    if key in EXPERIMENT_KEYS:
        names = list(workspace.experiment_names())
    elif key in SCENARIO_KEYS:
        names = _scenarios(workspace, _process_on(words[:-1]))
    else:
        return None
    # In a list (compare=[a,b] or scenario=[a,b]) the item being typed follows '[' or ','.
    cut = max(value.rfind("["), value.rfind(","))
    head, typed = value[: cut + 1], value[cut + 1 :]
    return [f"{key}={head}{n}" for n in names if n.startswith(typed)]


def _process_on(words: list[str]) -> str | None:
    """The ``process=<name>`` given earlier on the line, if any."""
    for word in reversed(words):
        if word.startswith("process="):
            return word.partition("=")[2] or None
    return None


def _scenarios(workspace: Workspace, process: str | None) -> list[str]:
    """Scenario names; with a process, only those that redesign it."""
    names = list(workspace.scenario_names())
    if process is None:
        return names
    mine = []
    for name in names:
        try:
            data = yaml.safe_load((workspace.scenarios / f"{name}.yaml").read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("redesigns") == process:
            mine.append(name)
    return mine


def print_candidates(candidates: list[str], shell: str) -> None:
    """Print candidates the way Hydra's completion scripts read them."""
    print(("\n" if shell == "fish" else " ").join(candidates))
