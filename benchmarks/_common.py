"""What every benchmark script records about the machine it ran on, and its shared options."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import time
from collections.abc import Iterator
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


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, steal) jiffies of all CPUs since boot, from /proc/stat (None elsewhere)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return user + nice + system + irq + softirq, steal
    return None


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextlib.contextmanager
def foreign_cpu(record: dict[str, Any]) -> Iterator[None]:
    """Record the CPU seconds that processes other than this one (and its children) used."""
    hz = os.sysconf("SC_CLK_TCK")
    start, own0, t0 = _cpu_jiffies(), _own_cpu_s(), time.perf_counter()
    yield
    # Reap the pool's workers first (the runner shuts its pool down without waiting), so that
    # their CPU time counts as this process's children's.
    import multiprocessing

    limit = time.perf_counter() + 10
    while multiprocessing.active_children() and time.perf_counter() < limit:
        time.sleep(0.01)
    end, own1, wall = _cpu_jiffies(), _own_cpu_s(), time.perf_counter() - t0
    if start is None or end is None:
        return
    busy = (end[0] - start[0]) / hz
    record["other_processes_cpu_s"] = round(max(busy - (own1 - own0), 0.0), 2)
    record["steal_cpu_s"] = round((end[1] - start[1]) / hz, 2)
    record["other_share_of_machine"] = round(
        record["other_processes_cpu_s"] / (wall * (os.cpu_count() or 1)), 3
    )


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
