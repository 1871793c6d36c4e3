"""The ``procsim-export`` command: a run's simulated event logs for process-mining tools.

Sits at the edge, after a run: checks the run folder
(:func:`procsim.review.report.run_folder.read_run`), reads its ``visits`` and ``cases`` tables
and the resolved configs (for each model's calendar: start date and time zone), and writes
``tables/event_log.xes.gz`` and ``tables/event_log.csv.gz`` with
:mod:`procsim.mining.log_export`, a replication at a time. Nothing is simulated. Bad input
prints one message and exits 2.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from procsim.errors import EXIT_USER_ERROR, ModelError, ProcsimError
from procsim.files import atomic_write
from procsim.mining.log_export import LogPart, write_csv, write_xes
from procsim.model.calendar import Calendar
from procsim.model.validate import validate_model
from procsim.review.report.run_folder import read_run
from procsim.versions import __version__

_DESCRIPTION = """\
Write the simulated event logs of a procsim run for process-mining tools (pm4py, Disco, ProM,
Celonis): tables/event_log.xes.gz (IEEE 1849 XES: concept, lifecycle, org and time) and
tables/event_log.csv.gz (one row per visit). Timestamps are ISO 8601 with the offset of the
process calendar's time zone (process.calendar.timezone, UTC by default) from its start date;
case ids are unique across scenarios and replications (current-r0-17). Visits still open at
the end of the run are kept and marked (state in_service or waiting)."""

_EPILOG = """\
examples:
  procsim-export outputs/2026-11-22/10-15-03
  procsim-export outputs/2026-11-22/10-15-03 --format xes

  import pm4py; log = pm4py.read_xes("outputs/.../tables/event_log.xes.gz")

exit codes: 0 written, 2 bad input (not a run folder, no event log kept)."""

FORMATS = {"xes": ("event_log.xes.gz",), "csv": ("event_log.csv.gz",),
           "both": ("event_log.xes.gz", "event_log.csv.gz")}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-export <run folder>``."""
    parser = argparse.ArgumentParser(
        prog="procsim-export",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="a run folder (with run.json and tables/)")
    parser.add_argument("--format", choices=list(FORMATS), default="both",
                        help="which files to write (default: both)")  # fmt: skip
    parser.add_argument("--version", action="version", version=f"procsim-export {__version__}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        written = export_run(args.folder, args.format)
    except ProcsimError as exc:
        print(f"procsim-export: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
    except OSError as exc:
        print(
            f"procsim-export: error: cannot write into {args.folder / 'tables'}: "
            f"{exc.strerror or exc}. Hint: check that the folder is writable",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USER_ERROR) from None
    for path in written:
        print(path)


def export_run(folder: Path, which: str = "both") -> list[Path]:
    """Write the process-mining event logs of a run folder; the paths written.

    Parameters
    ----------
    folder
        A run folder written by ``procsim`` or :meth:`procsim.Results.save`.
    which
        ``xes``, ``csv`` or ``both``.

    Raises
    ------
    ProcsimError
        When the folder is not a run folder, keeps no event log, or a resolved config is not a
        valid model any more.
    """
    run = read_run(folder)
    tables = folder / "tables"
    logs = {}
    for name in ("visits", "cases"):
        path = tables / f"{name}.parquet"
        if not path.is_file():
            raise ProcsimError(
                f"{path}: missing: this run kept no event log (run.event_log=none, or an "
                "older run). Hint: run again with run.event_log=parquet"
            )
        logs[name] = pd.read_parquet(path)
    calendars = {label: _calendar(folder, label, config) for label, config in run.resolved.items()}
    written = []
    for name in FORMATS[which]:
        writer = write_xes if name.endswith(".xes.gz") else write_csv
        target = tables / name
        atomic_write(target, functools.partial(_write, writer, logs, calendars))
        written.append(target)
    return written


def _write(
    writer: Callable[[Path, Iterable[LogPart]], int],
    logs: dict[str, pd.DataFrame],
    calendars: dict[str, Calendar],
    path: Path,
) -> None:
    writer(path, _parts(logs["visits"], logs["cases"], calendars))


def _calendar(folder: Path, label: str, config: dict[str, object]) -> Calendar:
    try:
        calendar = validate_model(config).calendar
    except ModelError as exc:
        raise ProcsimError(
            f"{folder / 'resolved' / f'{label}.yaml'}: not a valid model any more ({exc}). "
            "Hint: restore the file as the run wrote it"
        ) from None
    return calendar if calendar is not None else Calendar()


def _parts(
    visits: pd.DataFrame, cases: pd.DataFrame, calendars: dict[str, Calendar]
) -> Iterator[LogPart]:
    """The logs a replication at a time, in the order of the tables."""
    case_groups = cases.groupby(["scenario", "replication"], sort=False, observed=True).indices
    visit_groups = visits.groupby(["scenario", "replication"], sort=False, observed=True).indices
    for key, rows in case_groups.items():
        label, replication = str(key[0]), int(key[1])  # type: ignore[index]
        v = visits.iloc[visit_groups.get(key, [])].drop(columns=["scenario", "replication"])
        c = cases.iloc[rows].drop(columns=["scenario", "replication"])
        calendar = calendars.get(label, Calendar())
        yield LogPart(label, replication, v, c, calendar)


if __name__ == "__main__":
    main()
