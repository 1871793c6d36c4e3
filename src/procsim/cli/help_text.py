"""The help text of ``procsim``: how to run it, and what the workspace holds.

Sits at the top of the command line: :mod:`procsim.cli.main` prints it for ``--help``, with
the processes, experiments and scenarios of the workspace (:mod:`procsim.config.workspace`).
"""

from __future__ import annotations

from procsim.config.workspace import Workspace

USAGE = """\
usage: procsim [OVERRIDE ...]          run the current process (and a redesign)
       procsim -m OVERRIDE ...          sweep: one run per combination (Hydra multirun)
       procsim init [FOLDER]            write a new, commented workspace that runs as it is
       procsim schema [FOLDER]          write JSON Schemas of process, scenario and experiment
                                        files, for editors that check a file as it is typed
       procsim --help | --version | --hydra-help
       eval "$(procsim -sc install=bash)"  turn on completion of names and keys (zsh, fish too)

Simulates the current process and, with scenario=... (or compare=[...]), proposed redesigns
on common random numbers, with replications; prints headline KPIs with 95% confidence
intervals and the paired change, and writes tidy tables (CSV and Parquet), the simulated
event logs, the resolved configs, figures and a feasibility-review report (report.html,
report.md) into the run folder (outputs/<date>/<time>/). `procsim-report FOLDER` rebuilds the
figures and the report from a run folder. `procsim-fit log=FILE name=NAME` fits a current
process from an event log; `procsim-validate log=FILE process=NAME` compares it with a
held-out log; `procsim-import bpmn=FILE json=FILE name=NAME` brings in a Prosimos/Simod model.

Examples:
  procsim scenario=merged_approval                 a redesign against its current process
  procsim scenario=[merged_approval,automated_intake]   two redesigns stacked
  procsim compare=[merged_approval,automated_intake]    each against the current process
  procsim staffing.reviewer=3                      change a head count
  procsim run.replications=50 run.seed=7           more replications, another seed
  procsim run.horizon=4w run.warmup=0              a four-week pilot period, no warm-up
  procsim -m staffing.reviewer=2,3,4,5             sweep staffing levels (collected at the end)
  procsim experiment=reviewer_staffing             a named study from experiments/
  procsim optimize=staffing                        cheapest staffing that meets the targets
  procsim -m hydra/launcher=joblib staffing.reviewer=1,2,3   sweep jobs in parallel
  procsim -m hydra/launcher=ray staffing.reviewer=1,2,3      sweep jobs on a Ray cluster
  procsim process=approval_chain                   another current process
  procsim --cfg job                                show the composed config and stop

Run settings (run.*): replications, horizon | cases, warmup (a time, or auto for MSER-5),
seed, workers (0 = all cores), precision (e.g. 0.05: add replications until the CI half-width
of run.precision_kpis is within 5% of the mean, up to run.max_replications), confidence,
max_events and max_seconds (guards per replication), backend (processes, dask or ray) and
address (a Dask or Ray cluster). Times accept units: 30min, 8h, 2d, 4w. rank_by=KPI ranks
several redesigns (default cycle_time_mean). run.cases given here replaces the process
file's run.horizon (and run.horizon its run.cases). A key only a scenario defines
(scenario=merged_approval staffing.approver=3) changes the redesign only.
"""


def help_text(workspace: Workspace | None) -> str:
    """The usage, and the workspace's processes, experiments and scenarios when there is one.

    Parameters
    ----------
    workspace
        The workspace found, or None when there is none (the usage alone).
    """
    text = USAGE
    if workspace is None:
        return text
    text += f"\nWorkspace: {workspace.root} ({workspace.origin})\n"
    text += "\nProcesses (process=NAME):\n"
    for name, desc in workspace.processes().items():
        text += f"  {name:<22} {_first_sentence(desc)}\n"
    text += "\nExperiments (experiment=NAME: a named study, usually a sweep):\n"
    for name, desc in workspace.experiment_names().items():
        text += f"  {name:<22} {_first_sentence(desc)}\n"
    text += "\nScenarios (scenario=NAME):\n"
    import yaml

    for name, desc in workspace.scenario_names().items():
        try:
            data = yaml.safe_load(workspace.scenario_file(name).read_text(encoding="utf-8"))
            base = data.get("redesigns", "?")
        except Exception:  # a broken file still shows up in the list
            base = "?"
        text += f"  {name:<22} [{base}] {_first_sentence(desc)}\n"
    return text


def _first_sentence(text: str, limit: int = 90) -> str:
    first = text.split(". ")[0].split(": ")[0]
    return first if len(first) <= limit else first[: limit - 3] + "..."
