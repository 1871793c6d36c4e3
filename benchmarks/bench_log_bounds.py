"""A gzip bomb as an event log: ``procsim-fit`` must refuse it quickly, in bounded memory.

Builds ``bomb.csv.gz`` in a temporary folder (a few MB that expand to 1 GB of one repeated
row, the case of issue 23), runs ``procsim-fit log=bomb.csv.gz`` as a user would, and records
the exit code, the message, the wall time and the peak resident memory of the command (its
``ru_maxrss``). The same for an XES bomb. Checks: exit code 2, the bound named, no traceback,
peak memory under 3 GB.

Usage: ``python benchmarks/bench_log_bounds.py [--size-gb 1]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROW = b"1,a,2024-03-01T08:00:00+00:00,2024-03-01T09:00:00+00:00,ann\n"
HEADER = b"case_id,activity,start_time,end_time,resource\n"
TRACE = (
    b'<trace><string key="concept:name" value="c"/><event><string key="concept:name" '
    b'value="a"/><date key="time:timestamp" value="2024-03-01T09:00:00+00:00"/></event>'
    b"</trace>\n"
)
XES_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'


def bomb(path: Path, head: bytes, unit: bytes, size: int, tail: bytes = b"") -> None:
    """``head`` then ``unit`` repeated to ``size`` bytes, gzip-compressed, written to ``path``."""
    block = unit * max(1, (1 << 20) // len(unit))
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    with open(path, "wb") as fh:
        fh.write(comp.compress(head))
        written = 0
        while written < size:
            fh.write(comp.compress(block))
            written += len(block)
        fh.write(comp.compress(tail))
        fh.write(comp.flush())


def run(log: Path, folder: Path) -> dict[str, object]:
    """``procsim-fit`` on the log in a child process: exit code, message, time, peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "procsim.cli.fit",
            f"log={log}",
            "name=bomb",
            "report=false",
            f"out={folder / 'bomb.yaml'}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
    )
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux
    return {
        "file_mb": round(log.stat().st_size / 1e6, 2),
        "exit_code": done.returncode,
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(max(peak, before) / 1024, 0),
        "traceback": "Traceback" in done.stderr,
        "message": done.stderr.strip()[:400],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    args = parser.parse_args()
    size = int(args.size_gb * 1e9)
    results: dict[str, object] = {"expanded_bytes": size}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "bomb.csv.gz"
        bomb(csv, HEADER, ROW, size)
        results["csv"] = run(csv, folder)
        os.unlink(csv)
        xes = folder / "bomb.xes.gz"
        bomb(xes, XES_HEAD, TRACE, size, b"</log>\n")
        results["xes"] = run(xes, folder)
    ok = all(
        r["exit_code"] == 2 and not r["traceback"] and float(r["peak_rss_mb"]) < 3000  # type: ignore[index,arg-type]
        for r in (results["csv"], results["xes"])
    )
    results["ok"] = ok
    print(json.dumps(results, indent=2))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
