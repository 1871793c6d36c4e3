"""BPMN control flow -> procsim routing: every stage's ``next`` and the process's ``start``.

Part of the model import (:mod:`procsim.mining.model_import`). procsim routes from stage to
stage, so the gateways of a BPMN model are walked through: an exclusive (XOR) split becomes
the probabilities of the stage before it (products along chains of gateways, from the
parameter file's branching probabilities), merges disappear, a loop is an edge back. A
parallel (AND) split after a task becomes that task's ``{parallel: [...], join: ...}`` and the
task after the matching AND join its join stage. Where procsim needs a stage the BPMN has not
(a split or join next to another gateway, a start or a branch that begins with a choice), a
zero-time routing stage with no role is added and named for what it does. Inclusive (OR) and
event-based gateways are read as exclusive ones, and the notes say so.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from procsim.errors import Issue, ModelError
from procsim.mining.bpmn_model import BpmnGraph, Node
from procsim.mining.config_keys import fresh_key, slug

#: Targets of a walk: a stage node id, "end", or ("split" | "join", parallel gateway id).
Target = Any
PROB_DIGITS = 4
#: Words a stage may not be called: procsim's routing keywords and the routing stages' names.
RESERVED = ("end", "exit", "join", "parallel", "arrival")


@dataclass
class RoutedStage:
    """A stage and its routing; ``node`` is its BPMN element (None: a routing stage)."""

    key: str
    node: Node | None
    next: dict[str, Any]
    description: str = ""


@dataclass
class Routing:
    """The routing of an imported model."""

    start: str
    stages: list[RoutedStage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Walker:
    def __init__(self, graph: BpmnGraph, branching: dict[str, dict[str, float]]) -> None:
        self.g, self.branching = graph, branching
        self.notes: list[str] = []
        self.noted: set[str] = set()

    def note(self, key: str, text: str) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.notes.append(text)

    def walk(self, flow_id: str, stack: tuple[str, ...] = ()) -> dict[Target, float]:
        """Where a flow leads: stage nodes, end or parallel gateways, with probabilities."""
        node = self.g.nodes[self.g.flows[flow_id].target]
        kind = node.kind
        if node.is_task or kind in ("intermediateCatchEvent", "intermediateThrowEvent"):
            return {node.id: 1.0}
        if kind == "endEvent":
            return {"end": 1.0}
        if kind in ("startEvent", "boundaryEvent"):
            raise ModelError(
                [
                    Issue(
                        node.label,
                        "a flow into an event that starts work",
                        "flows into tasks, gateways or end events",
                    )
                ],
                "the model",
            )
        outs = self.g.outgoing(node.id)
        if not outs:
            self.note(node.id, f"gateway {node.id} has no outgoing flow: cases end there")
            return {"end": 1.0}
        if node.id in stack:
            raise ModelError(
                [
                    Issue(
                        node.label, "a loop of gateways with no task in it", "a task on every loop"
                    )
                ],
                "the model",
            )
        if kind == "parallelGateway":
            if len(outs) > 1:
                return {("split", node.id): 1.0}
            if len(self.g.incoming(node.id)) > 1:
                return {("join", node.id): 1.0}
            return self.walk(outs[0].id, (*stack, node.id))
        if len(outs) == 1:
            return self.walk(outs[0].id, (*stack, node.id))
        probs = self.probabilities(node, [f.id for f in outs])
        out: dict[Target, float] = {}
        for f in outs:
            for target, p in self.walk(f.id, (*stack, node.id)).items():
                out[target] = out.get(target, 0.0) + probs[f.id] * p
        return out

    def probabilities(self, node: Node, flows: list[str]) -> dict[str, float]:
        if node.kind in ("inclusiveGateway", "complexGateway", "eventBasedGateway"):
            self.note(
                node.id,
                f"{node.kind} {node.id} is read as an exclusive choice with the "
                "same (normalised) probabilities: procsim has no inclusive routing",
            )
        given = self.branching.get(node.id, {})
        probs = {f: max(float(given.get(f, 0.0)), 0.0) for f in flows}
        total = sum(probs.values())
        if not given or total <= 0:
            self.note(
                node.id,
                f"gateway {node.id} has no branching probabilities: "
                "its flows are taken equally often",
            )
            return {f: 1.0 / len(flows) for f in flows}
        if abs(total - 1) > 1e-6:
            self.note(
                node.id, f"the probabilities of gateway {node.id} add up to {total:g}: scaled to 1"
            )
        return {f: p / total for f, p in probs.items()}


def route(graph: BpmnGraph, branching: dict[str, dict[str, float]]) -> Routing:
    """The stages and their routing (see the module docstring).

    Raises
    ------
    ModelError
        A loop of gateways with no task, or a parallel split whose branches never join.
    """
    w = _Walker(graph, branching)
    nodes = [n for n in graph.nodes.values() if n.is_task or "intermediate" in n.kind]
    order = _flow_order(graph)
    nodes.sort(key=lambda n: order[n.id])  # the stages in the order cases meet them
    used = set(RESERVED)
    keys = {n.id: fresh_key(_key(n.name or n.id), used) for n in nodes}
    dists: dict[str, dict[Target, float]] = {}
    for n in nodes:
        outs = graph.outgoing(n.id)
        if len(outs) > 1:  # several flows out of a task: BPMN's implicit parallel split
            w.note(n.id, f"'{n.label}' has {len(outs)} outgoing flows: an implicit parallel split")
            dists[n.id] = {("split", "implicit:" + n.id): 1.0}
        else:
            dists[n.id] = w.walk(outs[0].id) if outs else {"end": 1.0}
    start = graph.of_kind("startEvent")[0]
    start_outs = graph.outgoing(start.id)
    start_dist = w.walk(start_outs[0].id) if start_outs else {}
    if not start_dist:
        raise ModelError(
            [Issue(start.label, "leads nowhere", "a flow to the first task")], "the model"
        )
    return _Builder(graph, w, keys, dists).build(start_dist)


class _Builder:
    """Turns the walked distributions into stages, adding routing stages where needed."""

    def __init__(
        self, g: BpmnGraph, w: _Walker, keys: dict[str, str], dists: dict[str, dict[Target, float]]
    ) -> None:
        self.g, self.w, self.keys, self.dists = g, w, keys, dists
        self.used = set(keys.values()) | set(RESERVED)
        self.helpers: list[RoutedStage] = []
        self.split_key: dict[str, str] = {}
        self.join_key: dict[str, str] = {}
        uses: dict[str, int] = {}
        for d in dists.values():
            for t in d:
                if isinstance(t, tuple) and t[0] == "split":
                    uses[t[1]] = uses.get(t[1], 0) + 1
        self.inline = {
            sid: gw
            for sid, d in dists.items()
            for t, p in d.items()
            if isinstance(t, tuple) and t[0] == "split" and p > 1 - 1e-9 and uses[t[1]] == 1
            for gw in [t[1]]
        }

    def fresh(self, base: str) -> str:
        key, k = base, 1
        while key in self.used:
            k += 1
            key = f"{base}_{k}"
        self.used.add(key)
        return key

    def helper(self, base: str, dist: dict[Target, float], what: str) -> str:
        key = self.fresh(base)
        stage = RoutedStage(key, None, {}, what)
        self.helpers.append(stage)
        stage.next = self.next_of(dist)
        return key

    def build(self, start_dist: dict[Target, float]) -> Routing:
        only = next(iter(start_dist)) if len(start_dist) == 1 else None
        if isinstance(only, str) and only in self.keys:
            start = self.keys[only]
        else:
            start = self.helper(
                "arrival",
                start_dist,
                "Zero-time routing: where a new case starts, as after the BPMN start event",
            )
        stages = [
            RoutedStage(self.keys[sid], self.g.nodes[sid], self.stage_next(sid))
            for sid in self.dists
        ]
        return Routing(start, stages + self.helpers, self.w.notes)

    def stage_next(self, sid: str) -> dict[str, Any]:
        if sid in self.inline:
            return self.parallel(self.inline[sid], sid)
        return self.next_of(self.dists[sid])

    def next_of(self, dist: dict[Target, float]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for t, p in dist.items():
            key = self.key(t)
            out[key] = round(out.get(key, 0.0) + p, PROB_DIGITS)
        return out

    def key(self, t: Target) -> str:
        if t == "end":
            return "end"
        if isinstance(t, str):
            return self.keys[t]
        kind, gw = t
        if kind == "split":
            if gw not in self.split_key:
                self.split_key[gw] = self.fresh("and_split")
                stage = RoutedStage(
                    self.split_key[gw], None, {}, f"Zero-time routing: the parallel split {gw}"
                )
                self.helpers.append(stage)
                stage.next = self.parallel(gw, None)
            return self.split_key[gw]
        return self.join_stage(gw)

    def join_stage(self, gw: str) -> str:
        if gw not in self.join_key:
            outs = self.g.outgoing(gw)
            after = self.w.walk(outs[0].id) if outs else {"end": 1.0}
            only = next(iter(after)) if len(after) == 1 else None
            direct = (
                isinstance(only, str)
                and only in self.keys
                and all(f.source == gw for f in self.g.incoming(only))
            )
            if direct and isinstance(only, str):
                self.join_key[gw] = self.keys[only]
            else:
                self.join_key[gw] = "pending"
                self.join_key[gw] = self.helper(
                    "and_join", after, f"Zero-time routing: the parallel join {gw}"
                )
        return self.join_key[gw]

    def parallel(self, gw: str, source: str | None) -> dict[str, Any]:
        """``{parallel: [...], join: ...}`` for the split gateway ``gw`` (or a task's
        implicit split, ``implicit:<task>``)."""
        flows = (
            self.g.outgoing(gw.split(":", 1)[1])
            if gw.startswith("implicit:")
            else self.g.outgoing(gw)
        )
        joins = _matching_join(self.g, [f.target for f in flows])
        if joins is None:
            raise ModelError(
                [
                    Issue(
                        f"parallel split {gw}",
                        "its branches never meet at one parallel join",
                        "an AND join closing the split",
                    )
                ],
                "the model",
            )
        heads: list[str] = []
        for f in flows:
            d = self.w.walk(f.id)
            only = next(iter(d)) if len(d) == 1 else None
            if only == ("join", joins):
                self.w.note(gw, f"an empty branch of the parallel split {gw} is left out")
            elif isinstance(only, str) and only in self.keys:
                heads.append(self.keys[only])
            else:
                heads.append(
                    self.helper(
                        "branch",
                        d,
                        f"Zero-time routing: a branch of {gw} that starts with a choice",
                    )
                )
        join = self.join_stage(joins)
        if not heads:
            return {join: 1.0}
        if len(heads) == 1:
            return {heads[0]: 1.0}
        return {"parallel": heads, "join": join}


def _matching_join(g: BpmnGraph, heads: list[str]) -> str | None:
    """The parallel join reachable from every branch, nearest first."""
    reach: list[dict[str, int]] = []
    for h in heads:
        seen: dict[str, int] = {}
        queue = deque([(h, 0)])
        visited = {h}
        while queue:
            node, d = queue.popleft()
            n = g.nodes[node]
            if n.kind == "parallelGateway" and len(g.incoming(node)) > 1:
                seen.setdefault(node, d)
            for f in g.outgoing(node):
                if f.target not in visited:
                    visited.add(f.target)
                    queue.append((f.target, d + 1))
        reach.append(seen)
    common = set(reach[0]).intersection(*reach[1:]) if reach else set()
    if not common:
        return None
    return min(common, key=lambda j: (max(r[j] for r in reach), j))


def _key(name: str) -> str:
    key = slug(name)
    return f"{key}_step" if key in RESERVED else key


def _flow_order(g: BpmnGraph) -> dict[str, int]:
    """Every node's place in a breadth-first walk from the start event (file order after)."""
    order: dict[str, int] = {}
    queue = deque(n.id for n in g.of_kind("startEvent"))
    while queue:
        node = queue.popleft()
        if node in order:
            continue
        order[node] = len(order)
        queue.extend(f.target for f in g.outgoing(node))
    for n in g.nodes:
        order.setdefault(n, len(order))
    return order
