"""``procsim schema``: the JSON Schemas editors use, read by an independent validator.

Two properties: every file procsim accepts is accepted by the schema (an editor must never
flag a good file), and shape errors procsim refuses (unknown keys, wrong types, unknown
distributions, value classes, head counts) are flagged by the schema too, while typing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO, run_cli
from procsim.config.file_schema import experiment_schema, process_schema, scenario_schema
from procsim.errors import ModelError
from procsim.model.validate import validate

TEMPLATE = REPO / "src" / "procsim" / "cli" / "workspace_template"
PROCESSES = sorted([*(REPO / "conf" / "process").glob("*.yaml"),
                    *(TEMPLATE / "conf" / "process").glob("*.yaml")])  # fmt: skip
SCENARIOS = sorted([*(REPO / "scenarios").glob("*.yaml"), *(TEMPLATE / "scenarios").glob("*.yaml")])
EXPERIMENTS = sorted(
    [*(REPO / "experiments").glob("*.yaml"), *(TEMPLATE / "experiments").glob("*.yaml")]
)


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


PROCESS = _validator(process_schema())
SCENARIO = _validator(scenario_schema())
EXPERIMENT = _validator(experiment_schema())


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.stem)
def test_every_bundled_process_validates(path: Path) -> None:
    assert _errors(PROCESS, _load(path)) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_bundled_scenario_validates(path: Path) -> None:
    assert _errors(SCENARIO, _load(path)) == []


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_bundled_experiment_validates(path: Path) -> None:
    assert _errors(EXPERIMENT, _load(path)) == []


def _first_stage(config: dict[str, Any]) -> dict[str, Any]:
    stages = config["process"]["stages"]
    return stages[next(iter(stages))]  # type: ignore[no-any-return]


BROKEN = {
    "typo in a stage key": lambda c: _first_stage(c).update(durration=_first_stage(c)["duration"]),
    "unknown distribution": lambda c: _first_stage(c).update(
        duration={"dist": "lognormall", "mean": 1, "cv": 1}
    ),
    "parameter of another family": lambda c: _first_stage(c).update(
        duration={"dist": "expon", "mean": 1, "cv": 1}
    ),
    "missing parameter": lambda c: _first_stage(c).update(duration={"dist": "gamma", "mean": 1}),
    "value class": lambda c: _first_stage(c).update(value="valuable"),
    "negative head count": lambda c: c["staffing"].update({next(iter(c["staffing"])): -1}),
    "head count as text": lambda c: c["staffing"].update({next(iter(c["staffing"])): "three"}),
    "role as a number": lambda c: _first_stage(c).update(role=3),
    "unknown section": lambda c: c.update(slas={}),
    "stages as a list": lambda c: c["process"].update(stages=["a", "b"]),
    "negative cost": lambda c: _first_stage(c).update(cost=-5),
    "time unit": lambda c: c["process"].update(time_unit="fortnights"),
}


@pytest.mark.parametrize("name", list(BROKEN))
@pytest.mark.parametrize("path", PROCESSES[:2], ids=lambda p: p.stem)
def test_shape_errors_are_flagged_by_the_schema_and_refused_by_procsim(
    path: Path, name: str
) -> None:
    config = _load(path)
    BROKEN[name](config)
    assert _errors(PROCESS, config), f"{name}: the schema let it through"
    with pytest.raises(ModelError):
        validate(config)


def test_a_broken_scenario_and_experiment_are_flagged() -> None:
    scenario = _load(SCENARIOS[0])
    assert _errors(SCENARIO, {**scenario, "redesign": scenario["redesigns"]})
    assert _errors(SCENARIO, {k: v for k, v in scenario.items() if k != "redesigns"})
    experiment = _load(EXPERIMENTS[0])
    assert _errors(EXPERIMENT, {**experiment, "overrides": "run.replications=10"})
    assert _errors(EXPERIMENT, {**experiment, "sweeps": {}})
    # A scenario removes with null, anywhere.
    assert _errors(SCENARIO, {"redesigns": "x", "process": {"stages": {"a": None}},
                              "staffing": {"clerk": None}, "sla": None}) == []  # fmt: skip


# ------------------------------------------------------------- no false alarm on a good file

LEAVES = st.one_of(
    st.integers(-3, 30),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=50),
    st.sampled_from(["", "2h", "30min", "abc", "expon", "necessary", "end", "mon-fri", "09:00"]),
    st.none(),
    st.booleans(),
    st.just([]),
    st.just({}),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _set(config: Any, path: tuple[Any, ...], value: Any) -> None:
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_what_procsim_accepts_the_schema_accepts(data: st.DataObject) -> None:
    """Mutate leaves of a bundled process; whenever procsim still accepts it, so must the
    schema (the other way round need not hold: routing to an unknown stage is procsim's)."""
    base = _load(data.draw(st.sampled_from(PROCESSES)))
    config = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(config)
        path = data.draw(st.sampled_from(paths))
        _set(config, path, data.draw(LEAVES))
    try:
        validate(config)
    except ModelError:
        return
    assert _errors(PROCESS, config) == [], json.dumps(config, default=str)[:400]


def test_the_command_writes_the_schemas(tmp_path: Path) -> None:
    done = run_cli("schema", str(tmp_path / "schemas"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == ["procsim-experiment.schema.json", "procsim-process.schema.json",
                       "procsim-scenario.schema.json"]  # fmt: skip
    schema = json.loads((tmp_path / "schemas" / "procsim-process.schema.json").read_text())
    assert _errors(_validator(schema), _load(PROCESSES[0])) == []
    assert "yaml-language-server" in done.stdout
    blocked = tmp_path / "file"
    blocked.write_text("x")
    refused = run_cli("schema", str(blocked), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "is a file" in refused.stderr
