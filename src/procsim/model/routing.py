"""Validation of the process flow: stages, routing, parallel work, batching, impatience, types.

Part of validation (:mod:`procsim.model.validate` drives it): turns ``process.stages`` and
``case_types`` into :class:`~procsim.model.process.Stage` and
:class:`~procsim.model.process.CaseType` objects, collecting every problem with its path. Handoff
delays on edges become small pure-delay stages named ``handoff:<from>-><to>``, so the engine needs
nothing special for them and the time they take shows up in every stage table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from procsim.errors import did_you_mean
from procsim.model.calendar import Calendar
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.issues import Collector, short
from procsim.model.process import EXIT, VALUE_CLASSES, Batch, CaseType, Stage, ValueClass
from procsim.model.time_of_week import parse_clock, parse_days

STAGE_KEYS = (
    "role",
    "duration",
    "next",
    "value",
    "cost",
    "description",
    "patience",
    "queue_capacity",
    "batch",
)
EDGE_KEYS = ("p", "handoff")
PARALLEL_KEYS = ("parallel", "join")
BATCH_KEYS = ("at", "size")
CASE_TYPE_KEYS = ("share", "priority", "description", "stages")
TYPE_STAGE_KEYS = ("duration", "next")
EXIT_NAMES = ("end", "exit")

_PROB_TOL = 1e-6


@dataclass
class Routing:
    """What ``next`` says: XOR successors with probabilities, or a parallel split."""

    successors: tuple[int, ...] = ()
    probabilities: tuple[float, ...] = ()
    split: tuple[int, ...] = ()
    join: int | None = None
    ok: bool = True


@dataclass
class Handoffs:
    """Handoff delays found on edges, each becoming a pure-delay stage after the real ones."""

    first_id: int
    stages: list[Stage] = field(default_factory=list)
    index: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def add(self, source: str, target: int, target_name: str, delay: Distribution) -> int:
        """The id of the handoff stage for this edge and delay (made on first use)."""
        key = (source, target, delay.describe())
        if key not in self.index:
            sid = self.first_id + len(self.stages)
            self.index[key] = sid
            name = f"handoff:{source}->{target_name}"
            taken = sum(1 for s in self.stages if s.name.split("#")[0] == name)
            self.stages.append(
                Stage(
                    sid,
                    name + (f"#{taken + 1}" if taken else ""),
                    None,
                    delay,
                    (target,),
                    (1.0,),
                    "waste",
                    description=f"handoff from {source} to {target_name}",
                    handoff=True,
                )
            )
        return self.index[key]


def build_stage(
    name: str,
    raw_value: object,
    sid: dict[str, int],
    rid_of: dict[str, int],
    unit: str,
    calendar: Calendar,
    handoffs: Handoffs,
    c: Collector,
    removed: Collection[str] = (),
) -> Stage | None:
    """One stage from its config mapping (None when it has problems, all reported).

    ``removed`` names roles whose head count is null, for a hint that says so.
    """
    path = f"process.stages.{name}"
    raw = c.mapping(
        raw_value,
        path,
        allowed=STAGE_KEYS,
        example="{role: reviewer, duration: {dist: expon, mean: 2}, next: {...}}",
    )
    n_before = len(c.issues)
    role: int | None = None
    role_name = raw.get("role")
    if role_name is not None:
        if not isinstance(role_name, str) or role_name not in rid_of:
            hint = did_you_mean(str(role_name), rid_of) if rid_of else ""
            hint = hint or f"add staffing.{role_name}=1"
            if isinstance(role_name, str) and role_name in removed:
                hint = (
                    f"staffing.{role_name} is null, which removes the role; a role needs a head "
                    f"count (e.g. staffing.{role_name}=1), or give this stage another role"
                )
            c.add(
                f"{path}.role",
                "role has no head count under staffing",
                "a role listed under staffing (or null for a pure delay)",
                short(role_name),
                hint,
            )
        else:
            role = rid_of[role_name]
    duration = None
    if "duration" not in raw or raw["duration"] is None:
        c.add(
            f"{path}.duration",
            "missing",
            "a distribution such as {dist: expon, mean: 2}",
            "nothing",
        )
    else:
        duration = parse_distribution(raw["duration"], f"{path}.duration", unit, c.issues)

    routing = build_next(raw.get("next"), name, path, sid, unit, handoffs, c)
    value = raw.get("value", "necessary")
    if value not in VALUE_CLASSES:
        c.add(
            f"{path}.value",
            "unknown value class",
            "one of " + ", ".join(VALUE_CLASSES),
            short(value),
            did_you_mean(str(value), VALUE_CLASSES),
        )
    cost = 0.0
    if raw.get("cost") is not None:
        cost = c.number(raw["cost"], f"{path}.cost", minimum=0) or 0.0
    description = c.text(raw.get("description"), f"{path}.description")
    patience = None
    if raw.get("patience") is not None:
        patience = parse_distribution(raw["patience"], f"{path}.patience", unit, c.issues)
    capacity = None
    if raw.get("queue_capacity") is not None:
        got = c.number(
            raw["queue_capacity"],
            f"{path}.queue_capacity",
            minimum=0,
            integer=True,
            what="a number of waiting cases",
        )
        capacity = int(got) if got is not None else None
    if (patience is not None or capacity is not None) and role is None and role_name is None:
        c.add(
            path,
            "patience and queue_capacity need a role (a pure delay has no queue)",
            "a role",
            "none",
        )
    batch = _build_batch(raw.get("batch"), f"{path}.batch", calendar, c)
    if len(c.issues) > n_before or duration is None or not routing.ok:
        return None
    return Stage(
        sid[name],
        name,
        role,
        duration,
        routing.successors,
        routing.probabilities,
        cast(ValueClass, value),
        cost,
        description,
        split=routing.split,
        join=routing.join,
        patience=patience,
        queue_capacity=capacity,
        batch=batch,
    )


def _build_batch(value: object, path: str, calendar: Calendar, c: Collector) -> Batch | None:
    if value is None:
        return None
    raw = c.mapping(
        value, path, allowed=BATCH_KEYS, example="{at: ['mon 17:00', 'thu 17:00']} or {size: 20}"
    )
    if not raw:
        return None
    size = None
    if raw.get("size") is not None:
        got = c.number(raw["size"], f"{path}.size", minimum=1, integer=True, what="a batch size")
        size = int(got) if got is not None else None
    times: list[float] = []
    at = raw.get("at")
    if at is not None:
        items = [at] if isinstance(at, str) else at
        if not isinstance(items, list) or not items:
            c.add(
                f"{path}.at",
                "a batch schedule with no release times",
                "a list such as ['mon 17:00', 'thu 17:00'] or 'daily 17:00'",
                short(at),
            )
            return None
        for i, item in enumerate(items):
            ipath = f"{path}.at[{i}]"
            if not isinstance(item, str) or not item.split():
                c.add(
                    ipath, "not a release time", "'<days> HH:MM', e.g. 'mon-fri 17:00'", short(item)
                )
                continue
            *day_words, clock = item.split()
            days = parse_days(" ".join(day_words) or "all", ipath, c.issues)
            hour = parse_clock(clock, ipath, c.issues)
            if days is None or hour is None:
                continue
            if hour >= 24:
                c.add(ipath, "a release time must be before midnight", "HH:MM < 24:00", clock)
                continue
            times += [day * 24.0 + hour for day in days]
    if size is None and not times:
        if at is None:
            c.add(
                path,
                "a batch needs release times, a size, or both",
                "at: ['mon 17:00'] and/or size: 20",
                "neither",
            )
        return None
    del calendar  # release days are checked against it by the engine (closed days skipped)
    return Batch(tuple(sorted(set(times))), size)


def build_next(
    value: object,
    source: str,
    path: str,
    sid: dict[str, int],
    unit: str,
    handoffs: Handoffs,
    c: Collector,
) -> Routing:
    """Routing after stage ``source``: ``{b: 0.8, c: {p: 0.2, handoff: 4h}}``, one stage name,
    or ``{parallel: [a, b], join: c}``."""
    npath = f"{path}.next"
    if value is None:
        return Routing((EXIT,), (1.0,))
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, Mapping):
        c.add(
            npath,
            "routing must be a mapping of successor -> probability",
            "e.g. {delivery: 0.8, drafting: 0.2}, one stage name, or {parallel: [a, b], join: c}",
            short(value),
        )
        return Routing(ok=False)
    edges = {str(k): v for k, v in value.items() if v is not None}  # null removes an edge
    if "parallel" in edges or "join" in edges:
        return _build_parallel(edges, npath, sid, c)
    if not edges:
        return Routing((EXIT,), (1.0,))
    succ: list[int] = []
    probs: list[float] = []
    ok = True
    for target, spec in edges.items():
        epath = f"{npath}.{target}"
        delay = None
        prob: object = spec
        if isinstance(spec, Mapping):
            edge = c.mapping(spec, epath, allowed=EDGE_KEYS, example="{p: 0.3, handoff: 4h}")
            prob = edge.get("p", 1.0 if len(edges) == 1 else None)
            if prob is None:
                c.add(f"{epath}.p", "missing probability", "p: <probability>", "nothing")
                ok = False
                continue
            if edge.get("handoff") is not None:
                delay = parse_distribution(edge["handoff"], f"{epath}.handoff", unit, c.issues)
                ok = ok and delay is not None
        p = c.number(prob, epath, minimum=0, what="a probability")
        if p is not None and p > 1:
            c.add(epath, "probability above 1", "a probability in [0, 1]", f"{p:g}")
            p = None
        if target in EXIT_NAMES:
            if delay is not None:
                c.add(f"{epath}.handoff", "a handoff needs a stage to hand off to", "", "end")
                ok = False
            succ.append(EXIT)
        elif target in sid:
            if delay is not None:
                succ.append(handoffs.add(source, sid[target], target, delay))
            else:
                succ.append(sid[target])
        else:
            c.add(
                epath,
                "unknown successor stage",
                "a stage name, or 'end' to leave the process",
                repr(target),
                did_you_mean(target, [*sid, "end"]),
            )
            ok = False
        if p is None:
            ok = False
        else:
            probs.append(p)
    if not ok:
        return Routing(ok=False)
    total = sum(probs)
    if abs(total - 1.0) > _PROB_TOL:
        hint = "make them sum to 1; use 'end' for the share that leaves the process"
        touched = sorted({scen for p, scen in c.provenance.items() if p.startswith(npath)})
        if touched:
            hint = (
                f"scenario {', '.join(repr(t) for t in touched)} changed this routing; did it "
                f"forget to remove an old edge? Remove one with '<stage>: null' under {npath}"
            )
        c.add(
            npath,
            "successor probabilities do not sum to 1",
            "a sum of 1",
            f"{total:g} over " + ", ".join(f"{k}={short(edges[k], 20)}" for k in edges),
            hint,
        )
        return Routing(ok=False)
    return Routing(tuple(succ), tuple(probs))


def _build_parallel(
    edges: dict[str, Any], npath: str, sid: dict[str, int], c: Collector
) -> Routing:
    others = [k for k in edges if k not in PARALLEL_KEYS]
    ok = True
    if others:
        c.add(
            npath,
            "a parallel split cannot also have XOR successors",
            "only parallel and join",
            ", ".join(others),
            "remove the old edges with '<stage>: null' under " + npath,
        )
        ok = False
    branches = edges.get("parallel")
    if branches is None:
        c.add(
            f"{npath}.join",
            "a join with no matching split",
            "parallel: [<stage>, <stage>] beside join",
            "join alone",
            "list the branches that run in parallel under parallel",
        )
        return Routing(ok=False)
    if not isinstance(branches, list) or len(branches) < 2:
        c.add(
            f"{npath}.parallel",
            "a parallel split needs at least two branches",
            "a list of stage names such as [legal_review, finance_review]",
            short(branches),
        )
        return Routing(ok=False)
    split: list[int] = []
    for i, name in enumerate(branches):
        if not isinstance(name, str) or name not in sid:
            c.add(
                f"{npath}.parallel[{i}]",
                "unknown stage",
                "a stage name",
                short(name),
                did_you_mean(str(name), sid),
            )
            ok = False
        elif sid[name] in split:
            c.add(f"{npath}.parallel[{i}]", "branch listed twice", "distinct stages", name)
            ok = False
        else:
            split.append(sid[name])
    join = edges.get("join")
    if not isinstance(join, str) or join not in sid:
        c.add(
            f"{npath}.join",
            "a parallel split needs the stage where its branches join",
            "a stage name",
            short(join),
            did_you_mean(str(join), sid) if join is not None else "add join: <stage>",
        )
        ok = False
    elif sid[join] in split:
        c.add(f"{npath}.join", "the join cannot be one of the branches", "another stage", join)
        ok = False
    if not ok:
        return Routing(ok=False)
    assert isinstance(join, str)
    return Routing(split=tuple(split), join=sid[join])


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
    shares: list[float] = []
    for tid, (name, spec) in enumerate(raw.items()):
        path = f"case_types.{name}"
        t = c.mapping(spec, path, allowed=CASE_TYPE_KEYS, example="{share: 0.2, priority: 1}")
        share = c.number(t.get("share"), f"{path}.share", minimum=0, strict=True, what="a share")
        priority = 0
        if t.get("priority") is not None:
            got = c.number(t["priority"], f"{path}.priority", integer=True, what="an integer")
            priority = int(got) if got is not None else 0
        durations: dict[int, Distribution] = {}
        routing: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        overrides = c.mapping(t.get("stages"), f"{path}.stages", required=False)
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
        if share is not None:
            shares.append(share)
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
    total = sum(shares)
    if out and abs(total - 1.0) > _PROB_TOL:
        c.add(
            "case_types",
            "the shares of the case types do not sum to 1",
            "a sum of 1",
            f"{total:g} over " + ", ".join(f"{t.name}={t.share:g}" for t in out),
        )
    return out


def check_graph(stages: list[Stage], start: int, types: list[CaseType], c: Collector) -> None:
    """Every stage reachable, every case able to leave, parallel branches that join."""
    n = len(stages)
    forward: list[set[int]] = [set() for _ in range(n)]
    reaches_exit = [False] * n
    for s in stages:
        if s.split:
            assert s.join is not None
            forward[s.id].update(s.split)
            continue
        for ctype in types:
            succ, probs = ctype.successors(s)
            for t, p in zip(succ, probs, strict=True):
                if p <= 0:
                    continue
                if t == EXIT:
                    reaches_exit[s.id] = True
                else:
                    forward[s.id].add(t)
    seen = {start}
    todo = [start]
    while todo:
        for t in forward[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for s in stages:
        if s.id not in seen:
            c.add(
                f"process.stages.{s.name}",
                "stage is unreachable from the start stage",
                f"a path from '{stages[start].name}'",
                "no route leads here",
                "route to it from another stage's next, or remove it with null",
            )
    if _check_parallel(stages, forward, reaches_exit, c):
        return
    # A split continues at its join once the branches are done.
    onward = [set(f) for f in forward]
    for s in stages:
        if s.split and s.join is not None:
            onward[s.id] = {s.join}
    backward: list[set[int]] = [set() for _ in range(n)]
    for src in range(n):
        for t in onward[src]:
            backward[t].add(src)
    can_exit = {i for i in range(n) if reaches_exit[i]}
    todo = list(can_exit)
    while todo:
        for prev in backward[todo.pop()]:
            if prev not in can_exit:
                can_exit.add(prev)
                todo.append(prev)
    for s in stages:
        if s.id in seen and s.id not in can_exit:
            c.add(
                f"process.stages.{s.name}.next",
                "cases that reach this stage never leave the process",
                "a route to 'end'",
                "a closed loop",
                "give one stage of the loop an 'end' (or exit) probability",
            )


def _check_parallel(
    stages: list[Stage], forward: list[set[int]], reaches_exit: list[bool], c: Collector
) -> bool:
    """Each branch of a split must reach its join, and only its join; True on problems."""
    problem = False
    joins: dict[int, str] = {}
    for split in stages:
        if not split.split:
            continue
        assert split.join is not None
        path = f"process.stages.{split.name}.next"
        join_name = stages[split.join].name
        if split.join in joins:
            c.add(
                f"{path}.join",
                f"stage '{join_name}' already joins the split at '{joins[split.join]}'",
                "one join stage per split",
                join_name,
            )
            problem = True
            continue
        joins[split.join] = split.name
        for branch in split.split:
            inside: set[int] = set()
            todo = [branch]
            while todo:
                sid = todo.pop()
                if sid == split.join or sid in inside:
                    continue
                inside.add(sid)
                stage = stages[sid]
                if sid == split.id:
                    c.add(
                        path,
                        f"branch '{stages[branch].name}' loops back to the split before joining",
                        f"every branch ends at '{join_name}'",
                        "a route back to the split",
                    )
                    problem = True
                    break
                if reaches_exit[sid] and not stage.split:
                    c.add(
                        path,
                        f"branch '{stages[branch].name}' can leave the process at "
                        f"'{stage.name}' before the join",
                        f"every branch ends at '{join_name}'",
                        f"'{stage.name}' routes to end",
                        f"route '{stage.name}' to '{join_name}' instead of end",
                    )
                    problem = True
                    break
                if stage.patience is not None or stage.queue_capacity is not None:
                    c.add(
                        f"process.stages.{stage.name}",
                        "a case cannot give up inside a parallel branch",
                        "patience and queue_capacity outside parallel work",
                        f"branch of '{split.name}'",
                    )
                    problem = True
                todo += [stage.join] if stage.split and stage.join is not None else forward[sid]
            else:
                if split.join not in _closure(branch, forward, stages, split.join):
                    c.add(
                        path,
                        f"branch '{stages[branch].name}' never reaches the join '{join_name}'",
                        f"a route from '{stages[branch].name}' to '{join_name}'",
                        "no route",
                    )
                    problem = True
    return problem


def _closure(start: int, forward: list[set[int]], stages: list[Stage], stop: int) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        sid = todo.pop()
        if sid == stop:
            continue
        stage = stages[sid]
        nxt = {stage.join} if stage.split and stage.join is not None else forward[sid]
        for t in nxt:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen
