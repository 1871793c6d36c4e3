"""Writing the ``process:`` section of a fitted config: its name, calendar, start and stages.

Part of the YAML writer (:func:`procsim.mining.yaml_writer.write_config`): each discovered
activity (:class:`~procsim.mining.process_fit.ActivityFit`) becomes a stage with its role,
fitted duration and routing, preceded by a pure-delay stage ``wait_<activity>`` when it has
waiting that is not queueing for staff; with more than one start activity a zero-time stage
``arrival`` routes each new case to its first activity.
"""

from __future__ import annotations

import numpy as np

from procsim.mining.config_keys import ARRIVAL_STAGE
from procsim.mining.durations import DurationFit
from procsim.mining.process_fit import ActivityFit, ProcessFit
from procsim.mining.routing import rounded_probabilities
from procsim.mining.yaml_text import distribution, number, scalar, string


def process_section(fit: ProcessFit) -> list[str]:
    """The lines of the ``process:`` section.

    Parameters
    ----------
    fit
        The discovered process: its activities, with their delays and parallel blocks,
        become the stages.

    Returns
    -------
    list of str
        ``process:`` first, then its keys, indented.
    """
    delays = _DelayStages(fit)
    lines = ["process:", f"  name: {string(fit.name)}"]
    lines.append(
        "  description: "
        + string(
            f"Current process fitted from the event log {fit.source} "
            f"({fit.cases:,} cases, {fit.first:%Y-%m-%d} to {fit.last:%Y-%m-%d})."
        )
    )
    lines.append("  time_unit: hours")
    monday = (fit.first.normalize() - np.timedelta64(int(fit.first.day_of_week), "D")).date()
    lines.append(
        f"  calendar: {{start: {monday.isoformat()}}}   # the Monday of the log's first week"
    )
    starts = delays.route(fit.start)
    if len(starts) == 1:
        lines.append(f"  start: {next(iter(starts))}")
    else:
        lines.append(f"  start: {ARRIVAL_STAGE}")
    lines.append("  stages:")
    if len(starts) > 1:
        lines += _arrival_stage(fit, starts)
    for a in fit.activities:
        if a.delay is not None and a.key in delays.key_of:
            lines += _delay_stage(a, a.delay, delays.key_of[a.key])
        lines += _activity_stage(a, fit, delays)
    return lines


class _DelayStages:
    """The delay stages before activities, and how the routing goes through them."""

    def __init__(self, fit: ProcessFit) -> None:
        in_block = {k for b in fit.parallel for k in b.branches}
        #: Activity key -> the key of the delay stage before it.
        self.key_of = {
            a.key: f"wait_{a.key}"
            for a in fit.activities
            if a.delay is not None and a.key not in in_block  # a branch starts at its activity
        }
        taken = {a.key for a in fit.activities}
        for k, v in list(self.key_of.items()):
            while v in taken:
                v += "_"
            self.key_of[k] = v
            taken.add(v)
        #: Activity key -> the share of its cases that wait in its delay stage.
        self.share = {a.key: a.delay_share for a in fit.activities if a.delay is not None}

    def route(self, probs: dict[str, float]) -> dict[str, float]:
        """Edges into an activity with a delay go through the delay in its share of cases."""
        out: dict[str, float] = {}
        for k, p in probs.items():
            if k in self.key_of:
                out[self.key_of[k]] = out.get(self.key_of[k], 0.0) + p * self.share[k]
                out[k] = out.get(k, 0.0) + p * (1 - self.share[k])
            else:
                out[k] = out.get(k, 0.0) + p
        return rounded_probabilities(out)


def _arrival_stage(fit: ProcessFit, starts: dict[str, float]) -> list[str]:
    return [
        f"    {ARRIVAL_STAGE}:",
        '      description: "New case: routed to its first activity as in the log"',
        "      role: null",
        "      duration: 0",
        "      value: necessary",
        f"      # next: first activities of {fit.cases:,} cases",
        f"      next: {scalar(starts)}",
    ]


def _delay_stage(a: ActivityFit, wait: DurationFit, key: str) -> list[str]:
    """The pure-delay stage before an activity: the waiting that is not queueing for staff."""
    return [
        f"    {key}:",
        "      description: " + string(f"Waiting before {a.name} that is not queueing for staff"),
        "      role: null",
        f"      # duration: {wait.note}; {a.delay_share:.0%} of the cases wait here. "
        f"Mean wait before the activity {number(a.wait_mean)} h, {number(a.delay_mean)} h "
        "of it with staff free",
        f"      duration: {distribution(wait, 0.0)}",
        "      value: necessary",
        f"      next: {a.key}",
    ]


def _activity_stage(a: ActivityFit, fit: ProcessFit, delays: _DelayStages) -> list[str]:
    lines = [f"    {a.key}:", f"      description: {string(a.name)}"]
    if a.role is not None:
        lines.append(f"      role: {a.role}")
    else:
        lines.append("      role: null                  # nobody recorded: a pure delay")
    if a.batch:
        lines.append(f"      # batch: {a.batch_note}; work waits for the next release")
        lines.append(f"      batch: {{at: {scalar(list(a.batch))}}}")
        lines.append("      duration: 0                  # released all at once")
    else:
        note = a.duration.note if a.duration is not None else f"n={a.count:,}: median as a constant"
        lines.append(f"      # duration: {note}")
        lines.append(f"      duration: {distribution(a.duration, a.constant)}")
    lines.append("      value: value_adding")
    return lines + _next_lines(a, fit, delays)


def _next_lines(a: ActivityFit, fit: ProcessFit, delays: _DelayStages) -> list[str]:
    """An activity's routing: a parallel split, the join of its branch, or its successors."""
    block = {b.split: b for b in fit.parallel}.get(a.key)
    join = next((b.join for b in fit.parallel if a.key in b.branches), None)
    if block is not None:
        return [
            f"      # next: parallel work ({block.overlap:.0%} of {block.cases:,} cases "
            "with both overlap in time)",
            f"      next: {{parallel: {scalar(list(block.branches))}, join: {block.join}}}",
        ]
    if join is not None:
        return [f"      next: {join}                  # a parallel branch"]
    return [
        f"      # next: directly-follows over {a.count:,} instances",
        f"      next: {scalar(delays.route(a.next))}",
    ]
