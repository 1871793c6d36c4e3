"""Does the model match reality? Simulate a process over the period of a held-out event log
and compare the simulated logs with the real one.

Sits after fitting (:mod:`procsim.fit`) and uses the same log schema throughout: the real log
from :mod:`procsim.eventlog`, simulated logs turned into that schema by
:func:`procsim.eventlog.from_simulation`, the distances of :mod:`procsim.logdist`. The command
``procsim-validate`` writes the distances (mean and spread over repeated simulations),
side-by-side figures and a short report into a run folder.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procsim import __version__, keyvalue
from procsim.errors import Issue, ModelError, did_you_mean
from procsim.eventlog import RealLog, describe_columns, from_simulation, read_log
from procsim.logdist import MEASURES, cycle_times, log_distances

USAGE = """\
usage: procsim-validate log=PATH process=NAME [OPTION=VALUE ...]

Simulates the process NAME (a file conf/process/NAME.yaml, e.g. written by procsim-fit) over
the period of the event log PATH, several times, and compares each simulated log with the real
one using the standard measures of the field: 3-gram distance (control flow), absolute,
circadian and relative event-distribution EMD, and cycle-time EMD (hours). Writes the
distances (each run, and mean and spread), side-by-side figures (cycle times, waiting and
processing per activity, arrivals and work in progress by hour of week) and a report
(report.html, self-contained, and report.md) into
outputs/<date>/<time>-validate/.

Use a log the model was NOT fitted on (a later period) for an honest check.

Options:
  log=PATH            the held-out event log (required; CSV, .csv.gz or XES)
  process=NAME        the process to simulate (required)
  runs=N              simulated logs to compare (default 10)
  warmup=DURATION     simulated time before the log's period starts (default 2w)
  seed=N              seed of the first run (default 1)
  timezone=ZONE       convert the log's timestamps to this local time (e.g. Europe/Amsterdam)
  case=COL activity=COL start=COL end=COL resource=COL role=COL
                      column names in a CSV (as for procsim-fit)
  out=PATH            write the results here instead
  skip_bad_rows=true  leave out unreadable rows of the log (counted and reported)

Example:
  procsim-fit log=train.csv.gz name=loans timezone=Europe/Amsterdam
  procsim-validate log=test.csv.gz process=loans timezone=Europe/Amsterdam runs=10
