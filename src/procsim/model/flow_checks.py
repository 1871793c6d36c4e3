"""Whole-process checks on the built stages: every stage reachable, every case able to leave,
parallel branches that meet at their join.

The last step of validation (:mod:`procsim.model.validate` calls it once every stage and case
type is built without problems): these need all stages at once, as a graph of the routes of
every case type. Problems are collected with the path of the stage to fix.
"""

from __future__ import annotations

from procsim.model.issues import Collector
from procsim.model.process import EXIT, CaseType, Stage


def check_graph(stages: list[Stage], start: int, types: list[CaseType], c: Collector) -> None:
    """Every stage reachable, every case able to leave, parallel branches that join."""
    forward, reaches_exit = _routes(stages, types)
    seen = _reached({start}, forward)
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
    can_exit = _can_exit(stages, forward, reaches_exit)
    for s in stages:
        if s.id in seen and s.id not in can_exit:
            c.add(
                f"process.stages.{s.name}.next",
                "cases that reach this stage never leave the process",
                "a route to 'end'",
                "a closed loop",
                "give one stage of the loop an 'end' (or exit) probability",
            )


def _routes(stages: list[Stage], types: list[CaseType]) -> tuple[list[set[int]], list[bool]]:
    """The stages each stage may lead to (a split: its branches), over every case type, and
    whether each may lead out of the process."""
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
    return forward, reaches_exit


def _reached(starts: set[int], edges: list[set[int]]) -> set[int]:
    """Every stage reached from ``starts`` along ``edges`` (the starts included)."""
    seen = set(starts)
    todo = list(seen)
    while todo:
        for t in edges[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def _can_exit(stages: list[Stage], forward: list[set[int]], reaches_exit: list[bool]) -> set[int]:
    """The stages from which a case can leave the process, walking the routes backwards."""
    n = len(stages)
    # A split continues at its join once the branches are done.
    onward = [set(f) for f in forward]
    for s in stages:
        if s.split and s.join is not None:
            onward[s.id] = {s.join}
    backward: list[set[int]] = [set() for _ in range(n)]
    for src in range(n):
        for t in onward[src]:
            backward[t].add(src)
    return _reached({i for i in range(n) if reaches_exit[i]}, backward)


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
            problem = _check_branch(split, branch, stages, forward, reaches_exit, c) or problem
    return problem


def _check_branch(
    split: Stage,
    branch: int,
    stages: list[Stage],
    forward: list[set[int]],
    reaches_exit: list[bool],
    c: Collector,
) -> bool:
    """One branch of a split, walked up to the join: no way back to the split, no way out of
    the process, nobody giving up on the way, and the join reached; True on problems."""
    assert split.join is not None
    path = f"process.stages.{split.name}.next"
    join_name = stages[split.join].name
    problem = False
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
            return True
        if reaches_exit[sid] and not stage.split:
            c.add(
                path,
                f"branch '{stages[branch].name}' can leave the process at "
                f"'{stage.name}' before the join",
                f"every branch ends at '{join_name}'",
                f"'{stage.name}' routes to end",
                f"route '{stage.name}' to '{join_name}' instead of end",
            )
            return True
        if stage.patience is not None or stage.queue_capacity is not None:
            c.add(
                f"process.stages.{stage.name}",
                "a case cannot give up inside a parallel branch",
                "patience and queue_capacity outside parallel work",
                f"branch of '{split.name}'",
            )
            problem = True
        todo += [stage.join] if stage.split and stage.join is not None else forward[sid]
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
