"""The ``procsim-fit`` command: an event log in, a current-process config and its report out.

Sits at the edge of the fitting data flow: reads ``key=value`` options (Hydra style, like the
``procsim`` command), fits with :func:`procsim.mining.fit.fit_process`, writes the config under
``conf/process/`` of the workspace (making the folder a workspace when it is none) and the fit
report (:mod:`procsim.review.fit_report`). Input errors print one message and exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procsim.cli import keyvalue
from procsim.errors import Issue, ModelError, ProcsimError

USAGE = """\
usage: procsim-fit log=PATH name=NAME [OPTION=VALUE ...]

Fits a current-process model from an event log (CSV with a header row, .csv.gz, or XES) and
writes it as conf/process/NAME.yaml, a config that reads like a hand-written one with a comment
per fitted item. Then `procsim process=NAME` simulates it.

What it discovers: activities and routing probabilities (directly-follows, loops and the
exit); the arrival rate by hour of week; roles (from a role column, or by grouping resources
that do the same mix of activities) with their head count on duty by hour of week; processing
times per activity (exponential, gamma, lognormal, Weibull, truncated normal fitted by maximum
likelihood, chosen by AIC or BIC, with the KS distance; an empirical distribution when none
fits); and waiting that is not queueing for staff (for the customer, a document, a batch) as
delay stages, so the model does not blame staff for time nobody worked. For logs with
completion times only, start times are estimated (and the file says so).

Options:
  log=PATH           the event log (required)
  name=NAME          the process name and file name (required; letters, digits, _ and -)
  case=COL activity=COL start=COL end=COL resource=COL role=COL
                     column names in a CSV (defaults: case_id, activity, start_time,
                     end_time, resource; no role column). start=none: completions only.
  timezone=ZONE      convert timestamps to this local time (e.g. Europe/Amsterdam); working
                     hours and arrival profiles are about the local clock
  criterion=aic|bic  how duration families are chosen (default aic)
  skip_bad_rows=true leave out rows with a missing or unreadable value, an end before the
                     start, or that repeat an earlier row exactly, and report how many and
                     why (default: stop and name them)
  max_rows=N         read at most N events (default 5,000,000; 10M and the like work too):
                     a larger log (or a decompression bomb) is refused, naming the bound
  max_bytes=N        read at most N bytes of text, counted after decompression (default 2GB)
  out=PATH           write the config here instead of conf/process/NAME.yaml
  overwrite=true     replace an existing file
  report=PATH|false  where to write the fit report (report.html, report.md, figures: QQ
                     plots of the durations, arrivals and staffing by hour of week); default
                     outputs/<date>/<time>-fit-NAME/

Examples:
  procsim-fit log=data/loans.csv name=loans timezone=Europe/Amsterdam
  procsim-fit log=tickets.csv name=helpdesk case=ticket activity=step end=closed start=none
"""

_KEYS = (*keyvalue.LOG_KEYS, "name", "criterion", "out", "overwrite", "report")


@dataclass(frozen=True)
class FitResult:
    """What a fit wrote: the config's path and text, the discovered process, and the report."""

    path: Path
    text: str
    fit: Any
    report: Path | None = None


def _options(argv: list[str]) -> dict[str, str]:
    opts, issues = keyvalue.parse(
        argv, _KEYS, ("log", "name"), "procsim-fit log=data/loans.csv name=loans"
    )
    name = opts.get("name", "x")
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        issues.append(Issue("name", "not a usable name", "letters, digits, _ and -", repr(name)))
    if opts.get("criterion", "aic") not in ("aic", "bic"):
        issues.append(Issue("criterion", "unknown criterion", "aic or bic",
                            repr(opts["criterion"])))  # fmt: skip
    keyvalue.check_yes_no(opts, "overwrite", issues)
    keyvalue.check_log_options(opts, issues)
    if issues:
        raise ModelError(issues, "the command line")
    return opts


def _target(opts: dict[str, str]) -> tuple[Path, bool]:
    """Where the config goes, and whether the folder must become a workspace."""
    if opts.get("out"):
        return Path(opts["out"]), False
    from procsim.config.workspace import find_workspace

    try:
        ws = find_workspace()
        user = ws.origin != "bundled examples"
    except ProcsimError:
        user = False
    if user:
        return ws.conf / "process" / f"{opts['name']}.yaml", False
    return Path.cwd() / "conf" / "process" / f"{opts['name']}.yaml", True


def fit_log(opts: dict[str, str]) -> FitResult:
    """Run a fit from parsed options (see :data:`USAGE`); write the config; return it."""
    from procsim.files import file_sha256
    from procsim.mining.eventlog import describe_columns
    from procsim.mining.fit import fit_process
    from procsim.mining.log_files import read_log

    target, make_workspace = _target(opts)
    overwrite = keyvalue.is_yes(opts.get("overwrite"))
    if target.exists() and not overwrite:
        raise ProcsimError(
            f"{target} exists already. Hint: overwrite=true replaces it, or choose another name="
        )
    setting = "out" if opts.get("out") else "name"
    keyvalue.check_writable(target, setting)  # before the fit, not after it
    log = read_log(
        opts["log"],
        describe_columns(opts),
        timezone=opts.get("timezone"),
        skip_bad_rows=keyvalue.is_yes(opts.get("skip_bad_rows")),
        limits=keyvalue.read_limits(opts),
    )
    digest = file_sha256(Path(opts["log"]))
    text, fit = fit_process(
        log, opts["name"], digest, criterion=opts.get("criterion", "aic"), where=str(target)
    )
    keyvalue.write_config(target, text, setting)
    if make_workspace:
        _make_workspace(target.parents[1], opts["name"])
    report = None
    where = opts.get("report", "")
    if where.lower() not in ("false", "no", "0", "none"):
        import datetime as dt

        from procsim.review.fit_report import write_fit_report

        now = dt.datetime.now()
        folder = (
            Path(where)
            if where
            else Path("outputs") / f"{now:%Y-%m-%d}" / (f"{now:%H-%M-%S}-fit-{opts['name']}")
        )
        report = write_fit_report(fit, folder, target)
    return FitResult(target, text, fit, report)


def _make_workspace(conf: Path, name: str) -> None:
    """Turn the folder into a workspace whose default process is the fitted one."""
    config = conf / "config.yaml"
    if config.exists():
        return
    from procsim.config.workspace import find_workspace

    bundled = find_workspace().conf / "config.yaml"
    text = bundled.read_text(encoding="utf-8")
    lines = [
        f"  - process: {name}" if line.strip().startswith("- process:") else line
        for line in text.splitlines()
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-fit``."""
    keyvalue.run("procsim-fit", USAGE, argv, _command)


def _command(args: list[str]) -> None:
    result = fit_log(_options(args))
    fit = result.fit
    print(
        f"fitted {fit.name} from {fit.source}: {fit.cases:,} cases, {len(fit.activities)} "
        f"activities, {len(fit.roles)} role(s)"
    )
    for a in fit.activities:
        chosen = a.duration.chosen.family if a.duration is not None else "constant (few data)"
        if a.batch:
            chosen = "batch released " + ", ".join(a.batch)
        delay = f", waits {a.delay_mean:.3g} h for other than staff" if a.delay else ""
        print(f"  {a.key:<28} n={a.count:<7,} {chosen}{delay}")
    for note in fit.notes:
        print(f"note: {note}")
    print(f"wrote {result.path}")
    if result.report is not None:
        print(f"fit report: {result.report}")
    print(f"next: procsim process={fit.name}")


if __name__ == "__main__":
    main()
