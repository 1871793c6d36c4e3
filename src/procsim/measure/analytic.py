"""Analytic estimates: offered load, Erlang C waits and a queueing-network approximation.

Sits beside the engine: from a validated :class:`~procsim.model.process.Model` it computes in
milliseconds what the simulation estimates in seconds, so analysts get an instant first answer
and see where the two disagree (rework, variability, heavy load). Each role is treated as an
M/G/c station fed by the traffic equations; waits use Erlang C with the Allen–Cunneen
correction ``(ca^2 + cs^2) / 2`` (arrivals to a role taken as Poisson, ``ca^2 = 1``). It is exact
for M/M/c and open Jackson networks, and reduces to Pollaczek–Khinchine for M/G/1.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from procsim.model.process import Model
from procsim.model.units import per_day


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``load = lambda/mu``.

    Computed with the numerically stable Erlang B recursion; 1 when ``load >= servers``.
    """
    if load <= 0:
        return 0.0
    if load >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    rho = load / servers
    return blocking / (1 - rho + rho * blocking)


def _flows(model: Model) -> dict[int, list[tuple[float, float, float]]]:
    """Per role: (visit rate, mean, second moment) of each stage and case type feeding it."""
    lam = model.arrival_rate
    flows: dict[int, list[tuple[float, float, float]]] = {r.id: [] for r in model.roles}
    for ctype in model.case_types:
        visits = model.visit_ratios(ctype)
        for s in model.stages:
            if s.role is not None:
                d = ctype.duration(s)
                flows[s.role].append((ctype.share * lam * visits[s.id], d.mean, d.var + d.mean**2))
    return flows


def role_figures(model: Model) -> pd.DataFrame:
    """Per role: arrival rate, mean and SCV of service, load per server, P(wait), mean wait.

    Time-varying arrivals and shifts are averaged over the week (head count rounded to the
    nearest whole person); priorities, batching and abandonment are ignored.
    """
    flows = _flows(model)
    rows = []
    for role in model.roles:
        servers = max(1, round(role.mean_servers()))
        rate = sum(f[0] for f in flows[role.id])
        if rate <= 0:
            rows.append((role.name, servers, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        mean = sum(f[0] * f[1] for f in flows[role.id]) / rate
        second = sum(f[0] * f[2] for f in flows[role.id]) / rate
        scv = second / mean**2 - 1 if mean > 0 else 0.0
        offered = rate * mean
        rho = offered / servers
        p_wait = erlang_c(servers, offered)
        # Allen–Cunneen: the M/M/c wait scaled by (ca^2 + cs^2) / 2 with ca^2 = 1.
        wait = math.inf if rho >= 1 else p_wait / (servers / mean - rate) * (1 + scv) / 2
        rows.append((role.name, servers, rate, mean, scv, rho, p_wait, wait))
    return pd.DataFrame(
        rows,
        columns=["role", "servers", "arrival_rate", "service_mean", "service_scv", "load",
                 "p_wait", "wait_mean"],
    )  # fmt: skip


def estimate(model: Model) -> pd.DataFrame:
    """Analytic KPI estimates in the tidy ``metric, entity, value`` form of the KPI table.

    Covers ``utilization`` and ``waited_share`` (Erlang C) per role/stage, ``wait_mean`` and
    ``visits_per_case`` per stage, ``cycle_time_mean``, ``wip_mean`` (Little's law),
    ``throughput_per_day``, ``cost_per_day`` and ``cost_per_case``, and ``sla_attainment``
    for SLAs from arrival to the start of the first stage (the M/M/c waiting-time
    distribution). Infinite where a role's load is 1 or more.
    """
    visits = model.visit_ratios()
    lam = model.arrival_rate
    roles: dict[str, dict[str, Any]] = {
        str(r["role"]): {str(k): v for k, v in r.items()}
        for r in role_figures(model).to_dict("records")
    }
    rows: list[tuple[str, str, float]] = []
    cycle = 0.0
    for stage in model.stages:
        wait = 0.0
        if stage.role is not None:
            r = roles[model.roles[stage.role].name]
            wait = float(r["wait_mean"])
            rows.append(("waited_share", stage.name, float(r["p_wait"])))
        rows.append(("wait_mean", stage.name, wait))
        rows.append(("visits_per_case", stage.name, float(visits[stage.id])))
        mean = sum(t.share * model.visit_ratios(t)[stage.id] * t.duration(stage).mean
                   for t in model.case_types)  # fmt: skip
        cycle += visits[stage.id] * wait + mean
    for role in model.roles:
        rows.append(("utilization", role.name, float(roles[role.name]["load"])))
    days = per_day(model.time_unit)
    staff_per_day = sum(r.mean_servers() * r.cost_per_hour for r in model.roles) * 24.0
    visit_cost = sum(visits[s.id] * s.cost for s in model.stages)
    throughput = lam * days
    cost_per_day = staff_per_day + visit_cost * throughput
    rows += [
        ("cycle_time_mean", "", cycle),
        ("wip_mean", "", lam * cycle),
        ("throughput_per_day", "", throughput),
        ("cost_per_day", "", cost_per_day),
        ("cost_per_case", "", cost_per_day / throughput if throughput else math.nan),
    ]
    for sla in model.slas:
        value = math.nan
        first = model.stages[model.start]
        if (
            sla.start.kind == "arrival"
            and sla.end.kind == "start"
            and sla.end.stage == model.start
            and first.role is not None
        ):
            r = roles[model.roles[first.role].name]
            servers, rate, mean = (
                int(r["servers"]),
                float(r["arrival_rate"]),
                float(r["service_mean"]),
            )
            if float(r["load"]) < 1:
                value = 1 - float(r["p_wait"]) * math.exp(-(servers / mean - rate) * sla.within)
            else:
                value = 0.0
        rows.append(("sla_attainment", sla.name, value))
    return pd.DataFrame(rows, columns=["metric", "entity", "value"])


def beside(summary: pd.DataFrame, models: dict[str, Model]) -> pd.DataFrame:
    """Analytic estimates next to the simulated means: ``scenario, metric, entity, analytic,
    simulated, ci_low, ci_high, inside_ci``. ``inside_ci`` False flags where the approximation
    and the simulation disagree (shifts, heavy load, variability the formulas ignore)."""
    frames = []
    for label, model in models.items():
        est = estimate(model)
        est.insert(0, "scenario", label)
        frames.append(est)
    table = pd.concat(frames, ignore_index=True).rename(columns={"value": "analytic"})
    sim = summary[["scenario", "metric", "entity", "mean", "ci_low", "ci_high"]].rename(
        columns={"mean": "simulated"}
    )
    out = table.merge(sim, on=["scenario", "metric", "entity"], how="left")
    out["inside_ci"] = (out["analytic"] >= out["ci_low"]) & (out["analytic"] <= out["ci_high"])
    return out
