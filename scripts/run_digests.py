"""Digests of every file a run writes, for every bundled process and scenario.

A refactoring must not change what procsim writes: run this before and after, then compare
the two outputs (``diff``). Files that legitimately differ between two runs of the same
command (``run.json`` and the ``.hydra`` folder record the time and the folder) are skipped.

    python scripts/run_digests.py > before.txt
    ... change the code ...
    python scripts/run_digests.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["run.replications=3", "run.horizon=2w", "run.warmup=1d"]
#: Files whose content records when or where a run happened.
VARIABLE = {"run.json", "job.json"}


def _studies() -> list[tuple[str, list[str]]]:
    processes = sorted(p.stem for p in (ROOT / "conf" / "process").glob("*.yaml"))
    scenarios = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    studies = [(f"process={p}", [f"process={p}", *SHORT]) for p in processes]
    studies += [(f"scenario={s}", [f"scenario={s}", *SHORT]) for s in scenarios]
    studies.append(
        ("compare", ["compare=[merged_approval,automated_intake,parallel_approvals]", *SHORT])
    )
    return studies


def _digests(folder: Path) -> list[str]:
    lines = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] == ".hydra" or path.name in VARIABLE:
            continue
        # Where the run and the checkout are is recorded in some files (the log a fit read).
        data = path.read_bytes().replace(str(folder).encode(), b"<run>")
        data = data.replace(str(ROOT).encode(), b"<checkout>")
        # A fit's report folder is named after the time it ran.
        name = re.sub(r"outputs/[\d-]+/[\d-]+-", "outputs/<time>-", rel.as_posix())
        lines.append(f"  {hashlib.sha256(data).hexdigest()[:16]}  {name}")
    return lines


def _run(command: list[str], folder: Path) -> list[str]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    status = [f"  exit {done.returncode}"]
    if done.returncode:
        status.append("  " + done.stderr.strip().splitlines()[-1] if done.stderr else "")
    return status + _digests(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only studies whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, overrides in _studies():
            if args.only and args.only not in name:
                continue
            folder = Path(tmp) / name.replace("=", "_")
            cmd = ["procsim", *overrides, f"hydra.run.dir={folder}"]
            print(name, flush=True)
            print("\n".join(_run(cmd, folder)), flush=True)
        sample = ROOT / "tests" / "data" / "bpic2012_w_sample.csv.gz"
        if args.only is None or "fit" in args.only:
            # Outside a workspace procsim-fit makes one, where procsim-validate then runs.
            work = Path(tmp) / "fit"
            work.mkdir()
            for command in (
                ["procsim-fit", f"log={sample}", "name=sample"],
                ["procsim-validate", f"log={sample}", "process=sample", "runs=2"],
            ):
                print(command[0], flush=True)
                done = subprocess.run(command, cwd=work, capture_output=True, text=True)
                print(f"  exit {done.returncode}")
            print("\n".join(_digests(work)), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
