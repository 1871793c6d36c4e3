"""procsim: discrete-event simulation for what-if process redesign.

Compose a study (the current process and a redesign), run replications on common random
numbers, and get tidy pandas tables with 95% confidence intervals::

    import procsim
    results = procsim.run(procsim.compose(scenario="merged_approval"))
    results.summary
"""

__version__ = "0.1.0"

from procsim.api import Results, from_configs, run
from procsim.config import Study, compose
from procsim.errors import ModelError, ProcsimError

__all__ = [
    "ModelError",
    "ProcsimError",
    "Results",
    "Study",
    "__version__",
    "compose",
    "from_configs",
    "run",
]
