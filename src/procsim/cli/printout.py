"""What ``procsim`` prints when a run has finished: the headline KPIs and where the rest is.

Sits at the end of one job (:mod:`procsim.cli.job`), after the results are saved: the run's
settings, the KPI table (:meth:`procsim.study.results.Results.table`), the analytic estimate with
what it averages away, the notes and the warnings not printed before the run, and the paths of
the report and the run folder.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from procsim.model.process import Model
    from procsim.study.results import Results


def print_results(results: Results, early: set[str], report: Path | None, out_dir: Path) -> None:
    """Print the finished run for the analyst.

    Parameters
    ----------
    results
        The saved results of the run.
    early
        Warnings printed already, before the run (they are not repeated).
    report
        The report written (None when it could not be).
    out_dir
        The run folder.
    """
    run = results.run
    names = list(results.models)
    base = results.models[names[0]]
    length = (
        f"horizon {run.horizon:g} {base.time_unit}"
        if run.horizon is not None
        else f"{run.cases} cases"
    )
    print(
        f"\n{base.name}: {' vs '.join(names)} | {run.replications} replications, {length}, "
        f"warm-up {run.warmup:g} {base.time_unit}, seed {run.seed}\n"
    )
    print(results.table())
    if results.analytic is not None:
        print(_analytic_estimate(results.analytic, base))
    for note in results.notes:
        print(f"note: {note}")
    for warning in results.warnings:
        if warning not in early:
            print(f"warning: {warning}", file=sys.stderr)
    if report is not None:
        print(f"\nreport: {report}")
    print(f"results: {out_dir}")


def _analytic_estimate(analytic: pd.DataFrame, base: Model) -> str:
    """The analytic mean cycle time of each model, with what the estimate averages away."""
    quick = analytic.query("metric == 'cycle_time_mean'")
    text = ", ".join(
        f"{r['scenario']} {float(r['analytic']):.3g}"
        if pd.notna(r["analytic"])
        else f"{r['scenario']}: {r['note']}"
        for r in quick.to_dict("records")
    )
    averaged = [
        what
        for what, used in (
            ("shifts", any(r.shifts is not None for r in base.roles)),
            ("time-varying arrivals", base.arrival_profile is not None),
            ("priorities", len({t.priority for t in base.case_types}) > 1),
            ("batching", any(s.batch is not None for s in base.stages)),
            ("abandonment", any(s.patience is not None for s in base.stages)),
            ("parallel work", any(s.split for s in base.stages)),
        )
        if used
    ]
    caveat = (
        f" (it averages away {', '.join(averaged)}: a rough first answer only)" if averaged else ""
    )
    return (
        f"\nanalytic estimate of the mean cycle time (Erlang C network, in "
        f"{base.time_unit}): {text}{caveat}; all estimates in tables/analytic.csv"
    )
