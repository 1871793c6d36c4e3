"""The terminal table: columns and wording checked against summaries written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import two_stage
from procsim.model.validate import validate_model
from procsim.review.terminal import target_table, terminal_table


def summary_of(means: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Mean cycle time and CI half-width per scenario, as ``summarize`` lays them out."""
    return pd.DataFrame(
        [
            (s, "cycle_time_mean", "", m, 1.0, 10, h, m - h, m + h)
            for s, (m, h) in means.items()
        ],
        columns=[
            "scenario", "metric", "entity", "mean", "sd", "n", "half_width", "ci_low", "ci_high",
        ],
    )  # fmt: skip


def test_several_redesigns_get_target_and_met_columns() -> None:
    """Target: mean cycle time <= 8 h. CIs 9-11 h (all above: missed), 4-6 h (all below: met)
    and 7-9 h (straddles 8 h: uncertain)."""
    model = validate_model(two_stage())
    models = {"current": model, "a": model, "b": model}
    summary = summary_of({"current": (10.0, 1.0), "a": (5.0, 1.0), "b": (8.0, 1.0)})
    table = terminal_table(summary, None, target_table(summary, models), models)
    header, _, row = table.splitlines()[:3]
    assert header.split()[-2:] == ["target", "met"]
    assert row.startswith("cycle time, mean")
    assert row.split()[-3:] == ["8.00", "h", "missed/met/uncertain"]


def test_one_redesign_gets_the_goal_and_its_status_in_one_column() -> None:
    """Target: mean cycle time <= 8 h. The redesign's CI 4-6 h is all below 8 h: met. The
    current process's status (9-11 h: missed) is not the column's business."""
    model = validate_model(two_stage())
    models = {"current": model, "a": model}
    summary = summary_of({"current": (10.0, 1.0), "a": (5.0, 1.0)})
    table = terminal_table(summary, None, target_table(summary, models), models)
    header, _, row = table.splitlines()[:3]
    assert header.split()[-2:] == ["change", "target"]
    assert row.split()[-4:] == ["<=", "8.00", "h", "met"]


def test_proportions_change_in_percentage_points() -> None:
    """SLA attainment 55.1% -> 96.9% is +41.8 percentage points (not +75.9 % of 55.1%); the
    mean cycle time 73.5 h -> 36.8 h keeps its relative change, -49.9 %."""
    model = validate_model(two_stage())
    models = {"current": model, "proposed": model}
    summary = pd.DataFrame(
        [
            (s, m, e, v, 0.1, 10, 0.01, v - 0.01, v + 0.01)
            for s, m, e, v in [
                ("current", "cycle_time_mean", "", 73.5),
                ("proposed", "cycle_time_mean", "", 36.8),
                ("current", "sla_attainment", "day", 0.551),
                ("proposed", "sla_attainment", "day", 0.969),
            ]
        ],
        columns=[
            "scenario", "metric", "entity", "mean", "sd", "n", "half_width", "ci_low", "ci_high",
        ],
    )  # fmt: skip
    comparison = pd.DataFrame(
        {
            "scenario": "proposed",
            "metric": ["cycle_time_mean", "sla_attainment"],
            "entity": ["", "day"],
            "diff": [36.8 - 73.5, 0.969 - 0.551],
            "change_pct": [(36.8 - 73.5) / 73.5 * 100, (0.969 - 0.551) / 0.551 * 100],
            "significant": True,
        }
    )
    lines = terminal_table(summary, comparison, target_table(summary, models), models)
    rows = {line.split("  ")[0]: line for line in lines.splitlines()}
    assert "-49.9 %" in rows["cycle time, mean"]
    assert "+41.8 pp" in rows["SLA attainment [day]"]
    assert "75.9" not in rows["SLA attainment [day]"]


def test_progress_counts_runs_of_every_model_honestly(capsys: pytest.CaptureFixture[str]) -> None:
    """40 replications of a current process and a redesign are 80 runs, not 80 replications."""
    from procsim.cli.progress import ProgressBar as _Progress

    two = _Progress(True, models=2)
    two(1, 80)
    two(80, 80)
    err = capsys.readouterr().err
    assert "1/80 runs (2 models x 40 replications)" in err
    assert "80/80 runs (2 models x 40 replications)" in err and err.endswith("\n")
    one = _Progress(True, models=1)
    one(3, 40)
    assert "3/40 replications" in capsys.readouterr().err
    _Progress(False, models=2)(1, 80)
    assert capsys.readouterr().err == ""


def test_the_header_names_the_runs_confidence_level() -> None:
    model = validate_model(two_stage())
    models = {"current": model, "a": model}
    summary = summary_of({"current": (10.0, 1.0), "a": (5.0, 1.0)})
    targets = target_table(summary, models)
    assert "mean ± 95% CI half-width" in terminal_table(summary, None, targets, models)
    header = terminal_table(summary, None, targets, models, level=0.9).splitlines()[0]
    assert "mean ± 90% CI half-width" in header
