"""Preparing the command line for Hydra: the experiment expanded, the process implied by the
scenarios added, the overrides checked (and some rewritten), the run folder checked.

Sits between :func:`procsim.cli.main.main` and :mod:`procsim.cli.hydra_run`: what Hydra would
report with a traceback or a raw message is reported here, before anything runs, with a hint
(the checks themselves are :mod:`procsim.config.override_checks`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from procsim.config.workspace import Workspace
from procsim.errors import ProcsimError


def prepare_command_line(workspace: Workspace, args: list[str]) -> list[str]:
    """The arguments Hydra gets for the analyst's ``args``.

    Parameters
    ----------
    workspace
        Where the processes, scenarios and experiments live.
    args
        The command line, without the program name.

    Raises
    ------
    ProcsimError
        Every problem of the command line, with hints; or a run folder that cannot be made.
    """
    args = _expand_experiment(workspace, args)
    args = _arguments_for_hydra(workspace, args)
    _check_run_folder(args)
    return args


def _expand_experiment(workspace: Workspace, args: list[str]) -> list[str]:
    """Replace ``experiment=NAME`` by the named study's arguments."""
    from procsim.config.experiments import expand_experiment

    named = [a for a in args if a.startswith("experiment=")]
    if not named:
        return args
    if len(named) > 1:
        raise ProcsimError("give one experiment=NAME at a time")
    rest = [a for a in args if a not in named]
    return expand_experiment(workspace, named[0].partition("=")[2], rest)


def _arguments_for_hydra(workspace: Workspace, args: list[str]) -> list[str]:
    """Add ``process=`` implied by the scenarios; check override keys."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from procsim.config.override_checks import check_overrides
    from procsim.config.scenario_files import implied_process, listed_names

    overrides = _overrides_only(args)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        raise ProcsimError(
            "cannot read the command line: "
            + " ".join(str(exc).split())
            + ". Hint: overrides look like key=value, lists like [a,b]"
        ) from None
    keys = {o.key_or_group: o for o in parsed}
    names: list[str] = []
    for key in ("scenario", "compare"):
        if key in keys:
            o = keys[key]
            if o.is_sweep_override():
                names += [n for t in o.sweep_string_iterator() for n in listed_names(t)]
            else:
                names += _as_list(o.value())
    names = [part for n in names for part in n.split("+") if part]
    if names and "process" not in keys:
        for name in names:
            workspace.scenario_file(name)  # unknown names fail here, with a hint
        process = implied_process(workspace, names)
        if process:
            args = [*args, f"process={process}"]
            overrides.append(f"process={process}")
    # Some overrides reach Hydra rewritten (a whole distribution, a scenario-only key).
    rewrites = check_overrides(workspace, overrides)
    return [new for arg in args for new in rewrites.get(arg, [arg])]


def _check_run_folder(args: list[str]) -> None:
    """Fail with a message, before anything runs, when the run folder cannot be made (Hydra
    would stop with a traceback when it creates it)."""
    if any(a.partition("=")[0] in _PRINT_ONLY for a in args):
        return
    key = "hydra.sweep.dir" if "-m" in args or "--multirun" in args else "hydra.run.dir"
    given = [a.partition("=")[2] for a in args if a.startswith(key + "=")]
    hint = f"Hint: give a folder you can write to, e.g. {key}=outputs/my_study"
    if given and "${" not in given[-1]:
        folder = Path(given[-1]).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProcsimError(
                f"{key}: cannot create the run folder {folder} ({exc.strerror}). {hint}"
            ) from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ProcsimError(f"{key}: the run folder {folder} is not writable. {hint}")
        return
    # The default folder (or one with ${now:...} in it) is made below the nearest existing one.
    probe = Path(given[-1]).expanduser().absolute() if given else Path.cwd()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        where = f"{key}={given[-1]}" if given else f"the current folder {probe}"
        raise ProcsimError(f"cannot create the run folder in {where}: not writable. {hint}")


#: Hydra's flags that take a value (``--cfg job``): the value is not an override.
_FLAGS_WITH_VALUE = {
    "--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
    "--config-dir", "-cd", "--experimental-rerun", "--shell-completion", "-sc",
}  # fmt: skip
#: Hydra's flags that only print something: nothing runs, so no run folder is needed.
_PRINT_ONLY = {"--cfg", "-c", "--info", "-i", "--shell-completion", "-sc", "--hydra-help"}
#: ``--info`` takes an optional value, one of these.
_INFO_VALUES = {"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"}


def _overrides_only(args: list[str]) -> list[str]:
    """The command line's overrides, without Hydra's flags and their values."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            following = args[i + 1] if i + 1 < len(args) else ""
            skip = arg in _FLAGS_WITH_VALUE or (
                arg in ("--info", "-i") and following in _INFO_VALUES
            )
            continue
        out.append(arg)
    return out


def _as_list(value: Any) -> list[str]:
    """A ``scenario=``/``compare=`` value as a list of names."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]
