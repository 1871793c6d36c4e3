"""The ``procsim-validate`` command: does the model match a held-out event log?

Sits at the edge: reads ``key=value`` options, composes the process from the workspace,
compares simulated logs with the real one (:mod:`procsim.mining.log_comparison`) and writes the
results (:mod:`procsim.review.validation_report`). Input errors print one message and exit 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from procsim.cli import keyvalue
from procsim.errors import Issue, ModelError
from procsim.mining.eventlog import describe_columns
from procsim.mining.log_comparison import Validation, validate_against_log
from procsim.mining.log_files import read_log

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
  skip_bad_rows=true  leave out unreadable or repeated rows of the log (counted and reported)
  max_rows=N          read at most N events (default 5,000,000); a larger log is refused
  max_bytes=N         read at most N bytes of text, after decompression (default 2GB)

Example:
  procsim-fit log=train.csv.gz name=loans timezone=Europe/Amsterdam
  procsim-validate log=test.csv.gz process=loans timezone=Europe/Amsterdam runs=10
"""

_KEYS = (*keyvalue.LOG_KEYS, "process", "runs", "warmup", "seed", "out")


def _options(argv: list[str]) -> dict[str, str]:
    opts, issues = keyvalue.parse(
        argv, _KEYS, ("log", "process"), "procsim-validate log=test.csv process=loans"
    )
    keyvalue.check_log_options(opts, issues)
    for key, low in (("runs", 1), ("seed", 0)):
        if key in opts:
            try:
                if int(opts[key]) < low:
                    raise ValueError
            except ValueError:
                issues.append(Issue(key, "not a count", f"an integer >= {low}", repr(opts[key])))
    if "warmup" in opts:
        from procsim.model.units import parse_time

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
    from procsim.config.compose import compose
    from procsim.model.units import parse_time

    real = read_log(
        opts["log"],
        describe_columns(opts),
        timezone=opts.get("timezone"),
        skip_bad_rows=keyvalue.is_yes(opts.get("skip_bad_rows")),
        limits=keyvalue.read_limits(opts),
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
    from procsim.review.validation_report import write_validation

    write_validation(result, folder, opts["process"], real.source)
    return result, folder


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
