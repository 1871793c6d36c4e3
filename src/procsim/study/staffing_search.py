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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from procsim.errors import Issue, ModelError, ProcsimError
from procsim.measure.analytic import estimate
from procsim.model.process import Model, Target
from procsim.model.validate import validate, validate_model

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


#: A shift's search variable is named ``<role>[<shift number>]`` (from 1, in config order).
SHIFT_KEY = re.compile(r"^(?P<role>.+)\[(?P<n>\d+)\]$")


def _shift_rows(config: dict[str, Any], role: str) -> list[dict[str, Any]] | None:
    """The shift table of a role in a config (None when the role has a plain head count)."""
    value = (config.get("staffing") or {}).get(role)
    shifts = value.get("shifts") if isinstance(value, dict) else value
    if isinstance(shifts, list) and all(isinstance(x, dict) for x in shifts):
        return shifts
    return None


def _with_staffing(config: dict[str, Any], staffing: Staffing) -> dict[str, Any]:
    out = copy.deepcopy(config)
    table = dict(out.get("staffing") or {})
    for key, count in staffing.items():
        m = SHIFT_KEY.match(key)
        if m and _shift_rows(out, m["role"]) is not None:
            rows = _shift_rows(out, m["role"])
            assert rows is not None
            rows[int(m["n"]) - 1]["count"] = count
            table[m["role"]] = out["staffing"][m["role"]]
        else:
            table[key] = count
    out["staffing"] = table
    return out


def _shift_hours_per_day(row: dict[str, Any]) -> float:
    """Paid hours a day, averaged over the week, of one person on one shift row."""
    from procsim.model.time_of_week import parse_clock, parse_days

    issues: list[Issue] = []
    days = parse_days(row.get("days", "all"), "", issues) or frozenset()
    start = parse_clock(row.get("from"), "", issues) or 0.0
    end = parse_clock(row.get("to"), "", issues, allow_past_midnight=True) or 0.0
    hours = max(end - start, 0.0)
    for brk in row.get("breaks") or []:  # unpaid: nobody is on duty then
        if isinstance(brk, dict):
            b0 = parse_clock(brk.get("from"), "", issues, allow_past_midnight=True) or 0.0
            b1 = parse_clock(brk.get("to"), "", issues, allow_past_midnight=True) or 0.0
            hours -= max(b1 - b0, 0.0)
    return max(hours, 0.0) * len(days) / 7.0


def _cost(model: Model, staffing: Staffing, config: dict[str, Any] | None = None) -> float:
    """Paid staff time per day (idle time is paid too)."""
    hourly = {r.name: r.cost_per_hour for r in model.roles}
    total = 0.0
    for key, count in staffing.items():
        m = SHIFT_KEY.match(key)
        rows = _shift_rows(config, m["role"]) if m and config is not None else None
        if m and rows is not None:
            total += hourly[m["role"]] * count * _shift_hours_per_day(rows[int(m["n"]) - 1])
        else:
            total += 24.0 * hourly[key] * count
    return total


def _estimates(config: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Analytic KPI estimates of a config: (metric, entity) -> value."""
    table = estimate(validate_model(config))
    return {
        (str(r["metric"]), str(r["entity"])): float(r["value"]) for r in table.to_dict("records")
    }


def _analytic_shortfall(config: dict[str, Any], targets: tuple[Target, ...]) -> float:
    """Sum of relative target violations by the analytic estimates (0: all met)."""
    try:
        est = _estimates(config)
    except ModelError:  # e.g. every shift of a role at zero: nobody ever on duty
        return math.inf
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
    """Find the cheapest staffing (per role, and per shift for roles on shifts) whose
    simulated CIs meet every target.

    Parameters
    ----------
    config
        A model config with ``run`` settings and ``targets`` (or SLA targets).
    roles
        Roles whose head count may change (default: every role). For a role on shifts each
        shift row is a variable of its own, named ``<role>[<row number>]``.
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
    from procsim.study import api

    model, _run = validate(config)
    if not model.targets:
        raise ModelError(
            [Issue("targets", "a staffing search needs targets to meet",
                   "a target (targets: ...) or an SLA target (sla.<name>.target)", "none")],
            "the staffing search",
        )  # fmt: skip
    role_names = roles or list(model.role_names)
    unknown = [r for r in role_names if r not in model.role_names]
    if unknown:
        raise ModelError(
            [Issue("optimize_roles", f"unknown role '{r}'", ", ".join(model.role_names), r)
             for r in unknown],
            "the staffing search",
        )  # fmt: skip
    # One variable per plain role; a role on shifts has one per shift row ("agent[2]"), so
    # the search can staff the peak without paying for it all day.
    names: list[str] = []
    lower: Staffing = {}
    for r in role_names:
        shift_rows = _shift_rows(config, r)
        if shift_rows is None:
            servers = model.roles[model.role_names.index(r)].servers
            names.append(r)
            lower[r] = max(1, math.floor(model.offered_load()[r] * servers) + 1)
        else:
            for i in range(len(shift_rows)):
                names.append(f"{r}[{i + 1}]")
                lower[f"{r}[{i + 1}]"] = 0  # a shift may be dropped altogether

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
    current: Staffing = {r: max(v, 1) for r, v in lower.items()}
    shortfall = _analytic_shortfall(_with_staffing(config, current), model.targets)
    while shortfall > 0:
        options = []
        for r in names:
            if current[r] >= max_servers:
                continue
            trial = {**current, r: current[r] + 1}
            gain = shortfall - _analytic_shortfall(_with_staffing(config, trial), model.targets)
            extra = max(_cost(model, trial, config) - _cost(model, current, config), 1e-9)
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
        row: dict[str, Any] = dict(staffing)
        try:
            results = api.run(api.from_configs({"current": _with_staffing(config, staffing)}))
        except ProcsimError:  # not a valid staffing (nobody on duty): it meets nothing
            row.update(staff_cost_per_day=_cost(model, staffing, config), meets=False,
                       worst_margin=-math.inf)  # fmt: skip
            seen[key] = row
            rows.append(row)
            return row
        row["staff_cost_per_day"] = _cost(model, staffing, config)
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

    def walk_down() -> None:
        """Drop one person where the targets still hold, most expensive first."""
        nonlocal current
        improved = True
        while improved and len(rows) < max_evaluations:
            improved = False
            order = sorted(names, key=lambda r: -_cost(model, {r: 1}, config))
            for r in order:
                if current[r] - 1 < lower[r]:
                    continue
                trial = {**current, r: current[r] - 1}
                if evaluate(trial)["meets"]:
                    current, improved = trial, True
                    break

    if not evaluate(start)["meets"]:
        # Walk up: add the person that helps the worst target most per unit of cost.
        while len(rows) < max_evaluations:
            steps: list[tuple[bool, float, Staffing]] = []
            for r in names:
                if current[r] >= max_servers:
                    continue
                trial = {**current, r: current[r] + 1}
                result = evaluate(trial)
                extra = max(_cost(model, trial, config) - _cost(model, current, config), 1e-9)
                steps.append((bool(result["meets"]), result["worst_margin"] / extra, trial))
            if not steps:
                break
            meeting = [step for step in steps if step[0]]
            if meeting:
                current = min(meeting, key=lambda step: _cost(model, step[2], config))[2]
                break
            current = max(steps, key=lambda step: step[1])[2]
    if evaluate(current)["meets"]:
        # The way up may have passed a cheaper mix (more day staff, fewer at night): walk
        # down from wherever the targets are met.
        walk_down()
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
