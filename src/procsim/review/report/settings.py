"""The "Run settings" section: how the run was set up and the command that reproduces it.

Reads ``run.json`` of the :class:`~procsim.review.report.run_folder.RunFolder`; the last
section of the report.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from procsim.review.report.blocks import Block, Cell, Code, Heading, Para, Table
from procsim.review.report.config_values import as_text, mapping
from procsim.review.report.run_folder import RunFolder
from procsim.review.report.values import as_number, duration_text
from procsim.review.terminal import level_text


def settings_section(run: RunFolder) -> list[Block]:
    """The settings table, the command (exact, or rebuilt from the overrides) and, with
    redesigns, a note on common random numbers."""
    command, how = _command(run.info)
    blocks: list[Block] = [
        Heading(2, "Run settings and how to reproduce it"),
        Table(["setting", "value"], _settings(run), css="settings"),
        Para(how),
    ]
    if command:
        blocks.append(Code(command))
    if len(run.labels) > 1:
        blocks.append(
            Para(
                "Replications use common random numbers: every scenario sees the same arrivals "
                "and the same random draws, so the differences are paired replication by "
                "replication.",
                "note",
            )
        )
    return blocks


def _settings(run: RunFolder) -> list[list[Cell]]:
    """``(setting, value)`` rows: length, warm-up, seed, confidence, unit, version, folder."""
    info, unit = run.info, run.unit
    r = mapping(info.get("run"))
    rows: list[list[Cell]] = [["replications", as_text(r.get("replications"))]]
    if r.get("cases") is not None:
        rows.append(["length", f"{as_text(r.get('cases'))} cases per replication"])
    else:
        rows.append(["horizon", duration_text(r.get("horizon"), unit)])
    warm = as_number(r.get("warmup"))
    warm_text = duration_text(warm, unit) if warm > 0 else "none (the run starts empty)"
    if r.get("auto_warmup"):
        warm_text += ", estimated (MSER-5)"
    rows.append(["warm-up", warm_text])
    rows.append(["seed", as_text(r.get("seed"))])
    if r.get("confidence") is not None:
        rows.append(["confidence level", level_text(as_number(r.get("confidence")))])
    if r.get("precision") is not None:
        rows.append(["precision asked", f"{as_number(r.get('precision')) * 100:.4g}% of the mean"])
    rows.append(["time unit", unit])
    rows.append(["procsim version", as_text(info.get("procsim_version"))])
    rows.append(["run folder", str(run.folder.resolve())])
    if info.get("overrides"):
        rows.append(["overrides", " ".join(str(o) for o in info["overrides"])])
    return rows


def _command(info: Mapping[str, Any]) -> tuple[str, str]:
    """(command, how it was obtained)."""
    command = str(info.get("command") or "").strip()
    if command:
        return command, "The exact command of this run (from run.json):"
    overrides = [str(o) for o in info.get("overrides") or []]
    scenarios = [str(s) for s in info.get("scenarios") or []]
    if not overrides and not scenarios:
        return (
            "",
            "This run was saved from the Python API without a command and without overrides "
            "(e.g. built with procsim.from_configs); the resolved configs in resolved/ are what "
            "was simulated.",
        )
    if scenarios and not any(o.startswith("scenario=") for o in overrides):
        overrides.append("scenario=[" + ",".join(scenarios) + "]")
    return (
        "procsim " + " ".join(shlex.quote(o) for o in overrides),
        "This run was saved from the Python API; the equivalent command, rebuilt from the "
        "saved overrides:",
    )
