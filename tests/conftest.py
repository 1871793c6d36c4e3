"""Suite-wide hooks."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many random cases the property-based tests tried."""
    fuzz = sys.modules.get("test_fuzz")
    tried = getattr(fuzz, "TRIED", None)
    if tried and any(tried.values()):
        terminalreporter.write_line(
            f"fuzzing: {tried['valid']} random valid processes, {tried['invalid']} broken "
            f"configs and {tried.get('logs', 0)} broken event logs tried"
        )
