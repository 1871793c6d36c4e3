"""``procsim-reproduce <run folder>``: run a saved study again and check the tables match.

Sits beside the CLI. It reads the resolved configs a run saved (``resolved/<label>.yaml``, the
exact models simulated, after scenario diffs and overrides) and the study settings from
``run.json``, simulates them again into a fresh folder, and compares the saved tables byte for
byte. Different library versions are reported, since they may change the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from procsim.errors import ProcsimError
from procsim.versions import versions

#: Tables compared byte for byte.
COMPARED = ("kpis.csv", "summary.csv", "comparison.csv", "targets.csv", "ranking.csv")


def load_study(folder: Path) -> Any:
    """The study a run folder describes (from ``run.json`` and ``resolved/``)."""
    from procsim.config.composed_study import Study
    from procsim.config.yaml_files import load_yaml

    info_path = folder / "run.json"
    if not info_path.is_file():
        raise ProcsimError(f"{folder}: not a procsim run folder (expected {info_path}). Hint: "
                           "pass the folder a run printed as 'results: ...'")  # fmt: skip
    info = json.loads(info_path.read_text(encoding="utf-8"))
    labels = list(info.get("models", {}))
    from procsim.files import file_sha256

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
    from procsim.study import api

    study, info = load_study(folder)
    notes = []
    recorded = info.get("versions", {})
    for name, now in versions().items():
        if recorded.get(name) not in (None, now):
            notes.append(f"{name} was {recorded[name]}, now {now}: numbers may differ")
    # Only the tables are compared: no progress bar, no warnings raised, no figures drawn.
    results = api.run(study, progress=False, warn=lambda _text: None)
    results.save(into, command=info.get("command", ""), figures=False, report=False)
    differing = []
    for name in COMPARED:
        old, new = folder / "tables" / name, into / "tables" / name
        if old.is_file() != new.is_file() or (
            old.is_file() and old.read_bytes() != new.read_bytes()
        ):
            differing.append(name)
    return differing, notes
