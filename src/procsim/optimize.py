"""Staffing search: the cheapest head counts that meet every target, confirmed by simulation.

Sits on top of the analytic estimates and the runner. Analytic bounds cut the search space
first (each role needs more staff than its offered load; Erlang C then finds the smallest
staffing whose estimates meet the targets they can evaluate); simulation then confirms it and
walks to the cheapest staffing whose confidence intervals meet every target, reporting the
runners-up.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from procsim.analytic import estimate
from procsim.errors import Issue, ModelError
from procsim.model import Model, Target
from procsim.validate import validate, validate_model

Staffing = dict[str, int]


@dataclass
class StaffingSearch:
    """Result of :func:`search_staffing`.

    Attributes
    ----------
    chosen
        Cheapest simulated staffing whose CIs meet every target (None if none was found).
    evaluated
        Every simulated candidate: a column per role, ``staff_cost_per_day``, per target its
        mean and status, ``meets``; cheapest meeting first.
    lower_bounds
        Per role, the smallest head count with offered load below 1.
    analytic_start
        The staffing the analytic estimates proposed.
    reason
        Why nothing was chosen, when nothing was (e.g. a target no staffing can meet).
    """

    chosen: Staffing | None
    evaluated: pd.DataFrame
    lower_bounds: Staffing
    analytic_start: Staffing
    reason: str = ""

    def runners_up(self, n: int = 3) -> pd.DataFrame:
        """The next cheapest candidates that also meet every target."""
        meeting = self.evaluated[self.evaluated["meets"]]
        return meeting.iloc[1 : 1 + n]


def _with_staffing(config: dict[str, Any], staffing: Staffing) -> dict[str, Any]:
    out = copy.deepcopy(config)
    out["staffing"] = {**(out.get("staffing") or {}), **staffing}
    return out


def _cost(model: Model, staffing: Staffing) -> float:
    """Paid staff time per day (idle time is paid too)."""
    hourly = {r.name: r.cost_per_hour for r in model.roles}
    return 24.0 * sum(hourly[r] * c for r, c in staffing.items())


def _estimates(config: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Analytic KPI estimates of a config: (metric, entity) -> value."""
    table = estimate(validate_model(config))
    return {
        (str(r["metric"]), str(r["entity"])): float(r["value"]) for r in table.to_dict("records")
    }


def _analytic_shortfall(config: dict[str, Any], targets: tuple[Target, ...]) -> float:
    """Sum of relative target violations by the analytic estimates (0: all met)."""
    est = _estimates(config)
    total = 0.0
    for t in targets:
        value = est.get((t.metric, t.entity), math.nan)
        if math.isnan(value):
            continue  # not estimable analytically: left to the simulation
        if math.isinf(value):
            total += 1e6
        elif not t.met(value):
            total += abs(value - t.value) / max(abs(t.value), 1e-9)
    return total


