"""``procsim-reproduce <run folder>``: run a saved study again and check the tables match.

Sits beside the CLI. It reads the resolved configs a run saved (``resolved/<label>.yaml``, the
exact models simulated, after scenario diffs and overrides) and the study settings from
``run.json``, simulates them again into a fresh folder, and compares the saved tables byte for
byte. Different library versions are reported, since they may change the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from procsim.errors import EXIT_USER_ERROR, ProcsimError

#: Tables compared byte for byte.
COMPARED = ("kpis.csv", "summary.csv", "comparison.csv", "targets.csv", "ranking.csv")

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


def load_study(folder: Path) -> Any:
    """The study a run folder describes (from ``run.json`` and ``resolved/``)."""
    from procsim.config import Study, load_yaml

    info_path = folder / "run.json"
    if not info_path.is_file():
        raise ProcsimError(f"{folder}: not a procsim run folder (expected {info_path}). Hint: "
                           "pass the folder a run printed as 'results: ...'")  # fmt: skip
    info = json.loads(info_path.read_text(encoding="utf-8"))
    labels = list(info.get("models", {}))
    from procsim.output import file_sha256

    recorded = info.get("inputs_sha256", {})
    configs = {}
    for label in labels:
        path = folder / "resolved" / f"{label}.yaml"
        if not path.is_file():
            raise ProcsimError(f"{path}: missing; the run folder is incomplete")
        expected = recorded.get(f"resolved/{label}.yaml")
        if expected is not None and file_sha256(path) != expected:
            raise ProcsimError(
                f"{path}: changed since the run (its SHA-256 differs from the one in run.json), "
                "so it is not the configuration that produced these results. Hint: restore the "
                "file, or run the changed configuration as a new study"
            )
        configs[label] = load_yaml(path)
    study = Study(configs=configs, scenarios=info.get("scenarios", []),
                  descriptions=info.get("descriptions", {}),
                  overrides=info.get("overrides", []),
                  rank_by=info.get("rank_by", "cycle_time_mean"))  # fmt: skip
    return study, info


def reproduce(folder: Path, into: Path) -> tuple[list[str], list[str]]:
    """Run the study of ``folder`` again into ``into``; return (differing tables, notes)."""
    from procsim import api

    study, info = load_study(folder)
    notes = []
    recorded = info.get("versions", {})
    for name, now in versions().items():
        if recorded.get(name) not in (None, now):
            notes.append(f"{name} was {recorded[name]}, now {now}: numbers may differ")
    api.run(study).save(into, command=info.get("command", ""))
    differing = []
    for name in COMPARED:
        old, new = folder / "tables" / name, into / "tables" / name
        if old.is_file() != new.is_file() or (
            old.is_file() and old.read_bytes() != new.read_bytes()
        ):
            differing.append(name)
    return differing, notes


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-reproduce``."""
    parser = argparse.ArgumentParser(
        prog="procsim-reproduce",
        description="Run a saved procsim study again and check that its tables are identical.",
    )
    parser.add_argument("folder", type=Path, help="a run folder (it holds run.json)")
    parser.add_argument("--into", type=Path, help="where to write the new run (default: a "
                        "temporary folder, removed afterwards)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.into is not None:
            differing, notes = reproduce(args.folder, args.into)
        else:
            with tempfile.TemporaryDirectory(prefix="procsim-reproduce-") as tmp:
                differing, notes = reproduce(args.folder, Path(tmp))
    except ProcsimError as exc:
        print(f"procsim-reproduce: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
    for note in notes:
        print(f"note: {note}")
    if differing:
        print(f"NOT reproduced: {', '.join(differing)} differ from {args.folder}")
        raise SystemExit(1)
    print(f"reproduced: every table of {args.folder} is identical")


if __name__ == "__main__":  # pragma: no cover
    main()
