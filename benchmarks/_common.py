"""What every benchmark script records about the machine it ran on, and its shared options."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def machine_info(**versions: str) -> dict[str, Any]:
    """CPU model, cores, load average at start, Python and platform, plus ``versions``."""
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load: list[float] | None = None
    with contextlib.suppress(OSError, AttributeError):
        load = [round(x, 2) for x in os.getloadavg()]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_1min_at_start": load[0] if load else None,
        "load_at_start": load,
        "python": platform.python_version(),
        **versions,
        "platform": platform.platform(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether src/ had uncommitted changes."""
    out: dict[str, Any] = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(HERE.parent)]
        out["commit"] = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True
        ).stdout
        out["src_dirty"] = bool(status.strip())
    return out


def add_baseline_options(parser: argparse.ArgumentParser, baseline: Path, check: str) -> None:
    """--json, --record, --check and --baseline, the same in every script; ``check`` says
    what makes --check fail."""
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures to OUT")
    parser.add_argument(
        "--record", action="store_true", help="write the figures to the baseline file"
    )
    parser.add_argument("--check", action="store_true", help=check)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=baseline,
        help=f"baseline for --check and --record (default: benchmarks/{baseline.name})",
    )


def report_check(problems: list[str], title: str, ok: str) -> int:
    """Print the outcome of a regression check loudly; exit status 1 when anything failed."""
    if not problems:
        print(ok)
        return 0
    bar = "#" * 78
    print(f"\n{bar}\n# {title}:")
    for problem in problems:
        print(f"#   {problem}")
    print(bar)
    return 1


def write_figures(res: dict[str, Any], *paths: Path | None) -> None:
    """The figures as JSON into each given path."""
    import json

    for path in paths:
        if path is not None:
            path.write_text(json.dumps(res, indent=2) + "\n")
            print(f"figures written to {path}")
