"""The ``procsim`` command: Hydra at the edge, the plain-object core behind it.

Sits at the top of the data flow. Before Hydra sees the command line it finds the workspace,
picks the current process a scenario redesigns, and checks override keys so that a typo gets a
``did you mean`` hint. Errors caused by the input are printed without a traceback and exit 2.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from procsim.config.workspace import Workspace, find_workspace
from procsim.errors import EXIT_USER_ERROR, ProcsimError
from procsim.versions import __version__

USAGE = """\
usage: procsim [OVERRIDE ...]          run the current process (and a redesign)
       procsim -m OVERRIDE ...          sweep: one run per combination (Hydra multirun)
       procsim --help | --version | --hydra-help

Simulates the current process and, with scenario=... (or compare=[...]), proposed redesigns
on common random numbers, with replications; prints headline KPIs with 95% confidence
intervals and the paired change, and writes tidy tables (CSV and Parquet), the simulated
event logs, the resolved configs, figures and a feasibility-review report (report.html,
report.md) into the run folder (outputs/<date>/<time>/). `procsim-report FOLDER` rebuilds the
figures and the report from a run folder. `procsim-fit log=FILE name=NAME` fits a current
process from an event log; `procsim-validate log=FILE process=NAME` compares it with a
held-out log.

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


def _help(workspace: Workspace | None) -> str:
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


