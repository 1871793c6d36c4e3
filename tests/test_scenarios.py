"""Scenarios are diffs on the current process: merge, replace, null removes; they stack in
order, and command-line overrides win over them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from procsim.config.compose import compose
from procsim.config.resolve import resolve_study
from procsim.config.scenario_diff import apply_diff
from procsim.config.workspace import Workspace
from procsim.errors import ModelError, ProcsimError


def diff(base: dict, change: dict) -> tuple[dict, dict, list]:
    provenance: dict = {}
    issues: list = []
    out = apply_diff(base, change, scenario="s", provenance=provenance, issues=issues)
    return out, provenance, issues


def test_mappings_merge_scalars_replace_null_removes() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 3}
    out, prov, issues = diff(base, {"a": {"y": 5, "x": None}, "b": [9], "c": None})
    assert out == {"a": {"x": None, "y": 5}, "b": [9], "c": None}
    assert base == {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 3}
    assert set(prov) == {"a.y", "a.x", "b", "c"} and not issues


def test_a_distribution_with_dist_replaces_the_whole_mapping() -> None:
    base = {"d": {"dist": "lognormal", "mean": 2, "cv": 0.5}}
    assert diff(base, {"d": {"dist": "constant", "value": 1}})[0] == {
        "d": {"dist": "constant", "value": 1}
    }
    assert diff(base, {"d": {"mean": 3}})[0] == {"d": {"dist": "lognormal", "mean": 3, "cv": 0.5}}


def test_removing_something_missing_is_an_error_with_a_hint() -> None:
    _, _, issues = diff({"stages": {"approve": {}}}, {"stages": {"aprove": None}})
    assert issues and "did you mean 'approve'" in issues[0].format()


def make_workspace(tmp_path: Path, scenarios: dict[str, dict]) -> Workspace:
    (tmp_path / "conf" / "process").mkdir(parents=True)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "conf" / "config.yaml").write_text(
        "defaults:\n  - procsim_defaults\n  - process: p\n  - _self_\nscenario: []\n"
    )
    process = {
        "process": {
            "name": "p",
            "start": "a",
            "stages": {
                "a": {"role": "r", "duration": 1, "next": "b"},
                "b": {"role": "r", "duration": 1, "next": "end"},
            },
        },
        "staffing": {"r": 3},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 2}},
        "run": {"horizon": 100, "replications": 2},
    }
    (tmp_path / "conf" / "process" / "p.yaml").write_text(
        "# @package _global_\n" + yaml.safe_dump(process)
    )
    for name, body in scenarios.items():
        (tmp_path / "scenarios" / f"{name}.yaml").write_text(yaml.safe_dump(body))
    return Workspace(tmp_path, "test")


def test_scenarios_stack_in_order_and_the_command_line_wins(tmp_path: Path) -> None:
    ws = make_workspace(
        tmp_path,
        {
            "two": {"redesigns": "p", "description": "two", "staffing": {"r": 2}},
            "five": {"redesigns": "p", "description": "five", "staffing": {"r": 5}},
        },
    )
    study = compose(scenario=["two", "five"], workspace=ws)
    assert study.configs["two+five"]["staffing"]["r"] == 5
    study = compose(scenario=["five", "two"], workspace=ws)
    assert study.configs["five+two"]["staffing"]["r"] == 2
    study = compose(scenario=["two"], overrides=["staffing.r=7"], workspace=ws)
    assert study.configs["current"]["staffing"]["r"] == 7
    assert study.configs["two"]["staffing"]["r"] == 7


def test_forgotten_edge_fails_validation_and_names_the_scenario(tmp_path: Path) -> None:
    ws = make_workspace(
        tmp_path,
        {
            "skip": {
                "redesigns": "p",
                "process": {
                    "stages": {
                        "c": {"role": "r", "duration": 1, "next": "end"},
                        "a": {"next": {"c": 1.0}},
                    }
                },
            }
        },
    )
    study = compose(scenario="skip", workspace=ws)
    assert study.configs["skip"]["process"]["stages"]["a"]["next"] == {"b": 1.0, "c": 1.0}
    with pytest.raises(ProcsimError) as info:
        study.build()
    text = str(info.value)
    assert "successor probabilities do not sum to 1" in text
    assert "scenario 'skip' changed this routing" in text


def test_scenario_for_another_process_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"other": {"redesigns": "q"}})
    config = {"process": {"name": "p"}, "scenario": ["other"]}
    with pytest.raises(ModelError, match="redesigns process 'q'"):
        resolve_study(config, [], ws)


def test_unknown_top_level_key_in_a_scenario(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"typo": {"redesigns": "p", "stafing": {"r": 2}}})
    with pytest.raises(ModelError, match="did you mean 'staffing'"):
        compose(scenario="typo", workspace=ws)


def test_run_settings_in_a_scenario_that_differ_are_an_error_not_ignored(
    tmp_path: Path,
) -> None:
    """The comparison runs both sides with one set of run settings; a scenario's own horizon
    would otherwise be dropped without a word."""
    ws = make_workspace(
        tmp_path,
        {
            "pilot": {"redesigns": "p", "run": {"horizon": 50}},
            "same": {"redesigns": "p", "run": {"horizon": 100}, "staffing": {"r": 2}},
        },
    )
    with pytest.raises(ProcsimError) as info:
        compose(scenario="pilot", workspace=ws).build()
    text = str(info.value)
    assert "scenario 'pilot'" in text and "run.horizon: 50.0 here, 100.0" in text
    assert "Hint:" in text
    models, run = compose(scenario="same", workspace=ws).build()
    assert run.horizon == 100 and set(models) == {"current", "same"}


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {})
    (tmp_path / "scenarios" / "broken.yaml").write_text("redesigns: p\nstaffing:\n  r: [2\n")
    with pytest.raises(ProcsimError, match=r"broken\.yaml:\d+: not valid YAML"):
        compose(scenario="broken", workspace=ws)


def test_an_override_does_not_bring_back_what_a_scenario_removed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"merge": {
        "redesigns": "p",
        "process": {"stages": {"b": None, "a": {"next": {"b": None, "end": 1.0}}}},
    }})  # fmt: skip
    study = compose(scenario="merge", overrides=["process.stages.b.duration=3"], workspace=ws)
    assert study.configs["current"]["process"]["stages"]["b"]["duration"] == 3
    assert study.configs["merge"]["process"]["stages"]["b"] is None
    models, _ = study.build()
    assert models["merge"].stage_names == ("a",)


def test_a_problem_of_the_current_process_is_reported_once_not_per_redesign() -> None:
    import copy as _copy

    from helpers import mm1
    from procsim import from_configs

    current = mm1()
    current["run"]["replications"] = "many"
    redesign = _copy.deepcopy(current)
    redesign["staffing"]["server"] = 2
    with pytest.raises(ProcsimError) as info:
        from_configs({"current": current, "faster": redesign}).build()
    assert str(info.value).count("- run.replications:") == 1
