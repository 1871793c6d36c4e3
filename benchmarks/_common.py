"""What every benchmark script records about the machine it ran on."""

from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path
from typing import Any


def machine_info(**versions: str) -> dict[str, Any]:
    """CPU model, cores, load average at start, Python and platform, plus ``versions``."""
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = None
    with contextlib.suppress(OSError, AttributeError):
        load = round(os.getloadavg()[0], 2)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_1min_at_start": load,
        "python": platform.python_version(),
        **versions,
        "platform": platform.platform(),
    }
