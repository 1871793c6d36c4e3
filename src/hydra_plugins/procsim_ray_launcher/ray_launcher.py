"""``hydra/launcher=ray``: each job of a sweep runs as a task on a Ray cluster (or a local Ray).

Sits at the edge with the CLI: Hydra finds launchers in the ``hydra_plugins`` namespace, so
this module lives there rather than in ``procsim``. The job itself is procsim's ordinary
job (the same code the basic, joblib and submitit launchers run), so a sweep gives the same
tables whichever launcher runs it. Hydra's own Ray launcher (``hydra-ray-launcher`` 1.2.2)
needs ``cloudpickle < 3``, which ``dask.distributed`` rules out; Ray ships its own pickler, so
this one needs nothing beyond ``ray``.
"""

# No "from __future__ import annotations": Hydra's plugin scan runs this module without
# registering it in sys.modules, and dataclasses then cannot resolve string annotations.
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, filter_overrides, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, open_dict

log = logging.getLogger(__name__)


@dataclass
class RayLauncherConf:
    """``hydra.launcher.*`` settings of the Ray launcher."""

    _target_: str = "hydra_plugins.procsim_ray_launcher.ray_launcher.RayLauncher"
    #: Ray cluster address ("auto", "ray://head:10001"); null: start a local Ray.
    address: str | None = None
    #: CPUs of a local Ray (null: all of this machine's).
    num_cpus: int | None = None


ConfigStore.instance().store(
    group="hydra/launcher", name="ray", node=RayLauncherConf, provider="procsim"
)


def execute_job(
    idx: int,
    overrides: Sequence[str],
    hydra_context: HydraContext,
    config: DictConfig,
    task_function: TaskFunction,
    singleton_state: dict[Any, Any],
) -> JobReturn:
    """Run one job inside a Ray worker, as Hydra's basic launcher would run it locally."""
    setup_globals()
    Singleton.set_state(singleton_state)
    sweep_config = hydra_context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    HydraConfig.instance().set_config(sweep_config)
    return run_job(
        hydra_context=hydra_context,
        config=sweep_config,
        task_function=task_function,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )


class RayLauncher(Launcher):
    """Launch each sweep job as a Ray task (one CPU each)."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.config = config
        self.task_function = task_function
        self.hydra_context = hydra_context

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        import ray

        setup_globals()
        assert self.config is not None and self.task_function is not None
        assert self.hydra_context is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        log.info(f"Ray is launching {len(job_overrides)} jobs; sweep output dir: {sweep_dir}")
        for idx, overrides in enumerate(job_overrides):
            log.info(f"\t#{initial_job_idx + idx} : {' '.join(filter_overrides(overrides))}")
        started = not ray.is_initialized()
        if started:
            if self.address:
                ray.init(address=self.address)
            else:
                ray.init(num_cpus=self.num_cpus, include_dashboard=False)
        try:
            remote = ray.remote(num_cpus=1)(execute_job)
            state = Singleton.get_state()
            refs = [
                remote.remote(
                    initial_job_idx + idx,
                    list(overrides),
                    self.hydra_context,
                    self.config,
                    self.task_function,
                    state,
                )
                for idx, overrides in enumerate(job_overrides)
            ]
            runs: list[JobReturn] = ray.get(refs)
        finally:
            if started:
                ray.shutdown()
        return runs
