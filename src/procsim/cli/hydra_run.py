"""Running Hydra: the prepared command line in, one :func:`procsim.cli.job.run_job` per job.

Sits between the prepared command line (:mod:`procsim.cli.prepare`) and the jobs: it registers
procsim's run-setting defaults, installs the sweep collector
(:mod:`procsim.cli.sweep_callback`) and maps Hydra's exit codes onto procsim's.
"""

from __future__ import annotations

import sys

from procsim.config.workspace import Workspace
from procsim.errors import EXIT_USER_ERROR


def run_hydra(workspace: Workspace, args: list[str]) -> None:
    """Run the command line through Hydra: one job, or a sweep's jobs and their collection.

    Parameters
    ----------
    workspace
        Its ``conf/`` is Hydra's config folder.
    args
        The prepared command line (:func:`procsim.cli.prepare.prepare_command_line`).

    Raises
    ------
    SystemExit
        2 for bad input (Hydra's own composition errors too) and a sweep with a failed job.
    """
    import hydra

    from procsim.cli.job import run_job
    from procsim.config.hydra_compose import register_defaults

    register_defaults()
    task = hydra.main(version_base=None, config_path=str(workspace.conf), config_name="config")(
        lambda cfg: run_job(cfg, workspace)
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
