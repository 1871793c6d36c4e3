"""Which procsim, and which libraries, produced a result.

At the bottom of the data flow with :mod:`procsim.errors` and :mod:`procsim.files`: every
stage may record these, none of them imports anything of procsim.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

#: Libraries whose versions can change the numbers.
LIBRARIES = ("procsim", "numpy", "scipy", "pandas", "simpy", "pyarrow", "hydra-core")


def versions() -> dict[str, str]:
    """Python and library versions, as recorded in ``run.json``."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
