"""Where the analyst's workspace is: ``conf/``, ``scenarios/`` and ``experiments/``.

Sits at the edge, before config composition. Found like git finds ``.git``: the nearest folder,
from the working directory upwards, that has ``conf/config.yaml``. Without one, the examples
bundled with procsim are used (packaged in the wheel; the source checkout for an editable
install). ``PROCSIM_WORKSPACE`` names a workspace explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from procsim.errors import Issue, ModelError, ProcsimError, did_you_mean

ENV_VAR = "PROCSIM_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    """The three folders of a workspace and how it was found."""

    root: Path
    origin: str

    @property
    def conf(self) -> Path:
        """Hydra config folder: ``config.yaml``, ``process/``, ``run/``."""
        return self.root / "conf"

    @property
    def scenarios(self) -> Path:
        """One YAML diff per redesign."""
        return self.root / "scenarios"

    @property
    def experiments(self) -> Path:
        """Named studies (Hydra multirun configs)."""
        return self.root / "experiments"

    def processes(self) -> dict[str, str]:
        """Process name -> one-line description."""
        return {
            p.stem: _description(p, ("process", "description"))
            for p in sorted((self.conf / "process").glob("*.yaml"))
        }

    def scenario_names(self) -> dict[str, str]:
        """Scenario name -> one-line description."""
        return {
            p.stem: _description(p, ("description",)) for p in sorted(self.scenarios.glob("*.yaml"))
        }

    def experiment_names(self) -> dict[str, str]:
        """Experiment name -> one-line description."""
        return {
            p.stem: _description(p, ("description",))
            for p in sorted(self.experiments.glob("*.yaml"))
        }

    def scenario_file(self, name: str) -> Path:
        """Path of scenario ``name``; a :class:`ModelError` with a hint when there is none."""
        path = self.scenarios / f"{name}.yaml"
        if not path.is_file():
            known = self.scenario_names()
            raise ModelError(
                [
                    Issue(
                        "scenario",
                        f"unknown scenario '{name}'",
                        f"a file {self.scenarios}/<name>.yaml",
                        repr(name),
                        did_you_mean(name, known) if known else f"create {path}",
                    )
                ],
                "the command line",
            )
        return path


def _description(path: Path, keys: tuple[str, ...]) -> str:
    try:
        node = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in keys:
            node = node[key]
        return " ".join(str(node).split())
    except Exception:  # a broken file still shows up in the list; validation reports it
        return ""


def _is_workspace(folder: Path) -> bool:
    return (folder / "conf" / "config.yaml").is_file()


def find_workspace(start: Path | None = None) -> Workspace:
    """Locate the workspace.

    Parameters
    ----------
    start
        Folder to search upwards from (default: the working directory).

    Raises
    ------
    ProcsimError
        When ``PROCSIM_WORKSPACE`` names a folder that is not a workspace, or no workspace
        and no bundled examples exist.
    """
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not _is_workspace(root):
            raise ProcsimError(
                f"{ENV_VAR}={explicit}: not a procsim workspace (expected "
                f"{root}/conf/config.yaml). Hint: unset it to use the bundled "
                "examples, or point it at a folder with conf/, scenarios/"
            )
        return Workspace(root, f"{ENV_VAR}")
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_workspace(folder):
            return Workspace(folder, "working directory")
    package = Path(__file__).resolve().parents[1]  # the procsim package
    bundled = package / "_bundled"
    if _is_workspace(bundled):
        return Workspace(bundled, "bundled examples")
    checkout = package.parents[1]
    if _is_workspace(checkout):
        return Workspace(checkout, "bundled examples")
    raise ProcsimError(
        "no procsim workspace found: no conf/config.yaml here or above, and no "
        "bundled examples. Hint: run from a folder with conf/ and scenarios/, or "
        f"set {ENV_VAR}"
    )
