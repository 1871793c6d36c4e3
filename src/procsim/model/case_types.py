"""Case types: ``case_types`` -> the mix of kinds of cases, their priorities and overrides.

Part of validation: :mod:`procsim.model.validate` hands the section here once the stages are
built. Each type has a share of the arrivals, a priority, and may give some stages another
duration or another XOR routing (read by :mod:`procsim.model.routing`). Every problem is
collected with its path; the types feed the model and the whole-process checks
(:mod:`procsim.model.flow_checks`), which follow every type's routes.
"""

from __future__ import annotations

from procsim.errors import did_you_mean
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.issues import Collector
from procsim.model.process import CaseType, Stage
from procsim.model.routing import PROB_TOL, Handoffs, build_next

CASE_TYPE_KEYS = ("share", "priority", "description", "stages")
TYPE_STAGE_KEYS = ("duration", "next")

#: A type's routing overrides: stage id -> (successor ids, probabilities).
RoutingOverrides = dict[int, tuple[tuple[int, ...], tuple[float, ...]]]


def build_case_types(
    value: object,
    stages: list[Stage],
    sid: dict[str, int],
    unit: str,
    handoffs: Handoffs,
    c: Collector,
) -> list[CaseType]:
    """``case_types`` -> case types with their mix, priority and stage overrides."""
    raw = c.mapping(value, "case_types", required=False)
    raw = {k: v for k, v in raw.items() if v is not None}
    if not raw:
        return [CaseType(0, "", 1.0)]
    by_id = {s.id: s for s in stages}
    out: list[CaseType] = []
    for tid, (name, spec) in enumerate(raw.items()):
        path = f"case_types.{name}"
        t = c.mapping(spec, path, allowed=CASE_TYPE_KEYS, example="{share: 0.2, priority: 1}")
        share = c.number(t.get("share"), f"{path}.share", minimum=0, strict=True, what="a share")
        priority = 0
        if t.get("priority") is not None:
            got = c.number(t["priority"], f"{path}.priority", integer=True, what="an integer")
            priority = int(got) if got is not None else 0
        overrides = c.mapping(t.get("stages"), f"{path}.stages", required=False)
        durations, routing = _stage_overrides(overrides, path, by_id, sid, unit, handoffs, c)
        if share is not None:
            out.append(
                CaseType(
                    tid,
                    str(name),
                    share,
                    priority,
                    durations,
                    routing,
                    c.text(t.get("description"), f"{path}.description"),
                )
            )
    total = sum(t.share for t in out)
    if out and abs(total - 1.0) > PROB_TOL:
        c.add(
            "case_types",
            "the shares of the case types do not sum to 1",
            "a sum of 1",
            f"{total:g} over " + ", ".join(f"{t.name}={t.share:g}" for t in out),
        )
    return out


def _stage_overrides(
    overrides: dict[str, object],
    path: str,
    by_id: dict[int, Stage],
    sid: dict[str, int],
    unit: str,
    handoffs: Handoffs,
    c: Collector,
) -> tuple[dict[int, Distribution], RoutingOverrides]:
    """A type's ``stages`` overrides -> its durations and XOR routings by stage id."""
    durations: dict[int, Distribution] = {}
    routing: RoutingOverrides = {}
    for stage_name, ov in overrides.items():
        spath = f"{path}.stages.{stage_name}"
        if stage_name not in sid:
            c.add(spath, "unknown stage", "a stage of the process", repr(stage_name),
                  did_you_mean(stage_name, sid))  # fmt: skip
            continue
        o = c.mapping(ov, spath, allowed=TYPE_STAGE_KEYS, example="{duration: {...}}")
        stage_id = sid[stage_name]
        if o.get("duration") is not None:
            dist = parse_distribution(o["duration"], f"{spath}.duration", unit, c.issues)
            if dist is not None:
                durations[stage_id] = dist
        if o.get("next") is not None:
            stage = by_id.get(stage_id)
            r = build_next(o["next"], stage_name, spath, sid, unit, handoffs, c)
            if r.split or (stage is not None and stage.split):
                c.add(
                    f"{spath}.next",
                    "a case type cannot change a parallel split",
                    "XOR routing on a stage that is not a split",
                    "a parallel split",
                )
            elif r.ok:
                routing[stage_id] = (r.successors, r.probabilities)
    return durations, routing
