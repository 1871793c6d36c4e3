"""Property-based tests: random valid processes keep the invariants; random broken configs
always give a ModelError (never another exception). The number of cases tried is printed in
the test summary (tests/conftest.py)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procsim.errors import ModelError
from procsim.model.distributions import parse_distribution
from procsim.model.validate import validate
from procsim.study.runner import run_study

TRIED: dict[str, int] = {"valid": 0, "invalid": 0, "logs": 0}

DISTS = st.one_of(
    st.builds(lambda v: {"dist": "constant", "value": v}, st.floats(0.05, 3)),
    st.builds(lambda m: {"dist": "expon", "mean": m}, st.floats(0.05, 3)),
    st.builds(lambda lo, w: {"dist": "uniform", "low": lo, "high": lo + w},
              st.floats(0, 2), st.floats(0.01, 2)),
    st.builds(lambda lo, a, b: {"dist": "triangular", "low": lo, "mode": lo + a,
                                "high": lo + a + b},
              st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 1)),
    st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv},
              st.floats(0.05, 3), st.floats(0.1, 2)),
    st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "cv": cv},
              st.floats(0.05, 3), st.floats(0.1, 2)),
    st.builds(lambda k, s: {"dist": "weibull", "shape": k, "scale": s},
              st.floats(0.5, 3), st.floats(0.05, 3)),
    st.builds(lambda m, sd: {"dist": "normal", "mean": m, "sd": sd},
              st.floats(0.1, 3), st.floats(0.05, 1)),
    st.builds(lambda vs: {"dist": "empirical", "values": vs},
              st.lists(st.floats(0, 3), min_size=1, max_size=6)),
)  # fmt: skip


def _positive_mean(spec: dict[str, Any]) -> bool:
    dist = parse_distribution(spec, "arrivals.interarrival", "hours", [])
    return dist is not None and dist.mean > 0.05


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    """A random process: a chain of stages (so all are reachable), random rework edges back,
    early exits, pure delays, 1-3 roles with 1-3 staff."""
    n_roles = draw(st.integers(1, 3))
    roles = [f"role{i}" for i in range(n_roles)]
    n = draw(st.integers(1, 5))
    names = [f"s{i}" for i in range(n)]
    stages: dict[str, Any] = {}
    for i, name in enumerate(names):
        weights = {}
        if i + 1 < n:
            weights[names[i + 1]] = draw(st.floats(0.3, 1))
        else:
            weights["end"] = draw(st.floats(0.3, 1))
        if i > 0 and draw(st.booleans()):
            weights[names[draw(st.integers(0, i))]] = draw(st.floats(0.01, 0.3))
        if i + 1 < n and draw(st.booleans()):
            weights["end"] = draw(st.floats(0.01, 0.3))
        total = sum(weights.values())
        stages[name] = {
            "role": draw(st.sampled_from([*roles, None])),
            "duration": draw(DISTS),
            "next": {k: v / total for k, v in weights.items()},
            "value": draw(st.sampled_from(["value_adding", "necessary", "waste"])),
        }
    return {
        "process": {"name": "fuzz", "start": names[0], "stages": stages},
        "staffing": {r: draw(st.integers(1, 3)) for r in roles},
        "arrivals": {"interarrival": draw(DISTS.filter(_positive_mean))},
        "sla": {"quick": {"within": draw(st.floats(0.1, 10)), "to": "start:" + names[-1]}},
        "run": {"horizon": draw(st.floats(20, 120)), "warmup": draw(st.floats(0, 10)),
                "replications": 2, "seed": draw(st.integers(0, 2**31)), "workers": 1},
    }  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_random_valid_processes_keep_the_invariants(config: dict[str, Any]) -> None:
    TRIED["valid"] += 1
    model, run = validate(config)
    results = run_study({"current": model}, run)
    k = results.kpis.pivot_table(index=["replication", "metric", "entity"], values="value")
    for rep in range(run.replications):
        arrived = k.loc[(rep, "arrived", ""), "value"]
        assert arrived == k.loc[(rep, "completed", "")].value + k.loc[(rep, "open", "")].value
    visits, cases = results.visits, results.cases
    merged = visits.merge(cases, on=["scenario", "replication", "case_id"])
    started = merged.dropna(subset=["start_time"])
    assert (started["start_time"] >= started["enabled_time"] - 1e-9).all()  # waits >= 0
    assert (merged["enabled_time"] >= merged["arrival_time"] - 1e-9).all()
    ended = merged.dropna(subset=["end_time"])
    assert (ended["end_time"] >= ended["start_time"] - 1e-9).all()
    # No role ever busier than its head count (sweep line per replication and role).
    heads = config["staffing"]
    for (rep, role), sub in started[started["role"] != ""].groupby(
        ["replication", "role"], observed=True
    ):
        end = sub["end_time"].fillna(np.inf).to_numpy()
        times = np.r_[sub["start_time"].to_numpy(), end]
        steps = np.r_[np.ones(len(sub)), -np.ones(len(sub))]
        order = np.lexsort((steps, times))  # ends before starts at equal times
        assert np.cumsum(steps[order]).max() <= heads[str(role)], (rep, role)


MUTATIONS = st.sampled_from(["drop", "wrong_type", "negative", "typo", "null", "bad_ref"])


@settings(max_examples=150, deadline=None)
@given(processes(), MUTATIONS, st.data())
def test_random_broken_configs_give_a_model_error(
    config: dict[str, Any], mutation: str, data: st.DataObject
) -> None:
    TRIED["invalid"] += 1
    broken = copy.deepcopy(config)
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in list(node):
                paths.append((node, key))
                walk(node[key])

    walk(broken)
    parent, key = data.draw(st.sampled_from(paths))
    if mutation == "drop":
        del parent[key]
    elif mutation == "wrong_type":
        parent[key] = data.draw(st.sampled_from(["abc", [1, 2], {"x": 1}, True]))
    elif mutation == "negative":
        parent[key] = -abs(data.draw(st.floats(0.01, 5)))
    elif mutation == "typo":
        parent[key + "x"] = parent.pop(key)
    elif mutation == "null":
        parent[key] = None
    else:
        parent[key] = "no_such_stage"
    try:
        model, run = validate(broken)
    except ModelError as exc:
        assert exc.issues, "a ModelError lists its problems"
        assert all(issue.path for issue in exc.issues)
        return
    # Some mutations leave a valid model (an optional key dropped): it must then run.
    run = run.__class__(**{**run.__dict__, "replications": 2, "workers": 1})
    run_study({"current": model}, run)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict | list):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    return out


BAD_VALUES: list[Any] = ["abc", [1, 2], {"x": 1}, True, None, -1.5, 0, 1e308, float("nan"), ""]


def test_every_key_of_the_bundled_configs_broken_every_way_gives_a_model_error() -> None:
    """Deterministic companion of the random test: each key of each bundled process and
    scenario is dropped, misspelt and set to each bad value in turn."""
    import procsim

    bases = [procsim.compose(process="customer_request").configs["current"]]
    bases += list(procsim.compose(scenario="merged_approval").configs.values())
    failures: list[str] = []
    for base in bases:
        for path in _paths(base):
            for mutation in ["drop", "typo", *BAD_VALUES]:
                broken = copy.deepcopy(base)
                parent = broken
                for key in path[:-1]:
                    parent = parent[key]
                if mutation == "drop":
                    del parent[path[-1]]
                elif mutation == "typo":
                    if isinstance(parent, list):
                        continue
                    parent[f"{path[-1]}x"] = parent.pop(path[-1])
                else:
                    parent[path[-1]] = copy.deepcopy(mutation)
                TRIED["invalid"] += 1
                try:
                    validate(broken)
                except ModelError as exc:
                    assert all(issue.path for issue in exc.issues)
                except Exception as exc:  # any other exception is the bug
                    failures.append(f"{path} = {mutation!r}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures[:20])


def _featured_config(seed: int) -> dict[str, Any]:
    """A random small process using shifts, arrival profiles, impatience, batches, handoffs,
    case types and priorities (preemptive or not)."""
    import random

    r = random.Random(seed)
    names = [f"s{i}" for i in range(r.randint(2, 5))]
    stages: dict[str, Any] = {}
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else "end"
        stage: dict[str, Any] = {
            "role": r.choice(["a", "b", None]),
            "duration": {"dist": "expon", "mean": r.uniform(0.1, 1)},
            "next": nxt,
        }
        if i == 0 and stage["role"] and r.random() < 0.4:
            stage["patience"] = {"dist": "expon", "mean": r.uniform(0.1, 3)}
        if i == 0 and stage["role"] and r.random() < 0.3:
            stage["queue_capacity"] = r.randint(0, 4)
        if i > 0 and r.random() < 0.2:
            stage["batch"] = r.choice([{"size": r.randint(1, 4)}, {"at": ["mon-fri 17:00"]}])
        if i + 1 < len(names) and r.random() < 0.2:
            stage["next"] = {nxt: {"p": 0.8, "handoff": r.uniform(0, 1)}, "end": 0.2}
        stages[name] = stage
    shifts = {"shifts": [{"days": "mon-fri", "from": "08:00", "to": "17:00", "count": 2},
                         {"days": "all", "from": "12:00", "to": "20:00", "count": 1}]}  # fmt: skip
    config: dict[str, Any] = {
        "process": {"start": "s0", "stages": stages},
        "staffing": {"a": r.choice([1, 2, shifts]), "b": 1},
        "arrivals": r.choice(
            [
                {"interarrival": {"dist": "expon", "mean": r.uniform(0.3, 2)}},
                {"rate": {"mon-fri": r.uniform(0.5, 2), "sun": [0] * 10 + [1] * 14}},
            ]
        ),
        "run": {
            "horizon": r.uniform(100, 600),
            "warmup": r.uniform(0, 50),
            "replications": 2,
            "seed": seed,
            "workers": 1,
        },
    }
    if r.random() < 0.5:
        config["case_types"] = {"x": {"share": 0.3, "priority": r.randint(0, 2)},
                                "y": {"share": 0.7}}  # fmt: skip
        config["roles"] = {"a": {"preemptive": r.random() < 0.5}}
    return config


@pytest.mark.parametrize("seed", range(30))
def test_random_processes_with_behaviours_keep_the_invariants(seed: int) -> None:
    model, run = validate(_featured_config(seed))
    TRIED["valid"] += 1
    res = run_study({"m": model}, run)
    k = res.kpis.pivot_table(index=["replication", "metric"], values="value")["value"]
    for rep in range(run.replications):
        gone = sum(k.get((rep, m), 0) for m in ("completed", "abandoned", "balked", "open"))
        assert gone == k[(rep, "arrived")]
    merged = res.visits.merge(res.cases, on=["scenario", "replication", "case_id"])
    started = merged.dropna(subset=["start_time"])
    assert (started["start_time"] >= started["enabled_time"] - 1e-9).all()
    assert (merged["enabled_time"] >= merged["arrival_time"] - 1e-9).all()
    ended = merged.dropna(subset=["end_time"])
    assert (ended["end_time"] >= ended["start_time"] - 1e-9).all()
    utilization = res.kpis.loc[res.kpis["metric"] == "utilization", "value"]
    assert (utilization <= 1 + 1e-9).all()


# ----------------------------------------------------------------------------- event logs

GOOD_LOG = [
    ["case_id", "activity", "start_time", "end_time", "resource"],
    ["1", "a", "2024-03-01T09:00:00+01:00", "2024-03-01T09:20:00+01:00", "ann"],
    ["1", "b", "2024-03-01T10:00:00+01:00", "2024-03-01T10:30:00+01:00", "bob"],
    ["2", "a", "2024-03-01T09:30:00+01:00", "2024-03-01T09:45:00+01:00", "cat"],
    ["2", "b", "2024-03-01T11:00:00+01:00", "2024-03-01T11:10:00+01:00", "bob"],
    ["3", "a", "2024-03-04T08:00:00+01:00", "2024-03-04T08:30:00+01:00", "ann"],
]
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "nan", "NULL", "2024-02-30T10:00:00", "24:61", "1e308", "-5",
                     "2024-03-01T09:00:00+01:00", "\x00", "ä,\"", "\n"]),
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_broken_logs_give_a_log_format_error_or_a_fit(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Mutated cells, dropped columns, swapped times: read_log and discover either work or
    raise a ProcsimError naming the file; nothing else escapes."""
    import csv

    import yaml

    from procsim.errors import ProcsimError
    from procsim.mining.discover import discover
    from procsim.mining.log_files import read_log
    from procsim.mining.yaml_writer import write_config
    from procsim.model.validate import validate_model

    rows = [list(r) for r in GOOD_LOG]
    for _ in range(data.draw(st.integers(1, 6))):
        kind = data.draw(st.sampled_from(["cell", "drop_column", "drop_row", "swap"]))
        if kind == "cell":
            r = data.draw(st.integers(0, len(rows) - 1))
            c = data.draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = data.draw(CELLS)
        elif kind == "drop_column" and len(rows[0]) > 1:
            c = data.draw(st.integers(0, len(rows[0]) - 1))
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif kind == "drop_row" and len(rows) > 1:
            del rows[data.draw(st.integers(1, len(rows) - 1))]
        elif kind == "swap":
            r = data.draw(st.integers(1, len(rows) - 1))
            if len(rows[r]) >= 4:
                rows[r][2], rows[r][3] = rows[r][3], rows[r][2]
    path = tmp_path_factory.mktemp("log") / "log.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    TRIED["logs"] += 1
    try:
        log = read_log(path, timezone="Europe/Amsterdam")
        fitted = discover(log, "fuzz")
    except ProcsimError as exc:
        assert str(path) in str(exc) or "fewer than two cases" in str(exc), str(exc)
        return
    # Whatever was fitted writes a config that validates.
    validate_model(yaml.safe_load(write_config(fitted)))
