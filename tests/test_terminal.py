"""The terminal table: columns and wording checked against summaries written out by hand."""

from __future__ import annotations

import pandas as pd

from helpers import two_stage
from procsim.report_table import target_table, terminal_table
from procsim.validate import validate_model


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
