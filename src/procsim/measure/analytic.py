"""Analytic estimates: offered load, Erlang C waits and a queueing-network approximation.

Sits beside the engine: from a validated :class:`~procsim.model.process.Model` it computes in
milliseconds what the simulation estimates in seconds, so analysts get an instant first answer
and see where the two disagree (rework, variability, heavy load). Each role is treated as an
M/G/c station fed by the traffic equations; waits use Erlang C with the Allen–Cunneen
correction ``(ca^2 + cs^2) / 2`` (arrivals to a role taken as Poisson, ``ca^2 = 1``). It is exact
for M/M/c and open Jackson networks, and reduces to Pollaczek–Khinchine for M/G/1. Finite
queues, loss systems and parallel branches are left to :mod:`procsim.measure.analytic_limits`,
which uses an exact form or says there is no analytic estimate.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from procsim.measure.analytic_limits import (
    NO_ESTIMATE,
    Branch,
    finite_queue_gap,
    finite_station,
    fork_join_mean,
)
from procsim.model.process import Model, Stage
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


def _branch(model: Model, stage: Stage, join: int | None, rate: float) -> Branch:
    """How the fork-join formulas see one branch of a split (see :class:`Branch`)."""
    d = stage.duration
    if stage.successors != (join,) or stage.split or len(model.case_types) > 1:
        return Branch("other", math.nan)
    if stage.role is None:
        if d.family == "expon" or d.mean == 0:
            return Branch("delay", d.mean)
        return Branch("other", math.nan)
    role = model.roles[stage.role]
    alone = sum(s.role == stage.role for s in model.stages) == 1
    if (
        alone
        and role.shifts is None
        and role.servers == 1
        and d.family == "expon"
        and stage.queue_capacity is None
        and stage.patience is None
    ):
        mu = 1 / d.mean
        return Branch("mm1", 1 / (mu - rate) if rate < mu else math.inf, mu, rate)
    return Branch("other", math.nan)


def estimate(model: Model) -> pd.DataFrame:
    """Analytic KPI estimates in the tidy ``metric, entity, value, note`` form of the KPI table.

    Covers ``utilization`` and ``waited_share`` (Erlang C) per role/stage, ``wait_mean``,
    ``queue_mean`` (Lq = lambda Wq) and ``visits_per_case`` per stage, ``cycle_time_mean``,
    ``wip_mean`` (Little's law), ``throughput_per_day``, ``cost_per_day`` and
    ``cost_per_case``, and ``sla_attainment`` for SLAs from arrival to the start of the first
    stage (the M/M/c waiting-time distribution). Infinite where a role's load is 1 or more.

    A stage with a ``queue_capacity`` uses the exact M/M/c/K chain (Erlang B for a loss
    system, :func:`~procsim.measure.analytic_limits.finite_station`) and adds
    ``blocked_share`` and ``abandonment_rate``; a parallel split uses the exact fork-join
    forms of :func:`~procsim.measure.analytic_limits.fork_join_mean`. Where neither is exact
    the value is NaN and ``note`` says "no analytic estimate" and why.
    """
    visits = model.visit_ratios()
    lam = model.arrival_rate
    roles: dict[str, dict[str, Any]] = {
        str(r["role"]): {str(k): v for k, v in r.items()}
        for r in role_figures(model).to_dict("records")
    }
    rows: list[tuple[str, str, float, str]] = []
    # Why the process-wide figures (and, for a finite queue, the waits) have no estimate.
    gap = next((g for s in model.stages if (g := finite_queue_gap(model, s))), "")
    finite = next(
        (s for s in model.stages if s.queue_capacity is not None and s.role is not None), None
    )
    station = None
    if finite is not None and not gap:
        assert finite.role is not None
        role_row = roles[model.roles[finite.role].name]
        station = finite_station(
            int(role_row["servers"]), lam, finite.duration.mean, int(finite.queue_capacity or 0)
        )
    in_branch = {b for s in model.stages for b in s.split}
    cycle = 0.0
    for stage in model.stages:
        wait, note = 0.0, ""
        if stage.role is not None:
            r = roles[model.roles[stage.role].name]
            wait, waited = float(r["wait_mean"]), float(r["p_wait"])
            if gap:
                wait, waited, note = math.nan, math.nan, gap
            elif station is not None and stage is finite:
                wait, waited = station.wait_mean, station.waited_share
                rows.append(("blocked_share", stage.name, station.blocking, ""))
            rows.append(("waited_share", stage.name, waited, note))
        rows.append(("wait_mean", stage.name, wait, note))
        rate = lam * float(visits[stage.id])
        if station is not None and stage is finite:
            rows.append(("queue_mean", stage.name, station.queue_mean, ""))
        else:
            rows.append(("queue_mean", stage.name, rate * wait if stage.role is not None else 0.0,
                         note))  # fmt: skip
        rows.append(("visits_per_case", stage.name, float(visits[stage.id]), ""))
        if stage.id in in_branch:
            continue  # counted once, in the fork-join time of its split
        mean = sum(t.share * model.visit_ratios(t)[stage.id] * t.duration(stage).mean
                   for t in model.case_types)  # fmt: skip
        cycle += visits[stage.id] * wait + mean
        if stage.split:
            branches = [
                _branch(model, model.stages[b], stage.join, lam * float(visits[b]))
                for b in stage.split
            ]
            both = fork_join_mean(branches)
            if both is None:
                gap = gap or (
                    f"{NO_ESTIMATE}: parallel branches after {stage.name} (exact only for two "
                    f"identical M/M/1 branches, or exponential ones of which at most one queues)"
                )
            else:
                cycle += float(visits[stage.id]) * both
    for role in model.roles:
        util = float(roles[role.name]["load"])
        note = gap if finite is not None and gap else ""
        if station is not None:
            util = station.utilization
        rows.append(("utilization", role.name, math.nan if note else util, note))
    days = per_day(model.time_unit)
    staff_per_day = sum(r.mean_servers() * r.cost_per_hour for r in model.roles) * 24.0
    visit_cost = sum(visits[s.id] * s.cost for s in model.stages)
    admitted = station.admitted_rate if station is not None else lam
    # A finite queue without an exact form leaves the admitted flow (every rate) unknown.
    flow_gap = gap if finite is not None else ""
    throughput = math.nan if flow_gap else admitted * days
    cost_per_day = staff_per_day + visit_cost * throughput if visit_cost else staff_per_day
    if gap:
        cycle = math.nan
    rows += [
        ("cycle_time_mean", "", cycle, gap),
        ("wip_mean", "", admitted * cycle, gap),
        ("throughput_per_day", "", throughput, flow_gap),
        ("cost_per_day", "", cost_per_day, flow_gap if visit_cost else ""),
        ("cost_per_case", "", cost_per_day / throughput if throughput else math.nan, flow_gap),
    ]
    if station is not None:
        rows.append(("abandonment_rate", "", station.blocking, ""))
    rows += _sla_rows(model, roles, finite_queue=finite is not None)
    return pd.DataFrame(rows, columns=["metric", "entity", "value", "note"])


def _sla_rows(
    model: Model, roles: dict[str, dict[str, Any]], *, finite_queue: bool
) -> list[tuple[str, str, float, str]]:
    """``sla_attainment`` rows: exact only for arrival-to-first-start SLAs of an M/M/c queue."""
    out: list[tuple[str, str, float, str]] = []
    for sla in model.slas:
        value, note = math.nan, ""
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
            if finite_queue:
                note = f"{NO_ESTIMATE}: a finite queue"
            elif float(r["load"]) < 1:
                value = 1 - float(r["p_wait"]) * math.exp(-(servers / mean - rate) * sla.within)
            else:
                value = 0.0
        out.append(("sla_attainment", sla.name, value, note))
    return out


def beside(summary: pd.DataFrame, models: dict[str, Model]) -> pd.DataFrame:
    """Analytic estimates next to the simulated means: ``scenario, metric, entity, analytic,
    note, simulated, ci_low, ci_high, inside_ci``; ``note`` says why a value has no analytic
    estimate. ``inside_ci`` False flags where the approximation and the simulation disagree
    (shifts, heavy load, variability the formulas ignore)."""
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
