"""Writing a discovered process as a config that reads like a hand-written one.

Sits at the end of the fitting data flow (:mod:`procsim.mining.discover` -> here ->
``conf/process``): one comment per fitted item says where it came from (sample size, chosen family,
goodness of fit), so an analyst can review and edit the file like any other process config.
This module writes the header and the ``arrivals:`` and ``run:`` sections, and puts the
``process:`` section (:mod:`procsim.mining.yaml_process`) and the ``roles:`` and ``staffing:``
sections (:mod:`procsim.mining.yaml_staffing`) between them.
"""

from __future__ import annotations

import math

from procsim.mining.process_fit import ProcessFit
from procsim.mining.week import DAY_NAMES
from procsim.mining.yaml_process import process_section
from procsim.mining.yaml_staffing import roles_and_staffing
from procsim.mining.yaml_text import number, printable


def write_config(fit: ProcessFit) -> str:
    """The process config (YAML text with comments) for a discovered process.

    Activities become stages with their role, fitted duration and routing. Waiting that is
    not queueing for staff becomes a pure-delay stage ``wait_<activity>`` before the
    activity (value class ``necessary``). With more than one start activity a
    zero-time stage ``arrival`` routes each new case to its first activity.

    Parameters
    ----------
    fit
        What :func:`procsim.mining.discover.discover` found.

    Returns
    -------
    str
        The file's text; ``# @package _global_`` first, as every process config.
    """
    lines = _header(fit)
    lines += process_section(fit)
    lines += roles_and_staffing(fit)
    lines += _arrivals_section(fit)
    lines += _run_section(fit)
    return "\n".join(printable(line) for line in lines) + "\n"


def _header(fit: ProcessFit) -> list[str]:
    """The comments on top: which log, how big, and what the analyst should know."""
    lines = [
        "# @package _global_",
        f"# Fitted by procsim-fit from {fit.source}",
        f"# {fit.cases:,} cases, {fit.events:,} events, "
        f"{fit.first:%Y-%m-%d} to {fit.last:%Y-%m-%d} (local time).",
    ]
    if fit.starts_estimated:
        lines.append(
            "# The log records completions only: start times were estimated, so durations "
            "may include waiting."
        )
    return lines + ["# Note: " + note for note in fit.notes]


def _arrivals_section(fit: ProcessFit) -> list[str]:
    lines = [
        "",
        "arrivals:",
        "  # cases per hour by hour of day: first events of the cases, averaged over",
        "  # the weeks of the log",
    ]
    if fit.trend is not None:
        lines.append(f"  # trend over the period: {fit.trend * 100:+.1f}% a week (not modelled)")
    lines.append("  rate:")
    for d, day in enumerate(DAY_NAMES):
        rates = [float(x) for x in fit.arrivals[d * 24 : (d + 1) * 24]]
        lines.append(f"    {day}: [{', '.join(number(x) for x in rates)}]")
    return lines


def _run_section(fit: ProcessFit) -> list[str]:
    """A horizon as long as the log, after a warm-up."""
    weeks = max(1, math.ceil((fit.last - fit.first).days / 7))
    return [
        "",
        "run:",
        f"  horizon: {weeks + 2}w   # the log's {weeks} week(s) after a warm-up",
        "  warmup: 2w",
    ]
