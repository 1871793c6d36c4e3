"""procsim-import: a Prosimos/Simod model (BPMN + JSON) read into a process config, checked
against the BPMN itself (an independent ElementTree reading in this file), hand-worked
probabilities and mixtures, and a simulation of the result (XOR visits, AND overlap)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml

import procsim
from helpers import run_module
from procsim.config.workspace import Workspace
from procsim.errors import ModelError
from procsim.mining.model_import import import_model
from procsim.model.validate import validate_model

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "prosimos_small.bpmn", DATA / "prosimos_small.json")
LOAN = (DATA / "loanapp_prosimos.bpmn", DATA / "loanapp_prosimos.json")
NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _bpmn(path: Path) -> dict[str, list[ET.Element]]:
    process = ET.parse(path).getroot().find(f"{NS}process")
    assert process is not None
    out: dict[str, list[ET.Element]] = {}
    for e in process:
        out.setdefault(e.tag.removeprefix(NS), []).append(e)
    return out


def _stages(text: str) -> dict[str, dict]:
    return yaml.safe_load(text)["process"]["stages"]


def _by_bpmn_id(text: str) -> dict[str, str]:
    """BPMN element id -> stage key, from the comment each imported stage carries."""
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if line.startswith("    ") and not line.startswith("     ") and line.endswith(":"):
            key = line.strip()[:-1]
        elif line.startswith("      # BPMN "):
            out[line.split()[-1]] = key
    return out


def test_every_task_event_and_gateway_of_the_bpmn_is_accounted_for() -> None:
    text, _ = import_model(*SMALL, "small")
    validate_model(yaml.safe_load(text))
    bpmn = _bpmn(SMALL[0])
    ids = _by_bpmn_id(text)
    tasks = [e.get("id") for e in bpmn["task"]]
    events = [e.get("id") for e in bpmn["intermediateCatchEvent"]]
    assert sorted(ids) == sorted(tasks + events)  # one stage each, nothing else named BPMN
    stages = _stages(text)
    names = {e.get("id"): e.get("name") for e in bpmn["task"]}
    for tid in tasks:
        assert stages[ids[tid]]["description"] == names[tid]
    k = ids  # hand-worked from the diagram: start -> merge -> register
    assert yaml.safe_load(text)["process"]["start"] == k["t_register"]
    # x_valid: 0.3 reject, 0.7 to the AND split (a routing stage, since a choice precedes it).
    reg = stages[k["t_register"]]["next"]
    assert reg[k["t_reject"]] == pytest.approx(0.3) and sum(reg.values()) == pytest.approx(1)
    split = next(key for key, p in reg.items() if key != k["t_reject"])
    assert reg[split] == pytest.approx(0.7)
    assert stages[split]["role"] is None and stages[split]["duration"] == 0
    assert stages[split]["next"] == {
        "parallel": [k["t_check_id"], k["t_check_credit"]],
        "join": k["t_decide"],
    }
    # The AND join's task is the join stage; both branches end there.
    assert stages[k["t_check_id"]]["next"] == k["t_decide"]
    assert stages[k["t_check_credit"]]["next"] == k["t_decide"]
    # x_done: 0.75 to the end, 0.25 to rework, which loops back through the merge.
    assert stages[k["t_decide"]]["next"] == {"end": 0.75, k["t_rework"]: 0.25}
    assert stages[k["t_rework"]]["next"] == k["t_register"]
    assert stages[k["t_reject"]]["next"] == k["e_appeal"]
    assert stages[k["e_appeal"]]["next"] == "end"
    assert len(stages) == len(tasks) + len(events) + 1  # and the one routing stage
    # Every sequence flow between two stages is an edge of the config.
    stage_of = {**ids}
    for f in bpmn["sequenceFlow"]:
        src, dst = stage_of.get(f.get("sourceRef")), stage_of.get(f.get("targetRef"))
        if src and dst:
            nxt = stages[src]["next"]
            assert dst == nxt or dst in nxt, (src, dst)


def test_pools_calendars_durations_and_arrivals() -> None:
    text, model = import_model(*SMALL, "small")
    config = yaml.safe_load(text)
    ids = _by_bpmn_id(text)
    stages = config["process"]["stages"]
    params = json.loads(SMALL[1].read_text())
    assert config["process"]["time_unit"] == "minutes"
    # Two pools -> two roles, head counts from the amounts, shifts from the calendars.
    assert stages[ids["t_register"]]["role"] == "clerks"
    assert stages[ids["t_decide"]]["role"] == "loan_officers"
    assert config["staffing"]["clerks"] == {
        "shifts": [{"days": "mon-fri", "from": "09:00", "to": "17:00", "count": 3}]
    }
    assert config["staffing"]["loan_officers"]["shifts"] == [
        {"days": "mon-fri", "from": "09:00", "to": "17:00", "count": 1},
        {"days": "mon-fri", "from": "12:00", "to": "20:00", "count": 1},
    ]
    assert config["roles"]["loan_officers"]["cost_per_hour"] == 60  # (50 + 70) / 2
    # Same distribution for every resource: the family itself, in minutes.
    assert stages[ids["t_register"]]["duration"] == {"dist": "normal", "mean": 10, "sd": 1}
    assert stages[ids["t_check_id"]]["duration"] == {"dist": "expon", "mean": 5}
    assert stages[ids["t_reject"]]["duration"] == {"dist": "uniform", "low": 2, "high": 6}
    assert stages[ids["t_rework"]]["duration"] == {"dist": "gamma", "mean": 15, "cv": 0.3333}
    assert stages[ids["e_appeal"]]["duration"] == {"dist": "expon", "mean": 120}
    # Different per resource: the equal mix of N(20 min, 1.67) and N(40 min, 3.33).
    mix = stages[ids["t_check_credit"]]["duration"]
    assert mix["dist"] == "empirical" and mix["interpolate"] is True
    values = np.asarray(mix["values"])
    grid = np.linspace(0, 1, values.size)
    assert float(np.trapezoid(values, grid)) == pytest.approx(30.0, rel=0.01)
    assert float(np.interp(0.5, grid, values)) == pytest.approx(30.0, abs=5)  # the gap
    assert any("'Check credit': per-resource durations differ" in n for n in model.notes)
    # Arrivals: an exponential gap of 1800 s in a Mon-Fri 08-18 calendar -> 2 an hour then.
    assert params["arrival_time_distribution"]["distribution_name"] == "expon"
    assert config["arrivals"]["rate"] == {"mon-fri": [{"from": "08:00", "to": "18:00", "rate": 2}]}
    header = text.split("process:")[0]
    assert "Poisson" in header and "pool's mix" in header and "finish the case" in header


def test_the_loan_example_imports_every_task_and_probability() -> None:
    """The Prosimos loan application (ProM export, 15 tasks, 8 XOR gateways at 0.5)."""
    text, model = import_model(*LOAN, "loan")
    config = yaml.safe_load(text)
    bpmn = _bpmn(LOAN[0])
    ids = _by_bpmn_id(text)
    assert sorted(ids) == sorted(e.get("id") for e in bpmn["task"])
    stages = config["process"]["stages"]
    splits = [g for g in bpmn["exclusiveGateway"] if g.get("gatewayDirection") == "Diverging"]
    params = json.loads(LOAN[1].read_text())
    assert {g["gateway_id"] for g in params["gateway_branching_probabilities"]} == {
        g.get("id") for g in splits
    }
    for g in splits:  # the task before each split routes to the tasks after it at 0.5 each
        into = next(f for f in bpmn["sequenceFlow"] if f.get("targetRef") == g.get("id"))
        nxt = stages[ids[into.get("sourceRef")]]["next"]
        assert sorted(nxt.values()) == [0.5, 0.5]
    # Zero-time start/end markers done by their own resources: no role, no time.
    assert stages[ids["node_288a9f35-afe5-4840-b6b4-1e7b18180380"]]["role"] is None
    assert config["staffing"] == {"undifferentiated_resource_profile": 16}
    gap = config["arrivals"]["interarrival"]
    assert gap == {"dist": "normal", "mean": 6, "sd": 0.3333}  # norm(360 s, 20 s) in minutes
    assert not model.notes  # nothing procsim cannot express


@pytest.mark.slow
def test_the_imported_model_simulates_its_routing(tmp_path: Path) -> None:
    """Round trip: visits per case follow the XOR probabilities (traffic equations by hand:
    register 1 / (1 - 0.7 * 0.25) = 1.2121, reject 0.3 of that, checks and decide 0.7 of it,
    rework 0.25 of decide), and the AND branches overlap and both end before the join."""
    text, _ = import_model(*SMALL, "small")
    (tmp_path / "conf" / "process").mkdir(parents=True)
    (tmp_path / "conf" / "process" / "small.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "conf" / "config.yaml").write_text(
        "defaults:\n  - procsim_defaults\n  - process: small\n  - _self_\n", encoding="utf-8"
    )
    study = procsim.compose(
        process="small",
        overrides=["run.replications=3", "run.horizon=6w", "run.warmup=0", "run.workers=1"],
        workspace=Workspace(tmp_path, "test"),
    )
    results = procsim.run(study)
    ids = _by_bpmn_id(text)
    # Cases of the first four weeks (all done by the end): no censoring by the horizon.
    cases = results.cases[results.cases["arrival_time"] < 4 * 7 * 24 * 60]
    assert (cases["outcome"] == "completed").all() and len(cases) > 1000
    done = cases.set_index(["replication", "case_id"]).index
    visits = results.visits.set_index(["replication", "case_id"])
    visits = visits[visits.index.isin(done)].reset_index()
    per_case = visits.groupby("activity").size() / len(cases)
    register = 1 / (1 - 0.7 * 0.25)
    expected = {
        "t_register": register,
        "t_reject": 0.3 * register,
        "t_check_id": 0.7 * register,
        "t_check_credit": 0.7 * register,
        "t_decide": 0.7 * register,
        "t_rework": 0.25 * 0.7 * register,
    }
    for tid, v in expected.items():
        assert per_case[ids[tid]] == pytest.approx(v, rel=0.08), tid
    both = visits[visits["activity"].isin([ids["t_check_id"], ids["t_check_credit"]])]
    decide = visits[visits["activity"] == ids["t_decide"]].groupby(["replication", "case_id"])
    ends = both.groupby(["replication", "case_id"])["end_time"].max()
    starts = decide["start_time"].min()
    once = decide.size()[decide.size() == 1].index  # no rework loop: one round of checks
    joined = starts.index.intersection(ends.index).intersection(once)
    assert len(joined) > 300
    assert (starts[joined] >= ends[joined] - 1e-9).all()
    # Both branches are enabled at once, by the split (not one after the other).
    enabled = both.groupby(["replication", "case_id"])["enabled_time"].agg(["min", "max"])
    enabled = enabled.loc[joined]
    assert np.allclose(enabled["min"], enabled["max"])


def test_bad_models_exit_2_naming_the_file_and_place(tmp_path: Path) -> None:
    params = json.loads(SMALL[1].read_text())
    params["task_resource_distribution"][0]["resources"][0]["distribution_name"] = "weird"
    bad_json = tmp_path / "bad.json"
    bad_json.write_text(json.dumps(params), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    cases = [
        ([f"bpmn={tmp_path / 'none.bpmn'}", f"json={SMALL[1]}"], "none.bpmn: no such file"),
        ([f"bpmn={SMALL[0]}", f"json={tmp_path / 'broken.json'}"], "is not valid JSON"),
        (
            [f"bpmn={SMALL[0]}", f"json={bad_json}"],
            "task_resource_distribution[0].resources[0].distribution_name: unknown distribution",
        ),
    ]
    for args, expected in cases:
        done = run_module("procsim.cli.import_model", [*args, "name=x"], tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert expected in done.stderr
    with pytest.raises(ModelError, match="not one start event"):
        broken = tmp_path / "two_starts.bpmn"
        text = (
            SMALL[0]
            .read_text()
            .replace('<startEvent id="start"/>', '<startEvent id="start"/><startEvent id="s2"/>')
        )
        broken.write_text(text, encoding="utf-8")
        import_model(broken, SMALL[1], "x")


def test_procsim_import_writes_a_config_and_says_what_it_approximated(tmp_path: Path) -> None:
    args = [f"bpmn={SMALL[0]}", f"json={SMALL[1]}", "name=small", "out=small.yaml"]
    done = run_module("procsim.cli.import_model", args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "approximated: 'Check credit': per-resource durations differ" in done.stdout
    text = (tmp_path / "small.yaml").read_text(encoding="utf-8")
    assert text == import_model(*SMALL, "small")[0]  # same input, same bytes
    again = run_module("procsim.cli.import_model", args, tmp_path)
    assert again.returncode == 2 and "overwrite=true" in again.stderr