def _fail(message: str) -> None:
    print(f"procsim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USER_ERROR)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``procsim`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args:
        print(f"procsim {__version__}")
        return
    try:
        workspace = find_workspace()
    except ProcsimError as exc:
        if "-h" in args or "--help" in args:
            print(_help(None))
            return
        _fail(str(exc))
        return
    if "-h" in args or "--help" in args:
        print(_help(workspace))
        return
    try:
        args = _expand_experiment(workspace, args)
        args = _prepare(workspace, args)
        _check_output_folder(args)
    except ProcsimError as exc:
        _fail(str(exc))
    _run_hydra(workspace, args)


def _check_output_folder(args: list[str]) -> None:
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


def _expand_experiment(workspace: Workspace, args: list[str]) -> list[str]:
    """Replace ``experiment=NAME`` by the named study's arguments."""
    from procsim.config.compose import expand_experiment

    named = [a for a in args if a.startswith("experiment=")]
    if not named:
        return args
    if len(named) > 1:
        raise ProcsimError("give one experiment=NAME at a time")
    rest = [a for a in args if a not in named]
    return expand_experiment(workspace, named[0].partition("=")[2], rest)


def _prepare(workspace: Workspace, args: list[str]) -> list[str]:
    """Add ``process=`` implied by the scenarios; check override keys."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from procsim.config.compose import _names_of, check_overrides, implied_process

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
                names += [n for t in o.sweep_string_iterator() for n in _names_of(t)]
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
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def _run_hydra(workspace: Workspace, args: list[str]) -> None:
    import hydra

    from procsim.config.compose import register_defaults

    register_defaults()
    task = hydra.main(version_base=None, config_path=str(workspace.conf), config_name="config")(
        lambda cfg: _job(cfg, workspace)
    )
    from procsim.cli.sweep_callback import LAST_SWEEP, TARGET

    saved = sys.argv
    sys.argv = [saved[0] if saved else "procsim", *args, *_hydra_settings(TARGET)]

    LAST_SWEEP.clear()
    try:
        task()
        if LAST_SWEEP.get("failed"):
            raise SystemExit(EXIT_USER_ERROR)
    except SystemExit as exc:
        # Hydra reports its own composition errors with exit 1; they are input errors too.
        if exc.code == 1:
            raise SystemExit(EXIT_USER_ERROR) from None
        raise
    finally:
        sys.argv = saved


def _hydra_settings(collector: str) -> list[str]:
    """Hydra settings procsim needs whatever the workspace's ``conf/config.yaml`` says.

    The sweep collector is procsim's own (a workspace written by an older procsim names it by
    its old import path), and the job log keeps its name (``cli.log``) wherever the command's
    module lives.
    """
    return [f"++hydra.callbacks.collect_sweep._target_={collector}", "hydra.job.name=cli"]


class _Progress:
    """A progress bar on a terminal (nothing when piped or in a sweep's jobs).

    The runner counts simulation runs, one per model and replication, so with a redesign the
    total is twice the replications asked for; the bar says so rather than calling 80 runs
    "80 replications" when 40 were asked for.
    """

    WIDTH = 30

    def __init__(self, enabled: bool, models: int = 1) -> None:
        self.enabled = enabled
        self.models = max(models, 1)
        self.started = time.perf_counter()
        self.last = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if done <= self.last:  # a new batch (replications added for run.precision)
            self.started = time.perf_counter()
        self.last = done
        elapsed = time.perf_counter() - self.started
        filled = int(self.WIDTH * done / max(total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        eta = elapsed / done * (total - done) if done else 0.0
        end = "\n" if done == total else ""
        print(
            f"\r  [{bar}] {self.label(done, total)}  {elapsed:5.1f} s  eta {eta:5.1f} s",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    def label(self, done: int, total: int) -> str:
        """``12/40 replications``, or ``12/80 runs (2 models x 40 replications)``."""
        if self.models == 1:
            return f"{done}/{total} replications"
        return f"{done}/{total} runs ({self.models} models x {total // self.models} replications)"


def _figures_and_report(folder: Path) -> Path | None:
    """Draw the figures and write the report; a failure here never loses the saved tables."""
    from procsim.review.figures.run_figures import make_figures
    from procsim.review.report.build import build_report

    try:
        make_figures(folder)
        html, _ = build_report(folder)
    except Exception as exc:  # the tables are saved; `procsim-report` can retry
        print(
            f"warning: figures/report not written ({type(exc).__name__}: {exc}). The tables are "
            f"saved; retry with: procsim-report {folder}",
            file=sys.stderr,
        )
        return None
    return html


def _optimize(study: Any, container: dict[str, Any], out_dir: Path, overrides: list[str]) -> None:
    """``optimize=staffing``: the staffing search on the redesign (or the current process)."""
    from procsim.errors import Issue, ModelError
    from procsim.files import write_table, write_text
    from procsim.study.staffing_search import search_staffing

    if container.get("optimize") != "staffing":
        raise ModelError(
            [Issue("optimize", "unknown search", "staffing", repr(container.get("optimize")),
                   "use optimize=staffing")],
            "the command line",
        )  # fmt: skip
    label = list(study.configs)[-1]
    roles = list(container.get("optimize_roles") or []) or None
    print(f"staffing search on {label}: analytic bounds, then simulation")
    search = search_staffing(study.configs[label], roles, progress=print)
    if len(search.evaluated):
        write_table(search.evaluated, out_dir / "tables", "staffing_search")
    lines = [
        f"lower bounds (offered load < 1): {search.lower_bounds}",
        f"analytic proposal: {search.analytic_start}",
    ]
    if search.chosen is None:
        lines.append(search.reason)
    else:
        best = search.evaluated.iloc[0]
        lines.append(
            f"cheapest staffing meeting every target: {search.chosen} "
            f"(staff cost {best['staff_cost_per_day']:,.0f} per day)"
        )
        for row in search.runners_up().to_dict("records"):
            staffing = {r: int(row[r]) for r in search.chosen}
            lines.append(f"  runner-up: {staffing} ({row['staff_cost_per_day']:,.0f} per day)")
    text = "\n".join(lines)
    write_text(out_dir / "staffing_search.txt", text + "\n")
    print("\n" + text + f"\nresults: {out_dir}")
    from procsim.study.sweep import record_job

    record_job(out_dir, "ok", overrides)


def _already_done(out_dir: Path, overrides: list[str]) -> bool:
    """Whether a job folder holds a finished run of these very overrides."""
    import json

    info_path = out_dir / "job.json"
    if not info_path.is_file() or not (out_dir / "tables" / "summary.parquet").is_file():
        return False
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(info.get("status") == "ok" and info.get("overrides") == overrides)


def _job(cfg: Any, workspace: Workspace) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from procsim.config.compose import resolve_study
    from procsim.files import write_text
    from procsim.study import api
    from procsim.study.sweep import record_job

    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    overrides = list(hc.overrides.task)
    in_sweep = hc.mode == RunMode.MULTIRUN
    # Hydra records a deletion in a sweep job as "~key=null", which would only delete a null.
    replay = [o.removesuffix("=null") if o.startswith("~") else o for o in overrides]
    command = "procsim " + " ".join(shlex.quote(o) for o in replay)
    if in_sweep and _already_done(out_dir, overrides):
        # A sweep run again into the same folder (hydra.sweep.dir=...) resumes: finished jobs
        # are kept as they are.
        print(f"job {out_dir.name}: done in an earlier run of this sweep; kept")
        return
    try:
        raw = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(raw, dict)
        container: dict[str, Any] = {str(k): v for k, v in raw.items()}
        launcher = str(hc.launcher.get("_target_", ""))
        if in_sweep and any(k in launcher for k in ("joblib", "LocalLauncher", "RayLauncher")):
            # Jobs already run in parallel on this machine: replications inside a job must
            # not compete for the same cores.
            container.setdefault("run", {})["workers"] = 1
        study = resolve_study(container, overrides, workspace)
        if container.get("optimize") is not None:
            _optimize(study, container, out_dir, overrides)
            return
        for label, description in study.descriptions.items():
            if description and label != "current":
                print(f"scenario {label}: {description}")
        progress = _Progress(sys.stderr.isatty() and not in_sweep, len(study.configs))
        # Validation warnings (an overloaded role) before the run; the summary at the end
        # repeats only the others (truncated runs, precision, ...).
        early: set[str] = set()

        def warn_early(text: str) -> None:
            early.add(text)
            print(f"warning: {text}", file=sys.stderr)

        results = api.run(study, progress, warn=warn_early)
    except KeyboardInterrupt:
        print("\nprocsim: interrupted (Ctrl-C) before two replications finished; nothing "
              "saved", file=sys.stderr)  # fmt: skip
        if in_sweep:
            record_job(out_dir, "interrupted", overrides, "Ctrl-C")
        raise SystemExit(130) from None
    except ProcsimError as exc:
        write_text(out_dir / "error.txt", f"{command}\n\n{exc}\n")
        print(f"procsim: error: {exc}", file=sys.stderr)
        if not in_sweep:
            raise SystemExit(EXIT_USER_ERROR) from None
        record_job(out_dir, "failed", overrides, str(exc))
        return
    except Exception as exc:
        if not in_sweep:
            raise
        # A bug, not bad input; still, one job must not take the finished ones down with it.
        import traceback

        text = traceback.format_exc()
        write_text(out_dir / "error.txt", f"{command}\n\n{text}\n")
        print(f"procsim: job failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        record_job(out_dir, "failed", overrides, f"{type(exc).__name__}: {exc}")
        return
    results.save(out_dir, command=command)
    if results.interrupted:
        record_job(out_dir, "interrupted", overrides, results.warnings[0])
        print(f"procsim: {results.warnings[0]}; saved in {out_dir}", file=sys.stderr)
        _figures_and_report(out_dir)
        # 130 is the shell's code for Ctrl-C; a worker that died is a failure of the run.
        raise SystemExit(130 if results.interrupted_by == "Ctrl-C" else 1)
    record_job(out_dir, "ok", overrides, warnings=results.warnings)
    report = _figures_and_report(out_dir)
    run = results.run
    names = list(results.models)
    base = results.models[names[0]]
    length = (
        f"horizon {run.horizon:g} {base.time_unit}"
        if run.horizon is not None
        else f"{run.cases} cases"
    )
    print(
        f"\n{base.name}: {' vs '.join(names)} | {run.replications} replications, {length}, "
        f"warm-up {run.warmup:g} {base.time_unit}, seed {run.seed}\n"
    )
    print(results.table())
    if results.analytic is not None:
        quick = results.analytic.query("metric == 'cycle_time_mean'")
        text = ", ".join(f"{r.scenario} {r.analytic:.3g}" for r in quick.itertuples())
        averaged = [
            what
            for what, used in (
                ("shifts", any(r.shifts is not None for r in base.roles)),
                ("time-varying arrivals", base.arrival_profile is not None),
                ("priorities", len({t.priority for t in base.case_types}) > 1),
                ("batching", any(s.batch is not None for s in base.stages)),
                ("abandonment", any(s.patience is not None for s in base.stages)),
                ("parallel work", any(s.split for s in base.stages)),
            )
            if used
        ]
        caveat = (
            f" (it averages away {', '.join(averaged)}: a rough first answer only)"
            if averaged
            else ""
        )
        print(
            f"\nanalytic estimate of the mean cycle time (Erlang C network, in "
            f"{base.time_unit}): {text}{caveat}; all estimates in tables/analytic.csv"
        )
    for note in results.notes:
        print(f"note: {note}")
    for warning in results.warnings:
        if warning not in early:
            print(f"warning: {warning}", file=sys.stderr)
    if report is not None:
        print(f"\nreport: {report}")
    print(f"results: {out_dir}")