"""

_KEYS = (*keyvalue.LOG_KEYS, "process", "runs", "warmup", "seed", "out")


@dataclass(frozen=True)
class Validation:
    """A real log against simulated ones.

    Attributes
    ----------
    distances
        One row per run: ``run`` and a column per measure of :data:`procsim.logdist.MEASURES`.
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
    from procsim.discover import slug

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
    from procsim.engine import simulate
    from procsim.metrics import to_event_log
    from procsim.units import UNIT_HOURS
    from procsim.validate import validate

    events = real.events
    arrivals = events.groupby("case_id")["start_time"].min()
    first, last = arrivals.min(), arrivals.max()
    origin = (first - pd.Timedelta(hours=warmup_hours)).normalize()
    unit = str(config.get("process", {}).get("time_unit", "hours"))
    hours_per_unit = UNIT_HOURS.get(unit, 1.0)
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
    model, run = validate(cfg, context="the process to validate")
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
    parts: list[pd.DataFrame] = []
    rows: list[dict[str, float]] = []
    for r in range(runs):
        log = simulate(model, run, r)
        elog = to_event_log(log, model, run.warmup)
        arrived = elog.cases.set_index("case_id")["arrival_time"]
        sim = from_simulation(elog.visits, origin, hours_per_unit)
        sim = sim[sim["activity"].isin(list(names))]
        sim["activity"] = sim["activity"].map(names)
        t0 = (first - origin) / pd.Timedelta(hours=1) / hours_per_unit
        t1 = (last - origin) / pd.Timedelta(hours=1) / hours_per_unit
        keep = arrived[(arrived >= t0) & (arrived <= t1)].index.astype(str)
        sim = sim[sim["case_id"].isin(set(keep))].reset_index(drop=True)
        rows.append({"run": float(r), **log_distances(events, sim)})
        sim.insert(0, "run", r)
        parts.append(sim)
    distances = pd.DataFrame(rows)
    distances["run"] = distances["run"].astype(int)
    summary = pd.DataFrame(
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
    simulated = pd.concat(parts, ignore_index=True)
    return Validation(distances, summary, events, simulated, (first, last))


# -- the command ------------------------------------------------------------------------------


def _options(argv: list[str]) -> dict[str, str]:
    opts, issues = keyvalue.parse(
        argv, _KEYS, ("log", "process"), "procsim-validate log=test.csv process=loans"
    )
    keyvalue.check_yes_no(opts, "skip_bad_rows", issues)
    for key, low in (("runs", 1), ("seed", 0)):
        if key in opts:
            try:
                if int(opts[key]) < low:
                    raise ValueError
            except ValueError:
                issues.append(Issue(key, "not a count", f"an integer >= {low}", repr(opts[key])))
    if "warmup" in opts:
        from procsim.units import parse_time

        try:
            ok = parse_time(opts["warmup"], "hours") is not None
        except ValueError:
            ok = False
        if not ok:
            issues.append(Issue("warmup", "not a duration", "e.g. 2w, 72h", repr(opts["warmup"])))
    if issues:
        raise ModelError(issues, "the command line")
    return opts


def run_validation(opts: dict[str, str]) -> tuple[Validation, Path]:
    """Run ``procsim-validate`` from parsed options; write the results; return them."""
    from procsim.config import compose
    from procsim.units import parse_time

    real = read_log(
        opts["log"],
        describe_columns(opts),
        timezone=opts.get("timezone"),
        skip_bad_rows=keyvalue.is_yes(opts.get("skip_bad_rows")),
    )
    study = compose(process=opts["process"])
    config = study.configs["current"]
    warmup = parse_time(opts.get("warmup", "2w"), "hours")
    result = validate_against_log(
        real,
        config,
        runs=int(opts.get("runs", 10)),
        warmup_hours=float(warmup if warmup is not None else 336.0),
        seed=int(opts.get("seed", 1)),
    )
    now = dt.datetime.now()
    folder = Path(
        opts.get("out") or Path("outputs") / f"{now:%Y-%m-%d}" / f"{now:%H-%M-%S}-validate"
    )
    write_validation(result, folder, opts["process"], real.source)
    return result, folder


def write_validation(result: Validation, folder: Path, process: str, source: str) -> None:
    """Tables, figures and ``report.md`` of a validation into ``folder``."""
    from procsim.output import write_table, write_text
    from procsim.validation_plots import validation_figures

    write_table(result.distances, folder / "tables", "distances")
    write_table(result.summary, folder / "tables", "distances_summary")
    # The simulated logs, in the real log's schema: for the analyst's own process-mining tools.
    write_table(result.simulated, folder / "tables", "simulated_logs", csv=False)
    figures = validation_figures(result, folder / "figures")
    from procsim.output import file_sha256
    from procsim.report import Block, Cell, Heading, Para, Table, render
    from procsim.report import Figure as DocFigure

    rows: list[list[Cell]] = []
    for r in result.summary.itertuples():
        unit = "" if r.unit == "0..1" else f" {r.unit}"
        rows.append([str(r.label), f"{r.mean:.3g}{unit}", f"{r.sd:.2g}", f"{r.min:.3g}",
                     f"{r.max:.3g}"])  # fmt: skip
    source_path = Path(source)
    digest = f" Log SHA-256: {file_sha256(source_path)}." if source_path.is_file() else ""
    captions = {
        "cycle_times": "Cycle times of the real log and of each simulated log.",
        "activity_times": "Mean waiting and processing per activity: real, and simulated "
        "(mean over the simulated logs, with their range).",
        "arrivals_and_wip": "Arrivals and open cases by hour of week, real and simulated.",
    }
    blocks: list[Block] = [
        Para(
            f"{len(result.distances)} simulated logs of the cases arriving between "
            f"{result.window[0]:%Y-%m-%d %H:%M} and {result.window[1]:%Y-%m-%d %H:%M}, "
            f"compared with the real log ({result.real['case_id'].nunique():,} cases). "
            "Lower is closer; mean and spread over the simulated logs."
        ),
        Table(["measure", "mean", "sd", "min", "max"], rows, numeric=frozenset({1, 2, 3, 4})),
        Para(f"procsim {__version__}.{digest}", "note"),
        Heading(2, "Figures"),
        *[DocFigure(name, captions.get(name, name), path, None) for name, path in figures.items()],
    ]
    html, md = render(f"Validation: {process} against {source}", "procsim-validate", blocks)
    write_text(folder / "report.html", html)
    write_text(folder / "report.md", md)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-validate``."""
    keyvalue.run("procsim-validate", USAGE, argv, _command)


def _command(args: list[str]) -> None:
    result, folder = run_validation(_options(args))
    print(f"{len(result.distances)} simulated logs against {result.real['case_id'].nunique():,} "
          "real cases (lower is closer):")  # fmt: skip
    for r in result.summary.itertuples():
        unit = "" if r.unit == "0..1" else f" {r.unit}"
        print(f"  {r.label:<36} {r.mean:>9.3g}{unit:<3} (sd {r.sd:.2g})")
    print(f"results: {folder}")


if __name__ == "__main__":
    main()
