"""Composing with Hydra: the workspace's ``conf/`` and the overrides -> one plain mapping.

Sits at the edge, under everything that needs a composed config: the override checks
(:mod:`procsim.config.override_checks`), :func:`procsim.config.compose.compose` and the
``procsim`` command (:mod:`procsim.cli.hydra_run`), which registers the run-setting defaults
before Hydra composes. What it returns goes on to :func:`procsim.config.resolve.resolve_study`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import yaml

from procsim.config.workspace import Workspace
from procsim.errors import ProcsimError
from procsim.model.process import INTERNAL_RUN_FIELDS, RunSettings


def compose_config(
    workspace: Workspace, overrides: Sequence[str], resolve: bool = True
) -> dict[str, Any]:
    """Hydra's composed config for ``overrides``, as a plain dict (without ``hydra``)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    register_defaults()
    try:
        with initialize_config_dir(
            config_dir=str(workspace.conf), version_base=None, job_name="procsim"
        ):
            cfg = hydra_compose(config_name="config", overrides=list(overrides))
        container = OmegaConf.to_container(cfg, resolve=resolve)
    except (HydraException, OmegaConfBaseException, yaml.YAMLError) as exc:
        cause = exc.__cause__ or exc.__context__
        detail = " ".join(str(exc).split())
        if isinstance(cause, yaml.YAMLError) or isinstance(exc, yaml.YAMLError):
            detail = " ".join(str(cause if cause else exc).split())
        raise ProcsimError(
            f"cannot compose the configuration from {workspace.conf}: {detail}. "
            "Hint: check the YAML file named above (indentation, brackets, "
            "quotes)"
        ) from None
    assert isinstance(container, dict)
    container.pop("hydra", None)
    return {str(k): v for k, v in container.items()}


def settings_dict() -> dict[str, Any]:
    """Run-setting defaults from the one schema, :class:`~procsim.model.process.RunSettings`."""
    values = dataclasses.asdict(RunSettings())
    values["precision_kpis"] = list(values["precision_kpis"])
    return {k: v for k, v in values.items() if k not in INTERNAL_RUN_FIELDS}


def register_defaults() -> None:
    """Put the run-setting defaults into Hydra's ConfigStore as ``procsim_defaults``."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="procsim_defaults", node={"run": settings_dict()})
