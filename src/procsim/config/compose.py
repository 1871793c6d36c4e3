"""Composing a study the way the ``procsim`` command does, for notebooks and scripts.

Sits at the top of configuration, as the public :func:`procsim.compose`: it picks the process
the scenarios redesign (:mod:`procsim.config.scenario_files`), checks the overrides
(:mod:`procsim.config.override_checks`), composes with Hydra
(:mod:`procsim.config.hydra_compose`) and resolves the study (:mod:`procsim.config.resolve`),
whose :class:`~procsim.config.composed_study.Study` goes to :func:`procsim.run`.
"""

from __future__ import annotations

from collections.abc import Sequence

from procsim.config.composed_study import Study
from procsim.config.hydra_compose import compose_config
from procsim.config.override_checks import check_overrides
from procsim.config.resolve import resolve_study
from procsim.config.scenario_files import implied_process, scenario_list
from procsim.config.workspace import Workspace, find_workspace


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
    compare
        Redesigns each compared with the current process: names, or ``a+b`` stacks.
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