def search_staffing(
    config: dict[str, Any],
    roles: list[str] | None = None,
    max_servers: int = 50,
    max_evaluations: int = 25,
    progress: Callable[[str], None] | None = None,
) -> StaffingSearch:
    """Find the cheapest staffing (per role) whose simulated CIs meet every target.

    Parameters
    ----------
    config
        A model config with ``run`` settings and ``targets`` (or SLA targets).
    roles
        Roles whose head count may change (default: every role).
    max_servers
        Upper bound per role.
    max_evaluations
        Simulated candidates at most.
    progress
        Called with a line of text per evaluated candidate.

    Raises
    ------
    ModelError
        When the model has no targets, or ``roles`` names an unknown role.
    """
    from procsim import api

    model, _run = validate(config)
    if not model.targets:
        raise ModelError(
            [Issue("targets", "a staffing search needs targets to meet",
                   "a target (targets: ...) or an SLA target (sla.<name>.target)", "none")],
            "the staffing search",
        )  # fmt: skip
    names = roles or list(model.role_names)
    unknown = [r for r in names if r not in model.role_names]
    if unknown:
        raise ModelError(
            [Issue("optimize_roles", f"unknown role '{r}'", ", ".join(model.role_names), r)
             for r in unknown],
            "the staffing search",
        )  # fmt: skip
    load = {r: model.offered_load()[r] * model.roles[model.role_names.index(r)].servers
            for r in names}  # fmt: skip
    lower = {r: max(1, math.floor(load[r]) + 1) for r in names}

    # With every role at its maximum, waiting is (almost) gone: a target the estimates still
    # miss then is out of reach of staffing (the work and the delays alone take too long).
    ceiling = {r: max_servers for r in names}
    if _analytic_shortfall(_with_staffing(config, ceiling), model.targets) > 0:
        est = _estimates(_with_staffing(config, ceiling))
        missed = [
            f"{t.name} ({t.metric} {t.label()}; {est[(t.metric, t.entity)]:.3g} even "
            f"with {max_servers} per role)"
            for t in model.targets
            if not math.isnan(est.get((t.metric, t.entity), math.nan))
            and not t.met(est[(t.metric, t.entity)])
        ]
        reason = (
            "no staffing meets " + "; ".join(missed) + ": the work and the delays alone "
            "take too long. Change the process (a scenario) or the target"
        )
        return StaffingSearch(None, pd.DataFrame(), lower, dict(lower), reason)

    # Analytic phase: add staff where it helps the estimated targets most per unit of cost.
    current: Staffing = dict(lower)
    shortfall = _analytic_shortfall(_with_staffing(config, current), model.targets)
    while shortfall > 0:
        options = []
        for r in names:
            if current[r] >= max_servers:
                continue
            trial = {**current, r: current[r] + 1}
            gain = shortfall - _analytic_shortfall(_with_staffing(config, trial), model.targets)
            extra = max(_cost(model, trial) - _cost(model, current), 1e-9)
            options.append((gain / extra, -extra, r))
        if not options or max(options)[0] <= 0:
            break  # what is left is out of the estimates' reach: the simulation decides
        current = {**current, max(options)[2]: current[max(options)[2]] + 1}
        shortfall = _analytic_shortfall(_with_staffing(config, current), model.targets)
    start = dict(current)

    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, ...], dict[str, Any]] = {}

    def evaluate(staffing: Staffing) -> dict[str, Any]:
        key = tuple(staffing[r] for r in names)
        if key in seen:
            return seen[key]
        results = api.run(api.from_configs({"current": _with_staffing(config, staffing)}))
        row: dict[str, Any] = dict(staffing)
        row["staff_cost_per_day"] = _cost(model, staffing)
        meets = True
        worst = math.inf
        for t in results.targets.to_dict("records"):
            name = str(t["target"])
            row[f"{name}: mean"] = t["mean"]
            row[f"{name}: status"] = t["status"]
            meets = meets and t["status"] == "met"
            goal = next(x for x in model.targets if x.name == name)
            low, high = float(t["ci_low"]), float(t["ci_high"])
            margin = (low - goal.value if goal.op == ">=" else goal.value - high) / max(
                abs(goal.value), 1e-9
            )
            worst = min(worst, margin)
        row["meets"] = meets
        row["worst_margin"] = worst
        seen[key] = row
        rows.append(row)
        if progress:
            progress(f"  {staffing}: {'meets' if meets else 'misses'} the targets")
        return row

    best = evaluate(start)
    if best["meets"]:
        # Walk down: drop one person where the targets still hold, most expensive role first.
        improved = True
        while improved and len(rows) < max_evaluations:
            improved = False
            order = sorted(names, key=lambda r: -model.roles[model.role_names.index(r)]
                           .cost_per_hour)  # fmt: skip
            for r in order:
                if current[r] - 1 < lower[r]:
                    continue
                trial = {**current, r: current[r] - 1}
                if evaluate(trial)["meets"]:
                    current, improved = trial, True
                    break
    else:
        # Walk up: add the person that helps the worst target most per unit of cost.
        while len(rows) < max_evaluations:
            steps: list[tuple[bool, float, Staffing]] = []
            for r in names:
                if current[r] >= max_servers:
                    continue
                trial = {**current, r: current[r] + 1}
                result = evaluate(trial)
                extra = max(_cost(model, trial) - _cost(model, current), 1e-9)
                steps.append((bool(result["meets"]), result["worst_margin"] / extra, trial))
            if not steps:
                break
            meeting = [step for step in steps if step[0]]
            if meeting:
                current = min(meeting, key=lambda step: _cost(model, step[2]))[2]
                break
            current = max(steps, key=lambda step: step[1])[2]
    table = pd.DataFrame(rows)
    table = table.sort_values(["meets", "staff_cost_per_day"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)  # fmt: skip
    chosen_rows = table[table["meets"]]
    chosen = {r: int(chosen_rows.iloc[0][r]) for r in names} if len(chosen_rows) else None
    reason = (
        ""
        if chosen
        else (f"no simulated staffing met every target within {max_evaluations} evaluations")
    )
    return StaffingSearch(chosen, table, lower, start, reason)
