"""Does the model match reality? Simulate a process over the period of a held-out event log
and compare the simulated logs with the real one.

Sits after fitting (:mod:`procsim.mining.fit`) and uses the same log schema throughout
(:mod:`procsim.mining.eventlog`): the real log from :mod:`procsim.mining.log_files`, simulated
logs turned into that schema by :func:`procsim.mining.simulated_log.from_simulation`, the
distances of :mod:`procsim.mining.distances`.
The command ``procsim-validate`` (:mod:`procsim.cli.validate_log`) writes the distances (mean
and spread over repeated simulations), side-by-side figures and a short report into a run folder.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procsim.errors import Issue, ModelError, did_you_mean
from procsim.mining.distances import MEASURES, cycle_times, log_distances
from procsim.mining.eventlog import RealLog
from procsim.mining.simulated_log import from_simulation


@dataclass(frozen=True)
class Validation:
    """A real log against simulated ones.

    Attributes
    ----------
    distances
        One row per run: ``run`` and a column per measure of
        :data:`procsim.mining.distances.MEASURES`.
    summary
        One row per measure: ``measure, label, unit, mean, sd, min, max``.
    real
        The real log (local times).
    simulated
        The simulated logs, stacked, with a ``run`` column, in the real log's schema and
        activity names.
    window
        First and last case arrival of the real log: simulated cases arriving in it are kept.
    """

    distances: pd.DataFrame
    summary: pd.DataFrame
    real: pd.DataFrame
    simulated: pd.DataFrame
    window: tuple[pd.Timestamp, pd.Timestamp]


def _activity_names(model: Any, real_activities: set[str]) -> dict[str, str]:
    """Stage name -> the real log's activity name, for stages that are activities of the log
    (by name, by description as written by procsim-fit, or by the same key)."""
    from procsim.mining.config_keys import slug

    by_slug = {slug(a): a for a in real_activities}
    out: dict[str, str] = {}
    for stage in model.stages:
        if stage.name in real_activities:
            out[stage.name] = stage.name
        elif stage.description in real_activities:
            out[stage.name] = stage.description
        elif stage.name in by_slug:
            out[stage.name] = by_slug[stage.name]
    return out


def validate_against_log(
    real: RealLog,
    config: dict[str, Any],
    *,
    runs: int = 10,
    warmup_hours: float = 336.0,
    seed: int = 1,
) -> Validation:
    """Simulate ``config`` over the period of ``real`` and measure the distances.

    Parameters
    ----------
    real
        The held-out log.
    config
        A process config (a mapping as composed by :func:`procsim.compose`); its calendar
        start and run settings are replaced to cover the log's period.
    runs
        Number of simulated logs (replications, seeded ``seed, seed+1, ...`` by replication).
    warmup_hours
        Simulated hours before the log's first case, so the simulation starts from a
        process in full swing rather than empty.
    seed
        Run seed.

    Returns
    -------
    Validation

    Raises
    ------
    ModelError
        When the config does not validate, or none of its stages is an activity of the log.
    """
    from procsim.model.units import UNIT_HOURS
    from procsim.model.validate import validate

    events = real.events
    arrivals = events.groupby("case_id")["start_time"].min()
    window = (arrivals.min(), arrivals.max())
    origin = (window[0] - pd.Timedelta(hours=warmup_hours)).normalize()
    unit = str(config.get("process", {}).get("time_unit", "hours"))
    hours_per_unit = UNIT_HOURS.get(unit, 1.0)
    cfg = _over_the_log(config, events, window, origin, runs, seed)
    model, run = validate(cfg, context="the process to validate")
    names = _matched_activities(model, events)
    parts: list[pd.DataFrame] = []
    rows: list[dict[str, float]] = []
    for r in range(runs):
        sim = _simulated_log(model, run, r, names, window, origin, hours_per_unit)
        rows.append({"run": float(r), **log_distances(events, sim)})
        sim.insert(0, "run", r)
        parts.append(sim)
    distances = pd.DataFrame(rows)
    distances["run"] = distances["run"].astype(int)
    simulated = pd.concat(parts, ignore_index=True)
    return Validation(distances, _summary(distances, runs), events, simulated, window)


def _over_the_log(
    config: dict[str, Any],
    events: pd.DataFrame,
    window: tuple[pd.Timestamp, pd.Timestamp],
    origin: pd.Timestamp,
    runs: int,
    seed: int,
) -> dict[str, Any]:
    """A copy of the config whose calendar and run cover the log's period: from ``origin``
    (a warm-up before the first arrival) to the last arrival, plus time for its cases to end."""
    first, last = window
    longest = float(np.quantile(cycle_times(events), 0.99)) if len(events) else 0.0
    horizon_h = (last - origin) / pd.Timedelta(hours=1) + max(2 * longest, 24.0)
    cfg = copy.deepcopy(config)
    process = cfg.setdefault("process", {})
    calendar = dict(process.get("calendar") or {})
    calendar["start"] = origin.date().isoformat()
    process["calendar"] = calendar
    cfg["run"] = {
        "horizon": f"{horizon_h:.6g}h",
        "warmup": f"{(first - origin) / pd.Timedelta(hours=1):.6g}h",
        "replications": max(runs, 2),
        "seed": seed,
        "workers": 1,
    }
    return cfg


def _matched_activities(model: Any, events: pd.DataFrame) -> dict[str, str]:
    """Stage name -> activity name of the log; fail when no stage is an activity of the log."""
    names = _activity_names(model, set(events["activity"]))
    if not names:
        stages = ", ".join(model.stage_names[:8])
        raise ModelError(
            [
                Issue(
                    "process.stages",
                    "no stage is an activity of the log",
                    "stage names or descriptions equal to the log's activity names",
                    stages,
                    "validate a process fitted from a log of the same process "
                    + did_you_mean(stages.split(", ")[0], set(events["activity"])),
                )
            ],
            "the process to validate",
        )
    return names


def _simulated_log(
    model: Any,
    run: Any,
    replication: int,
    names: dict[str, str],
    window: tuple[pd.Timestamp, pd.Timestamp],
    origin: pd.Timestamp,
    hours_per_unit: float,
) -> pd.DataFrame:
    """One replication as a real log: the log's activities under their names in the log, and
    the cases that arrived in the real log's window."""
    from procsim.measure.event_log import to_event_log
    from procsim.sim.engine import simulate

    first, last = window
    log = simulate(model, run, replication)
    elog = to_event_log(log, model, run.warmup)
    arrived = elog.cases.set_index("case_id")["arrival_time"]
    sim = from_simulation(elog.visits, origin, hours_per_unit)
    sim = sim[sim["activity"].isin(list(names))]
    sim["activity"] = sim["activity"].map(names)
    t0 = (first - origin) / pd.Timedelta(hours=1) / hours_per_unit
    t1 = (last - origin) / pd.Timedelta(hours=1) / hours_per_unit
    keep = arrived[(arrived >= t0) & (arrived <= t1)].index.astype(str)
    return sim[sim["case_id"].isin(set(keep))].reset_index(drop=True)


def _summary(distances: pd.DataFrame, runs: int) -> pd.DataFrame:
    """Per measure: its label and unit, and its mean, spread and range over the runs."""
    return pd.DataFrame(
        [
            {
                "measure": m,
                "label": label,
                "unit": unit_text,
                "mean": float(distances[m].mean()),
                "sd": float(distances[m].std(ddof=1)) if runs > 1 else math.nan,
                "min": float(distances[m].min()),
                "max": float(distances[m].max()),
            }
            for m, (label, unit_text) in MEASURES.items()
        ]
    )
