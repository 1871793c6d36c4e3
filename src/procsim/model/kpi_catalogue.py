"""The KPI catalogue: every metric procsim reports, what it is measured on and its unit.

Part of the model's vocabulary, since targets name KPIs: shared by validation (targets must
name a known KPI), metrics (which compute them), stats and the review (which label them). No
heavy imports: it is read at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Entity = Literal["", "stage", "role", "sla", "case_type"]
UnitKind = Literal["time", "cases", "per_day", "share", "money"]


@dataclass(frozen=True)
class Kpi:
    """One metric of the catalogue.

    Attributes
    ----------
    name
        Column value in the ``metric`` column of the tidy tables.
    entity
        What one value refers to: the whole process (""), a stage, a role, an SLA or a case
        type.
    unit
        ``time`` (process time unit), ``cases``, ``per_day`` (cases per day), ``share`` (0..1)
        or ``money`` (per the cost unit of the roles).
    label
        Short text for tables.
    better
        Direction of improvement: ``lower`` or ``higher`` (None when neither is better); the
        direction a ranking on this KPI sorts by.
    informational
        True for counts that follow from the arrivals and the length of the run (throughput,
        cases completed, cases still open): a change is reported, never called better or
        worse. With the same arrivals, a redesign that finishes faster completes a few more
        cases inside the window and leaves fewer open at the end; that is the cycle time
        again, not a gain of its own.
    """

    name: str
    entity: Entity
    unit: UnitKind
    label: str
    better: Literal["lower", "higher"] | None
    informational: bool = False

    @property
    def verdict(self) -> Literal["lower", "higher"] | None:
        """The direction a significant change is judged by (None: only ``changed``)."""
        return None if self.informational else self.better


CATALOGUE: dict[str, Kpi] = {
    k.name: k
    for k in [
        Kpi("throughput_per_day", "", "per_day", "throughput per day", "higher", True),
        Kpi("arrived", "", "cases", "cases arrived", None),
        Kpi("completed", "", "cases", "cases completed", "higher", True),
        Kpi("open", "", "cases", "cases still open at the end", "lower", True),
        Kpi("abandoned", "", "cases", "cases that gave up waiting", "lower"),
        Kpi("balked", "", "cases", "cases turned away (queue full)", "lower"),
        Kpi("abandonment_rate", "", "share", "abandoned or turned away", "lower"),
        Kpi("cycle_time_mean", "", "time", "cycle time, mean", "lower"),
        Kpi("cycle_time_p50", "", "time", "cycle time, median", "lower"),
        Kpi("cycle_time_p90", "", "time", "cycle time, P90", "lower"),
        Kpi("cycle_time_p95", "", "time", "cycle time, P95", "lower"),
        Kpi("wip_mean", "", "cases", "work in progress, time-average", "lower"),
        Kpi("first_pass_yield", "", "share", "first-pass yield (no rework)", "higher"),
        Kpi("cycle_efficiency", "", "share", "cycle efficiency (value-adding/cycle)", "higher"),
        Kpi("cost_per_case", "", "money", "cost per completed case", "lower"),
        Kpi("cost_per_day", "", "money", "cost per day", "lower"),
        Kpi("cost_per_week", "", "money", "cost per week (7 days)", "lower"),
        Kpi("sla_attainment", "sla", "share", "SLA attainment", "higher"),
        Kpi("wait_mean", "stage", "time", "waiting time, mean", "lower"),
        Kpi("wait_p90", "stage", "time", "waiting time, P90", "lower"),
        Kpi("waited_share", "stage", "share", "share of visits that waited", "lower"),
        Kpi("processing_mean", "stage", "time", "processing time, mean", "lower"),
        Kpi("visits_per_case", "stage", "cases", "visits per case", None),
        Kpi("time_share", "stage", "share", "share of cycle time", None),
        Kpi("queue_mean", "stage", "cases", "cases waiting, time-average (Lq)", "lower"),
        Kpi("blocked_share", "stage", "share", "visits turned away (queue full)", "lower"),
        Kpi("abandoned_share", "stage", "share", "visits given up while waiting", "lower"),
        Kpi("utilization", "role", "share", "utilization", None),
        Kpi("role_queue_mean", "role", "cases", "cases waiting, time-average (Lq)", "lower"),
        Kpi("staff_cost_per_day", "role", "money", "staff cost per day", "lower"),
        Kpi("stage_cost_per_day", "stage", "money", "stage (per-execution) cost per day", "lower"),
        Kpi("type_arrived", "case_type", "cases", "cases arrived", None),
        Kpi("type_completed", "case_type", "cases", "cases completed", "higher", True),
        Kpi("type_abandonment_rate", "case_type", "share", "abandoned or turned away", "lower"),
        Kpi("type_cycle_time_mean", "case_type", "time", "cycle time, mean", "lower"),
        Kpi("type_cycle_time_p90", "case_type", "time", "cycle time, P90", "lower"),
        Kpi("type_wait_mean", "case_type", "time", "time spent waiting, mean", "lower"),
        Kpi("type_cost_per_case", "case_type", "money", "cost per completed case", "lower"),
    ]
}


def in_points(metric: str) -> bool:
    """True when changes of ``metric`` are told in percentage points, not relative %.

    A proportion (SLA attainment, utilization, yield, shares) going from 55% to 97% is
    "+42 pp"; "+76 %" of a percentage reads as if it were the new level and exaggerates
    changes from a low base. Other KPIs keep the relative change.
    """
    kpi = CATALOGUE.get(metric)
    return kpi is not None and kpi.unit == "share"


#: KPIs shown in the compact terminal table, in order.
HEADLINE: tuple[str, ...] = (
    "throughput_per_day",
    "completed",
    "open",
    "cycle_time_mean",
    "cycle_time_p50",
    "cycle_time_p90",
    "cycle_time_p95",
    "wip_mean",
    "abandonment_rate",
    "sla_attainment",
    "type_cycle_time_mean",
    "utilization",
    "first_pass_yield",
    "cycle_efficiency",
    "cost_per_case",
)

#: KPIs counted in the report's "at a glance" line: one per question (speed, tail, customers
#: lost, promises kept, quality, cost), without counts that restate the cycle time
#: (throughput, completed, open, work in progress).
GLANCE: tuple[str, ...] = (
    "cycle_time_mean",
    "cycle_time_p90",
    "abandonment_rate",
    "sla_attainment",
    "first_pass_yield",
    "cost_per_case",
)
