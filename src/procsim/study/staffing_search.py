"""Staffing search: the cheapest head counts that meet every target, confirmed by simulation.

Sits on top of the analytic phase (:mod:`procsim.study.staffing_bounds`), which gives the
search variables, their lower bounds and the start, and of the study (:mod:`procsim.study.api`),
which simulates each candidate. From the start the search walks up (one more person where it
helps the worst target most per unit of cost) until the confidence intervals meet every target,
then down (one fewer where the targets still hold), and reports the cheapest staffing found and
the runners-up.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from procsim.errors import Issue, ModelError, ProcsimError
from procsim.model.process import Model
from procsim.model.validate import validate
from procsim.study import api
from procsim.study.staffing import Staffing, staff_cost_per_day, with_staffing
from procsim.study.staffing_bounds import analytic_start, out_of_reach, search_variables


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
    model, _run = validate(config)
    names, lower = search_variables(config, model, _roles_to_staff(model, roles))
    reason = out_of_reach(config, model, names, max_servers)
    if reason:
        return StaffingSearch(None, pd.DataFrame(), lower, dict(lower), reason)
    current = analytic_start(config, model, names, lower, max_servers)
    start = dict(current)
    candidates = _Candidates(config, model, names, progress)
    if not candidates.evaluate(start)["meets"]:
        current = _walk_up(candidates, current, max_servers, max_evaluations)
    if candidates.evaluate(current)["meets"]:
        # The way up may have passed a cheaper mix (more day staff, fewer at night): walk
        # down from wherever the targets are met.
        _walk_down(candidates, current, lower, max_evaluations)
    return _report(candidates, lower, start, max_evaluations)


def _roles_to_staff(model: Model, roles: list[str] | None) -> list[str]:
    """The roles the search may staff; refused without targets or for an unknown role."""
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
    return role_names


class _Candidates:
    """The staffings simulated so far, each once: a row per candidate, in the order tried."""

    def __init__(
        self,
        config: dict[str, Any],
        model: Model,
        names: list[str],
        progress: Callable[[str], None] | None,
    ) -> None:
        self.config = config
        self.model = model
        self.names = names
        self.progress = progress
        self.rows: list[dict[str, Any]] = []
        self._seen: dict[tuple[int, ...], dict[str, Any]] = {}

    def cost(self, staffing: Staffing) -> float:
        """Staff cost per day of a staffing."""
        return staff_cost_per_day(self.model, staffing, self.config)

    def evaluate(self, staffing: Staffing) -> dict[str, Any]:
        """Simulate a staffing (once) and judge its CIs against every target.

        The row has the head counts, ``staff_cost_per_day``, per target its mean and status,
        ``meets`` and ``worst_margin`` (the worst target's CI distance from its goal, relative
        to the goal; negative when missed).
        """
        key = tuple(staffing[r] for r in self.names)
        if key in self._seen:
            return self._seen[key]
        row: dict[str, Any] = dict(staffing)
        try:
            study = api.from_configs({"current": with_staffing(self.config, staffing)})
            # A candidate's warnings (few replications, overload) belong to its row, not to
            # the analyst's screen once per candidate.
            results = api.run(study, progress=False, warn=_ignore)
        except ProcsimError:  # not a valid staffing (nobody on duty): it meets nothing
            row.update(staff_cost_per_day=self.cost(staffing), meets=False,
                       worst_margin=-math.inf)  # fmt: skip
            self._seen[key] = row
            self.rows.append(row)
            return row
        row["staff_cost_per_day"] = self.cost(staffing)
        meets, worst = self._judge(results.targets, row)
        row["meets"] = meets
        row["worst_margin"] = worst
        self._seen[key] = row
        self.rows.append(row)
        if self.progress:
            self.progress(f"  {staffing}: {'meets' if meets else 'misses'} the targets")
        return row

    def _judge(self, targets: pd.DataFrame, row: dict[str, Any]) -> tuple[bool, float]:
        """Add each target's mean and status to ``row``; whether all are met, and the worst
        margin."""
        meets = True
        worst = math.inf
        for t in targets.to_dict("records"):
            name = str(t["target"])
            row[f"{name}: mean"] = t["mean"]
            row[f"{name}: status"] = t["status"]
            meets = meets and t["status"] == "met"
            goal = next(x for x in self.model.targets if x.name == name)
            low, high = float(t["ci_low"]), float(t["ci_high"])
            margin = (low - goal.value if goal.op == ">=" else goal.value - high) / max(
                abs(goal.value), 1e-9
            )
            worst = min(worst, margin)
        return meets, worst


def _walk_up(
    candidates: _Candidates, current: Staffing, max_servers: int, max_evaluations: int
) -> Staffing:
    """Add the person that helps the worst target most per unit of cost, until a staffing
    meets every target (the cheapest of those tried then) or the evaluations run out."""
    while len(candidates.rows) < max_evaluations:
        steps: list[tuple[bool, float, Staffing]] = []
        for r in candidates.names:
            if current[r] >= max_servers:
                continue
            trial = {**current, r: current[r] + 1}
            result = candidates.evaluate(trial)
            extra = max(candidates.cost(trial) - candidates.cost(current), 1e-9)
            steps.append((bool(result["meets"]), result["worst_margin"] / extra, trial))
        if not steps:
            break
        meeting = [step for step in steps if step[0]]
        if meeting:
            current = min(meeting, key=lambda step: candidates.cost(step[2]))[2]
            break
        current = max(steps, key=lambda step: step[1])[2]
    return current


def _walk_down(
    candidates: _Candidates, current: Staffing, lower: Staffing, max_evaluations: int
) -> None:
    """Drop one person where the targets still hold, most expensive first."""
    improved = True
    while improved and len(candidates.rows) < max_evaluations:
        improved = False
        order = sorted(candidates.names, key=lambda r: -candidates.cost({r: 1}))
        for r in order:
            if current[r] - 1 < lower[r]:
                continue
            trial = {**current, r: current[r] - 1}
            if candidates.evaluate(trial)["meets"]:
                current, improved = trial, True
                break


def _report(
    candidates: _Candidates, lower: Staffing, start: Staffing, max_evaluations: int
) -> StaffingSearch:
    """Every candidate, cheapest meeting first, and the chosen one."""
    table = pd.DataFrame(candidates.rows)
    table = table.sort_values(["meets", "staff_cost_per_day"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)  # fmt: skip
    chosen_rows = table[table["meets"]]
    chosen = (
        {r: int(chosen_rows.iloc[0][r]) for r in candidates.names} if len(chosen_rows) else None
    )
    reason = (
        ""
        if chosen
        else (f"no simulated staffing met every target within {max_evaluations} evaluations")
    )
    return StaffingSearch(chosen, table, lower, start, reason)


def _ignore(_text: str) -> None:
    """Drops a candidate's validation warning (its outcome is in the search's table)."""
