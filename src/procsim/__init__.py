"""procsim: discrete-event simulation for what-if process redesign.

Compose a study (the current process and a redesign), run replications on common random
numbers, and get tidy pandas tables with 95% confidence intervals::

    import procsim
    results = procsim.run(procsim.compose(scenario="merged_approval"))
    results.summary
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procsim.versions import __version__

__all__ = [
    "ModelError",
    "ProcsimError",
    "ProcsimWarning",
    "Results",
    "Study",
    "__version__",
    "compose",
    "from_configs",
    "run",
]

# The public names are imported on first use, so that `procsim --help` and the CLI's argument
# checks start without loading pandas, scipy and matplotlib.
_LAZY = {
    "Results": "procsim.study.results",
    "from_configs": "procsim.study.api",
    "run": "procsim.study.api",
    "Study": "procsim.config.composed_study",
    "compose": "procsim.config.compose",
    "ModelError": "procsim.errors",
    "ProcsimError": "procsim.errors",
    "ProcsimWarning": "procsim.errors",
}

if TYPE_CHECKING:
    from procsim.config.compose import compose
    from procsim.config.composed_study import Study
    from procsim.errors import ModelError, ProcsimError, ProcsimWarning
    from procsim.study.api import from_configs, run
    from procsim.study.results import Results


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'procsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The lazy names are not in globals() until first used; tab completion needs them now.
    return sorted(__all__)
