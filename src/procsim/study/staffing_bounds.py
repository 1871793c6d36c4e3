"""The analytic phase of the staffing search: the search variables and their lower bounds,
targets out of reach of any staffing, and the staffing the estimates propose as the start.

Sits between the analytic estimates (:mod:`procsim.measure.analytic`, on configs made by
:mod:`procsim.study.staffing`) and the simulated search (:mod:`procsim.study.staffing_search`),
which starts from what is found here. Each role needs more staff than its offered load; Erlang
C then finds the smallest staffing whose estimates meet the targets they can evaluate.
"""

from __future__ import annotations

import math
from typing import Any

from procsim.errors import ModelError
from procsim.measure.analytic import estimate
from procsim.model.process import Model, Target
from procsim.model.validate import validate_model
from procsim.study.staffing import Staffing, shift_rows, staff_cost_per_day, with_staffing


def search_variables(
    config: dict[str, Any], model: Model, roles: list[str]
) -> tuple[list[str], Staffing]:
    """The variables of the search and the lower bound of each.

    One variable per plain role, at least the smallest head count with an offered load below
    1; a role on shifts has one per shift row (``agent[2]``), so the search can staff the peak
    without paying for it all day, and a shift may be dropped altogether (lower bound 0).
    """
    names: list[str] = []
    lower: Staffing = {}
    for r in roles:
        rows = shift_rows(config, r)
        if rows is None:
            servers = model.roles[model.role_names.index(r)].servers
            names.append(r)
            lower[r] = max(1, math.floor(model.offered_load()[r] * servers) + 1)
        else:
            for i in range(len(rows)):
                names.append(f"{r}[{i + 1}]")
                lower[f"{r}[{i + 1}]"] = 0
    return names, lower


def out_of_reach(config: dict[str, Any], model: Model, names: list[str], max_servers: int) -> str:
    """Why no staffing can meet the targets, or "" when the estimates find none out of reach.

    With every variable at its maximum, waiting is (almost) gone: a target the estimates still
    miss then is out of reach of staffing (the work and the delays alone take too long).
    """
    ceiling = {r: max_servers for r in names}
    if not _analytic_shortfall(with_staffing(config, ceiling), model.targets) > 0:
        return ""
    est = _estimates(with_staffing(config, ceiling))
    missed = [
        f"{t.name} ({t.metric} {t.label()}; {est[(t.metric, t.entity)]:.3g} even "
        f"with {max_servers} per role)"
        for t in model.targets
        if not math.isnan(est.get((t.metric, t.entity), math.nan))
        and not t.met(est[(t.metric, t.entity)])
    ]
    return (
        "no staffing meets " + "; ".join(missed) + ": the work and the delays alone "
        "take too long. Change the process (a scenario) or the target"
    )


def analytic_start(
    config: dict[str, Any],
    model: Model,
    names: list[str],
    lower: Staffing,
    max_servers: int,
) -> Staffing:
    """From the lower bounds (at least 1 each), add staff where it helps the estimated targets
    most per unit of cost, until the estimates meet them or no one more helps."""
    current: Staffing = {r: max(v, 1) for r, v in lower.items()}
    shortfall = _analytic_shortfall(with_staffing(config, current), model.targets)
    while shortfall > 0:
        options = []
        for r in names:
            if current[r] >= max_servers:
                continue
            trial = {**current, r: current[r] + 1}
            gain = shortfall - _analytic_shortfall(with_staffing(config, trial), model.targets)
            extra = max(
                staff_cost_per_day(model, trial, config)
                - staff_cost_per_day(model, current, config),
                1e-9,
            )
            options.append((gain / extra, -extra, r))
        if not options or max(options)[0] <= 0:
            break  # what is left is out of the estimates' reach: the simulation decides
        current = {**current, max(options)[2]: current[max(options)[2]] + 1}
        shortfall = _analytic_shortfall(with_staffing(config, current), model.targets)
    return current


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
