"""Reading a BPMN 2.0 file: its control flow as a graph of tasks, events, gateways and flows.

The first step of importing a Prosimos/Simod model (:mod:`procsim.mining.model_import`): the
``<process>`` element's flow nodes and sequence flows, by id, with what each node is. The
diagram part (shapes, coordinates) and everything else is ignored. The XML parser resolves no
external entities and refuses entity expansion bombs; the file is bounded in size.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from procsim.errors import Issue, ModelError, clip

#: Element names (without namespace) that are work done in a case.
TASK_TAGS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "scriptTask",
        "manualTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
        "callActivity",
        "subProcess",
    }
)
GATEWAY_TAGS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
EVENT_TAGS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
#: A BPMN file larger than this is refused (models are kilobytes; this is no event log).
MAX_BPMN_BYTES = 50_000_000


@dataclass(frozen=True)
class Node:
    """A flow node: ``kind`` is its element name (``task``, ``exclusiveGateway``, ...)."""

    id: str
    kind: str
    name: str

    @property
    def is_task(self) -> bool:
        return self.kind in TASK_TAGS

    @property
    def label(self) -> str:
        """How messages name it: its name, else its kind and id."""
        return self.name or f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Flow:
    """A sequence flow from ``source`` to ``target`` (node ids)."""

    id: str
    source: str
    target: str


@dataclass
class BpmnGraph:
    """The control flow of one BPMN process."""

    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    #: Elements of the process that are not read (kind -> count), for the notes.
    ignored: dict[str, int] = field(default_factory=dict)

    def outgoing(self, node: str) -> list[Flow]:
        """The flows leaving ``node``, in file order."""
        return [f for f in self.flows.values() if f.source == node]

    def incoming(self, node: str) -> list[Flow]:
        """The flows entering ``node``, in file order."""
        return [f for f in self.flows.values() if f.target == node]

    def of_kind(self, *kinds: str) -> list[Node]:
        """The nodes of these kinds, in file order."""
        return [n for n in self.nodes.values() if n.kind in kinds]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_bpmn(path: Path) -> BpmnGraph:
    """The control flow of the (first) process in a BPMN 2.0 file.

    Parameters
    ----------
    path
        The ``.bpmn`` file.

    Returns
    -------
    BpmnGraph

    Raises
    ------
    ModelError
        Not a file, too large, not XML, no process, flows naming unknown nodes, or not one
        start event.
    """
    where = str(path)
    if not path.is_file():
        raise ModelError([Issue(where, "no such file", "a BPMN 2.0 file (.bpmn)")], "the model")
    if path.stat().st_size > MAX_BPMN_BYTES:
        raise ModelError(
            [Issue(where, "too large for a BPMN model", f"at most {MAX_BPMN_BYTES:,} bytes")],
            "the model",
        )
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ModelError(
            [Issue(where, "is not valid XML", "a BPMN 2.0 file", clip(exc, 160))], "the model"
        ) from None
    process = next((e for e in root.iter() if _local(e.tag) == "process"), None)
    if process is None:
        raise ModelError(
            [Issue(where, "has no <process> element", "a BPMN 2.0 process model")], "the model"
        )
    graph = BpmnGraph()
    for elem in process:
        kind = _local(elem.tag)
        ident = elem.get("id", "")
        if kind in TASK_TAGS | GATEWAY_TAGS | EVENT_TAGS:
            graph.nodes[ident] = Node(ident, kind, " ".join((elem.get("name") or "").split()))
        elif kind == "sequenceFlow":
            graph.flows[ident] = Flow(ident, elem.get("sourceRef", ""), elem.get("targetRef", ""))
        elif kind not in ("incoming", "outgoing", "documentation", "extensionElements"):
            graph.ignored[kind] = graph.ignored.get(kind, 0) + 1
    _check_graph(graph, where)
    return graph


def _check_graph(graph: BpmnGraph, where: str) -> None:
    issues = [
        Issue(
            f"{where}: sequenceFlow {clip(f.id)}",
            "names a node that is not in the process",
            "sourceRef and targetRef of flow nodes",
            f"{clip(f.source)} -> {clip(f.target)}",
        )
        for f in graph.flows.values()
        if f.source not in graph.nodes or f.target not in graph.nodes
    ]
    starts = graph.of_kind("startEvent")
    if len(starts) != 1:
        issues.append(
            Issue(where, "not one start event", "exactly one startEvent", f"{len(starts)}")
        )
    if not graph.of_kind(*TASK_TAGS):
        issues.append(Issue(where, "has no tasks", "at least one task"))
    if issues:
        raise ModelError(issues, "the model")
