"""Routing: what a stage's ``next`` says, as XOR successors or a parallel split.

Part of validation: the stage and case-type checks (:mod:`procsim.model.stages`,
:mod:`procsim.model.case_types`) hand each ``next`` mapping here and get a :class:`Routing`
back (successor ids with probabilities, or the branches and join of a parallel block), every
problem collected with its path. Handoff delays on edges become small pure-delay stages named
``handoff:<from>-><to>`` (:class:`Handoffs`), so the engine needs nothing special for them and
the time they take shows up in every stage table. Whether the routes form a sound process is
checked afterwards, on all stages at once, by :mod:`procsim.model.flow_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from procsim.errors import did_you_mean
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.issues import Collector, short
from procsim.model.process import EXIT, Stage

EDGE_KEYS = ("p", "handoff")
PARALLEL_KEYS = ("parallel", "join")
#: Successor names that mean "leave the process" (reserved: no stage may bear them).
EXIT_NAMES = ("end", "exit")
#: How far probabilities or shares may sum away from 1 (rounding in hand-written configs).
PROB_TOL = 1e-6


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
        edge = _xor_edge(target, spec, len(edges) == 1, npath, source, sid, unit, handoffs, c)
        if edge is None:
            ok = False
        else:
            succ.append(edge[0])
            probs.append(edge[1])
    if not ok or not _probabilities_sum_to_one(probs, edges, npath, c):
        return Routing(ok=False)
    return Routing(tuple(succ), tuple(probs))


def _xor_edge(
    target: str,
    spec: object,
    only_edge: bool,
    npath: str,
    source: str,
    sid: dict[str, int],
    unit: str,
    handoffs: Handoffs,
    c: Collector,
) -> tuple[int, float] | None:
    """One edge ``target: p`` or ``target: {p, handoff}`` -> (successor id, probability).

    None when the edge has problems, all reported. An only edge may leave out its ``p``.
    """
    epath = f"{npath}.{target}"
    delay = None
    ok = True
    prob: object = spec
    if isinstance(spec, Mapping):
        edge = c.mapping(spec, epath, allowed=EDGE_KEYS, example="{p: 0.3, handoff: 4h}")
        prob = edge.get("p", 1.0 if only_edge else None)
        if prob is None:
            c.add(f"{epath}.p", "missing probability", "p: <probability>", "nothing")
            return None
        if edge.get("handoff") is not None:
            delay = parse_distribution(edge["handoff"], f"{epath}.handoff", unit, c.issues)
            ok = delay is not None
    p = c.number(prob, epath, minimum=0, what="a probability")
    if p is not None and p > 1:
        c.add(epath, "probability above 1", "a probability in [0, 1]", f"{p:g}")
        p = None
    successor = _successor(target, delay, epath, source, sid, handoffs, c)
    if not ok or successor is None or p is None:
        return None
    return successor, p


def _successor(
    target: str,
    delay: Distribution | None,
    epath: str,
    source: str,
    sid: dict[str, int],
    handoffs: Handoffs,
    c: Collector,
) -> int | None:
    """The id an edge leads to: the exit, the stage, or the handoff stage before it."""
    if target in EXIT_NAMES:
        if delay is not None:
            c.add(f"{epath}.handoff", "a handoff needs a stage to hand off to", "", "end")
            return None
        return EXIT
    if target in sid:
        if delay is not None:
            return handoffs.add(source, sid[target], target, delay)
        return sid[target]
    c.add(
        epath,
        "unknown successor stage",
        "a stage name, or 'end' to leave the process",
        repr(target),
        did_you_mean(target, [*sid, "end"]),
    )
    return None


def _probabilities_sum_to_one(
    probs: list[float], edges: dict[str, Any], npath: str, c: Collector
) -> bool:
    """Check the XOR probabilities sum to 1; a scenario that touched them gets the blame."""
    total = sum(probs)
    if abs(total - 1.0) > PROB_TOL:
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
        return False
    return True


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
