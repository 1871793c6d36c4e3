"""A model described as plain data: what ``run.json`` records and the report draws from.

Sits between the validated models (:mod:`procsim.model.process`) and the run folder written
by :meth:`procsim.study.results.Results.save`, whose ``run.json`` the review reads
(:mod:`procsim.review`): stages, roles, case types, SLAs and targets by name, with weekly
arrival and staffing profiles in hours since Monday 00:00.
"""

from __future__ import annotations

from typing import Any

from procsim.model.calendar import WeeklyProfile
from procsim.model.process import Model
from procsim.model.units import UNIT_HOURS


def _week(profile: WeeklyProfile | None, scale: float = 1.0) -> dict[str, list[float]] | None:
    """A weekly profile as hours since Monday 00:00 where each value starts."""
    if profile is None:
        return None
    return {"hours": list(profile.breaks), "values": [v * scale for v in profile.values]}


def describe_model(model: Model) -> dict[str, Any]:
    """A JSON-friendly description of a model, for reports and ``run.json``."""
    names = model.stage_names
    hours_per_unit = UNIT_HOURS[model.time_unit]
    return {
        "name": model.name,
        "description": model.description,
        "time_unit": model.time_unit,
        "arrival_rate": model.arrival_rate,
        "interarrival": (
            model.interarrival.describe()
            if model.interarrival is not None
            else "rate profile by hour of week"
        ),
        # Arrivals per hour over an ordinary week (for the staffing-and-demand figure).
        "arrivals_per_hour": _week(model.arrival_profile, 1 / hours_per_unit)
        or {"hours": [0.0], "values": [model.arrival_rate / hours_per_unit]},
        "start": names[model.start],
        "stages": [
            {
                "name": s.name,
                "role": model.roles[s.role].name if s.role is not None else None,
                "duration": s.duration.describe(),
                "mean_duration": s.duration.mean,
                "value": s.value,
                "cost": s.cost,
                "next": {
                    ("end" if t < 0 else names[t]): p
                    for t, p in zip(s.successors, s.probabilities, strict=True)
                },
                "description": s.description,
                "parallel": [names[b] for b in s.split],
                "join": names[s.join] if s.join is not None else None,
                "patience": s.patience.describe() if s.patience is not None else None,
                "queue_capacity": s.queue_capacity,
                "batch": (
                    {"release_hours_of_week": list(s.batch.times), "size": s.batch.size}
                    if s.batch is not None
                    else None
                ),
            }
            for s in model.stages
        ],
        "roles": [
            {
                "name": r.name,
                "servers": r.servers,
                "mean_on_duty": r.mean_servers(),
                "shifts": r.shifts is not None,
                "on_duty_week": _week(r.shifts) or {"hours": [0.0], "values": [r.servers]},
                "preemptive": r.preemptive,
                "cost_per_hour": r.cost_per_hour,
            }
            for r in model.roles
        ],
        "case_types": [
            {"name": t.name, "share": t.share, "priority": t.priority, "description": t.description}
            for t in model.case_types
            if t.name
        ],
        "slas": [
            {
                "name": s.name,
                "within": s.within,
                "from": s.start.label(names),
                "to": s.end.label(names),
                "target": s.target,
                "description": s.description,
            }
            for s in model.slas
        ],
        "targets": [
            {"name": t.name, "metric": t.metric, "entity": t.entity, "op": t.op, "value": t.value}
            for t in model.targets
        ],
    }
