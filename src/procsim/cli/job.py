"""One job of ``procsim``: a run, or one job of a sweep, from Hydra's config to the saved run.

Sits under :mod:`procsim.cli.hydra_run`, which hands every job Hydra starts to :func:`run_job`.
The happy path resolves the study (:mod:`procsim.config.resolve`), runs it
(:func:`procsim.run`), saves the tables, figures and report, and prints the headline
(:mod:`procsim.cli.printout`). Bad input fails the job with a message and exit 2; in a sweep a
failed job is recorded and the sweep goes on.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from procsim.cli.printout import print_results
from procsim.cli.progress import ProgressBar
from procsim.cli.staffing_command import run_staffing_search
from procsim.config.workspace import Workspace
from procsim.errors import EXIT_USER_ERROR, ProcsimError

if TYPE_CHECKING:
    from procsim.study.results import Results


@dataclass(frozen=True)
class Job:
    """One job as Hydra started it.

    Attributes
    ----------
    folder
        The job's run folder.
    overrides
        The job's overrides, as Hydra records them.
    in_sweep
        Whether the job is one of a sweep (Hydra multirun).
    launcher
        The import path of Hydra's launcher.
    command
        The ``procsim`` command line that runs this job again.
    """

    folder: Path
    overrides: list[str]
    in_sweep: bool
    launcher: str
    command: str


def run_job(cfg: Any, workspace: Workspace) -> None:
    """Run one job: the task function Hydra calls with the job's composed config.

    Parameters
    ----------
    cfg
        Hydra's composed config of the job.
    workspace
        Where the scenarios live.
    """
    job = _this_job()
    if job.in_sweep and _already_done(job.folder, job.overrides):
        # A sweep run again into the same folder (hydra.sweep.dir=...) resumes: finished jobs
        # are kept as they are.
        print(f"job {job.folder.name}: done in an earlier run of this sweep; kept")
        return
    try:
        outcome = _simulate(cfg, job, workspace)
    except KeyboardInterrupt:
        _interrupted_before_saving(job)
    except ProcsimError as exc:
        _failed_on_input(job, exc)
        return
    except Exception as exc:
        if not job.in_sweep:
            raise
        _failed_on_a_bug(job, exc)
        return
    if outcome is not None:
        _save_and_print(job, *outcome)


def _this_job() -> Job:
    """The job Hydra is running now."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hc = HydraConfig.get()
    overrides = list(hc.overrides.task)
    # Hydra records a deletion in a sweep job as "~key=null", which would only delete a null.
    replay = [o.removesuffix("=null") if o.startswith("~") else o for o in overrides]
    return Job(
        folder=Path(hc.runtime.output_dir),
        overrides=overrides,
        in_sweep=hc.mode == RunMode.MULTIRUN,
        launcher=str(hc.launcher.get("_target_", "")),
        command="procsim " + " ".join(shlex.quote(o) for o in replay),
    )


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


def _simulate(cfg: Any, job: Job, workspace: Workspace) -> tuple[Results, set[str]] | None:
    """The study the job's config makes, run: the results and the warnings printed before the
    run. None when the job is a staffing search, which saves and prints its own outcome."""
    from omegaconf import OmegaConf

    from procsim.config.resolve import resolve_study
    from procsim.study import api

    raw = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(raw, dict)
    container: dict[str, Any] = {str(k): v for k, v in raw.items()}
    if job.in_sweep and any(k in job.launcher for k in ("joblib", "LocalLauncher", "RayLauncher")):
        # Jobs already run in parallel on this machine: replications inside a job must
        # not compete for the same cores.
        container.setdefault("run", {})["workers"] = 1
    study = resolve_study(container, job.overrides, workspace)
    if container.get("optimize") is not None:
        run_staffing_search(study, container, job.folder, job.overrides)
        return None
    for label, description in study.descriptions.items():
        if description and label != "current":
            print(f"scenario {label}: {description}")
    progress = ProgressBar(sys.stderr.isatty() and not job.in_sweep, len(study.configs))
    # Validation warnings (an overloaded role) before the run; the summary at the end
    # repeats only the others (truncated runs, precision, ...).
    early: set[str] = set()

    def warn_early(text: str) -> None:
        early.add(text)
        print(f"warning: {text}", file=sys.stderr)

    return api.run(study, progress, warn=warn_early), early


def _save_and_print(job: Job, results: Results, early: set[str]) -> None:
    """Save the results, the figures and the report; print the headline (or the interruption)."""
    from procsim.study.sweep import record_job

    # The figures and the report come after the job's status is recorded (below).
    results.save(job.folder, command=job.command, figures=False, report=False)
    if results.interrupted:
        record_job(job.folder, "interrupted", job.overrides, results.warnings[0])
        print(f"procsim: {results.warnings[0]}; saved in {job.folder}", file=sys.stderr)
        _figures_and_report(job.folder)
        # 130 is the shell's code for Ctrl-C; a worker that died is a failure of the run.
        raise SystemExit(130 if results.interrupted_by == "Ctrl-C" else 1)
    record_job(job.folder, "ok", job.overrides, warnings=results.warnings)
    report = _figures_and_report(job.folder)
    print_results(results, early, report, job.folder)


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


def _interrupted_before_saving(job: Job) -> NoReturn:
    """Ctrl-C before two replications finished: nothing to save; exit 130 (the shell's code)."""
    from procsim.study.sweep import record_job

    print("\nprocsim: interrupted (Ctrl-C) before two replications finished; nothing "
          "saved", file=sys.stderr)  # fmt: skip
    if job.in_sweep:
        record_job(job.folder, "interrupted", job.overrides, "Ctrl-C")
    raise SystemExit(130) from None


def _failed_on_input(job: Job, exc: ProcsimError) -> None:
    """Bad input: the message into ``error.txt`` and on stderr; exit 2, or in a sweep the job
    recorded as failed."""
    from procsim.files import write_text
    from procsim.study.sweep import record_job

    write_text(job.folder / "error.txt", f"{job.command}\n\n{exc}\n")
    print(f"procsim: error: {exc}", file=sys.stderr)
    if not job.in_sweep:
        raise SystemExit(EXIT_USER_ERROR) from None
    record_job(job.folder, "failed", job.overrides, str(exc))


def _failed_on_a_bug(job: Job, exc: Exception) -> None:
    """A bug in a sweep's job, not bad input: the traceback into ``error.txt`` and the job
    recorded as failed, for one job must not take the finished ones down with it."""
    import traceback

    from procsim.files import write_text
    from procsim.study.sweep import record_job

    text = traceback.format_exc()
    write_text(job.folder / "error.txt", f"{job.command}\n\n{text}\n")
    print(f"procsim: job failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    record_job(job.folder, "failed", job.overrides, f"{type(exc).__name__}: {exc}")
