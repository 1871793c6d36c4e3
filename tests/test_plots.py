"""Figures of a run folder, and the data helpers behind them on hand-worked data."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import procsim
from helpers import mm1
from procsim.measure.warmup import wip_series
from procsim.model.validate import validate_model
from procsim.review.figures.cycle_times import (
    _long_tail,
    cycle_times,
    ecdf,
    end_to_end_slas,
    plot_cycle_time_distribution,
)
from procsim.review.figures.kpi_changes import kpi_changes, plot_kpi_differences
from procsim.review.figures.run_figures import FIGURES, make_figures
from procsim.review.figures.scenarios import BASELINE_COLOR, scenario_colors
from procsim.review.figures.sla_attainment import plot_sla_attainment
from procsim.review.figures.staffing_week import plot_staffing_week, week_varies
from procsim.review.figures.stages import (
    plot_stage_waiting,
    plot_time_pareto,
    stage_order,
    stage_time,
)
from procsim.review.figures.style import save_figure
from procsim.review.figures.utilization import plot_utilization
from procsim.review.figures.work_in_progress import plot_wip_over_time, wip_bands
from procsim.study.model_description import describe_model

NAN = math.nan
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    # IHDR: width and height (big-endian) right after the signature and chunk header.
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert 1000 <= width <= 1100, (path, width)  # 7 in at 150 dpi
    assert 300 <= height <= 3000, (path, height)


def assert_svg(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", path


@pytest.fixture(scope="module")
def redesign_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = procsim.compose(
        scenario="merged_approval",
        overrides=["run.replications=3", "run.horizon=2w", "run.warmup=2d", "run.workers=1"],
    )
    return procsim.run(study, warn=lambda _: None).save(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One process, no redesign, no SLA."""
    study = procsim.from_configs({"current": mm1(0.7, horizon=300, warmup=30, replications=2)})
    results = procsim.run(study, warn=lambda _: None)
    return results.save(tmp_path_factory.mktemp("plain"), figures=False, report=False)


# ----------------------------------------------------------------------------- run folders


@pytest.mark.filterwarnings("error")
def test_make_figures_writes_every_figure(redesign_run: Path) -> None:
    made = make_figures(redesign_run)
    # approval_chain has constant staff and arrivals: no week chart.
    assert list(made) == [f for f in FIGURES if f != "staffing_week"]
    for name, png in made.items():
        assert png == redesign_run / "figures" / f"{name}.png"
        assert_png(png)
        assert_svg(png.with_suffix(".svg"))


def test_figures_are_reproducible(redesign_run: Path, tmp_path: Path) -> None:
    """The same tables give the same SVG (no dates, stable ids): reports diff cleanly."""
    summary = pd.read_parquet(redesign_run / "tables" / "summary.parquet")
    for target in (tmp_path / "a.svg", tmp_path / "b.svg"):
        save_figure(plot_utilization(summary), target)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


@pytest.mark.filterwarnings("error")
def test_without_redesign_or_sla_those_figures_are_skipped(plain_run: Path) -> None:
    stale = plain_run / "figures" / "kpi_differences.png"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(PNG_MAGIC)  # left over from an earlier drawing: must not survive
    made = make_figures(plain_run, formats=("png",))
    assert not stale.exists()
    assert set(made) == set(FIGURES) - {"kpi_differences", "sla_attainment", "staffing_week"}
    for png in made.values():
        assert_png(png)
    assert not list((plain_run / "figures").glob("*.svg"))


# ----------------------------------------------------------------------------- helpers


def test_ecdf_by_hand() -> None:
    x, y = ecdf([3.0, 1.0, 2.0, 2.0, NAN])
    # four finite values: <=1 one of them, <=2 three, <=3 all four
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(y, [0.25, 0.75, 1.0])
    x, y = ecdf([NAN])
    assert x.size == 0 and y.size == 0


def test_cycle_times_follow_the_kpi_scope() -> None:
    cases = pd.DataFrame(
        {
            "scenario": "current",
            "replication": 0,
            "case_id": [0, 1, 2, 3],
            "arrival_time": [1.0, 5.0, 6.0, 9.5],
            "completion_time": [7.0, 8.0, NAN, 9.9],
        }
    )
    # warm-up 5, end 9: case 0 arrived in the warm-up, 2 is open, 3 arrived after the end
    ct = cycle_times(cases, warmup=5.0, end=9.0)
    assert ct.tolist() == [3.0]
    assert ct.index.tolist() == [1]


def test_wip_series_by_hand() -> None:
    cases = pd.DataFrame(
        {
            "arrival_time": [1.0, 2.0, 3.0],
            "completion_time": [4.0, NAN, 5.0],  # the second case is still open at the end
        }
    )
    grid = np.array([0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0])
    # t=0: none yet; t=1: A; t=2: A,B; t=3: A,B,C; t=4: A done (4 < 4 is false): B,C;
    # t=5: C done: B; B stays open until the end.
    expected = [0, 1, 1, 2, 3, 2, 2, 1, 1]
    np.testing.assert_array_equal(wip_series(cases, grid), expected)


def test_wip_bands_by_hand() -> None:
    cases = pd.DataFrame(
        {
            "scenario": ["current"] * 3 + ["faster"] * 2,
            "replication": [0, 0, 1, 0, 1],
            "arrival_time": [0.0, 1.0, 0.5, 0.0, 0.0],
            "completion_time": [2.0, 3.0, 4.0, 1.0, NAN],
        }
    )
    bands = wip_bands(cases, points=5, end=4.0)  # grid 0, 1, 2, 3, 4
    cur = bands[bands["scenario"] == "current"]
    # replication 0: [1, 2, 1, 0, 0]; replication 1: [0, 1, 1, 1, 0]
    np.testing.assert_array_equal(cur["time"], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(cur["mean"], [0.5, 1.5, 1.0, 0.5, 0.0])
    np.testing.assert_array_equal(cur["low"], [0, 1, 1, 0, 0])
    np.testing.assert_array_equal(cur["high"], [1, 2, 1, 1, 0])
    fast = bands[bands["scenario"] == "faster"]
    # replication 0: [1, 0, 0, 0, 0]; replication 1 (open case): [1, 1, 1, 1, 1]
    np.testing.assert_array_equal(fast["mean"], [1.0, 0.5, 0.5, 0.5, 0.5])
    assert set(bands["replications"]) == {2}


def test_kpi_changes_by_hand() -> None:
    comparison = pd.DataFrame(
        {
            "scenario": "faster",
            "metric": ["cycle_time_mean", "open", "utilization", "wait_mean", "sla_attainment"],
            "entity": ["", "", "clerk", "check", "two_days"],
            "before": [10.0, 0.0, 0.5, 1.0, 0.5],
            "after": [8.0, 1.0, 0.4, 0.5, 0.6],
            "diff": [-2.0, 1.0, -0.1, -0.5, 0.1],
            "diff_low": [-3.0, 0.0, -0.2, -0.6, -0.05],
            "diff_high": [-1.0, 2.0, 0.0, -0.4, 0.25],
            "n": 3,
            "change_pct": [-20.0, NAN, -20.0, -50.0, 20.0],
            "significant": [True, True, True, True, False],
        }
    )
    got = kpi_changes(comparison).set_index("metric")
    # role and stage KPIs are left out; order follows the headline list
    assert got.index.tolist() == ["open", "cycle_time_mean", "sla_attainment"]
    row = got.loc["cycle_time_mean"]
    assert (row["change"], row["low"], row["high"]) == (-20.0, -30.0, -10.0)
    assert row["label"] == "cycle time, mean" and row["significant"]
    assert math.isnan(got.loc["open", "change"])  # no current value to relate to
    assert row["scale"] == "%"
    # A proportion changes in percentage points: 50% -> 60% is +10 pp (CI -5 to +25 pp),
    # not +20 % of 50%.
    sla = got.loc["sla_attainment"]
    assert sla["label"] == "SLA attainment [two_days]"
    assert sla["change"] == pytest.approx(10.0) and sla["scale"] == "pp"
    assert (sla["low"], sla["high"]) == pytest.approx((-5.0, 25.0))
    assert not sla["significant"]


def test_scenario_colours_are_stable() -> None:
    full = scenario_colors(["current", "merged", "automated"])
    assert full["current"] == BASELINE_COLOR
    # the comparison table has no current process: redesigns keep their colours
    assert scenario_colors(["merged", "automated"]) == {
        k: v for k, v in full.items() if k != "current"
    }
    assert scenario_colors(["merged", "current"])["current"] == BASELINE_COLOR
    assert len(set(full.values())) == 3


def test_stage_order_and_end_to_end_slas() -> None:
    models = {
        "current": {
            "stages": [{"name": "check"}, {"name": "approve_a"}, {"name": "approve_b"}],
            "slas": [
                {"name": "e2e", "within": 72.0, "from": "arrival", "to": "completion"},
                {"name": "first", "within": 2.0, "from": "arrival", "to": "start:approve_a"},
            ],
        },
        "merged": {
            "stages": [{"name": "check"}, {"name": "approve_ab"}],
            "slas": [{"name": "e2e", "within": 72.0, "from": "arrival", "to": "completion"}],
        },
    }
    assert stage_order(models) == ["check", "approve_ab", "approve_a", "approve_b"]
    assert end_to_end_slas(models) == [("e2e", 72.0)]


@pytest.mark.filterwarnings("error")
def test_figures_survive_missing_values() -> None:
    """KPIs that are NaN (no completed case, a single replication) draw as 'n/a'."""
    rows = []
    for scenario in ("current", "faster"):
        for metric, entity, mean, half in [
            ("wait_mean", "check", 1.0, NAN),
            ("wait_mean", "approve", NAN, NAN),
            ("utilization", "clerk", 0.9, 0.05),
            ("utilization", "boss", NAN, NAN),
            ("time_share", "check", 0.4, NAN),
            ("time_share", "approve", NAN, NAN),
            ("sla_attainment", "e2e", NAN, NAN),
        ]:
            rows.append((scenario, metric, entity, mean, NAN, 1, half, mean - half, mean + half))
    summary = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "metric",
            "entity",
            "mean",
            "sd",
            "n",
            "half_width",
            "ci_low",
            "ci_high",
        ],
    )
    comparison = pd.DataFrame(
        {
            "scenario": "faster",
            "metric": ["cycle_time_mean", "open"],
            "entity": "",
            "before": [NAN, 0.0],
            "diff": [NAN, 0.0],
            "diff_low": [NAN, NAN],
            "diff_high": [NAN, NAN],
            "significant": False,
        }
    )
    cases = pd.DataFrame(
        {
            "scenario": ["current", "faster"],
            "replication": 0,
            "case_id": 0,
            "arrival_time": [1.0, 1.0],
            "completion_time": [NAN, NAN],  # nothing completed
        }
    )
    figures = [
        plot_stage_waiting(summary),
        plot_utilization(summary),
        plot_time_pareto(summary),
        plot_sla_attainment(summary, targets={"e2e": 0.8}),
        plot_kpi_differences(comparison),
        plot_cycle_time_distribution(cases, slas=[("e2e", 72.0)]),
        plot_wip_over_time(cases, end=10.0),
    ]
    for fig in figures:
        fig.savefig(io.BytesIO(), format="png", dpi=50)


# ----------------------------------------------------------------------------- week chart


def _office(count: int) -> dict[str, Any]:
    return {
        "process": {"start": "a", "stages": {"a": {"role": "clerk", "duration": 0.5}}},
        "staffing": {
            "clerk": {"shifts": [{"days": "mon-fri", "from": "09:00", "to": "17:00", "count": 1}]},
            "agent": count,
        },
        "arrivals": {"rate": {"mon-fri": 1.0}},
    }


def test_week_description_follows_the_shift_table() -> None:
    """Hand-worked: 09:00-17:00 on weekdays is on at 9 + 24 d and off at 17 + 24 d."""
    model = validate_model(_office(2))
    described = describe_model(model)
    roles = {r["name"]: r for r in described["roles"]}
    week = roles["clerk"]["on_duty_week"]
    on = [h for h, v in zip(week["hours"], week["values"], strict=True) if v == 1]
    off = [h for h, v in zip(week["hours"], week["values"], strict=True) if v == 0]
    assert on == [9 + 24 * d for d in range(5)]
    assert off == [0, *[17 + 24 * d for d in range(5)]]
    assert roles["agent"]["on_duty_week"] == {"hours": [0.0], "values": [2]}
    # One arrival per hour, around the clock on weekdays, none at the weekend.
    arrivals = described["arrivals_per_hour"]
    assert dict(zip(arrivals["hours"], arrivals["values"], strict=True)) == {0.0: 1.0, 120.0: 0.0}


@pytest.mark.filterwarnings("error")
def test_week_chart_draws_demand_and_each_role_that_changes() -> None:
    current = describe_model(validate_model(_office(2)))
    more = describe_model(validate_model(_office(3)))
    assert week_varies({"current": current})
    fig = plot_staffing_week({"current": current, "more_agents": more})
    # demand, clerk (changes over the week), agent (differs between the scenarios)
    demand, clerk, agent = fig.axes
    assert demand.get_title() == "Demand and staff on duty over a week"
    assert "clerk" in clerk.get_ylabel() and "agent" in agent.get_ylabel()
    # The clerk's line is the shift table: 1 from 09:00 to 17:00, Monday to Friday.
    x, y = clerk.lines[0].get_data()
    at = np.asarray(x, dtype=float)
    level = np.asarray(y, dtype=float)
    for h, expected in [(8.5, 0), (9.5, 1), (16.5, 1), (17.5, 0), (4 * 24 + 10, 1), (130, 0)]:
        assert level[np.searchsorted(at, h, side="right") - 1] == pytest.approx(expected), h
    agent_levels = {round(float(np.max(line.get_ydata()))) for line in agent.lines}
    assert agent_levels == {2, 3}
    flat = describe_model(validate_model(mm1(0.5, horizon=10)))
    assert not week_varies({"current": flat})


def test_stage_time_shares_add_up_with_parallel_branches() -> None:
    """Parallel branches B and C overlap, so the shares of cycle time add up to 130%; as
    shares of the summed stage time they are 0.5/1.3, 0.4/1.3, 0.4/1.3 (adding up to 1), the
    stage with no time is left out, and time per case is share x mean cycle time (10 h)."""
    summary = pd.DataFrame(
        {
            "scenario": "current",
            "metric": ["time_share"] * 4 + ["cycle_time_mean"],
            "entity": ["A", "B", "C", "D", ""],
            "mean": [0.5, 0.4, 0.4, 0.0, 10.0],
        }
    )
    got = stage_time(summary)
    assert got["stage"].tolist() == ["A", "B", "C"]
    assert got["share"].tolist() == pytest.approx([0.5 / 1.3, 0.4 / 1.3, 0.4 / 1.3])
    assert got["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert got["per_case"].tolist() == pytest.approx([5.0, 4.0, 4.0])
    # With replications: A is 40% of 10 h and 60% of 20 h, so 4 h and 12 h: 8 h per case
    # on average (the product of the means, 50% x 15 h, would say 7.5 h).
    kpis = pd.DataFrame(
        {
            "scenario": "current",
            "replication": [0, 0, 1, 1],
            "metric": ["time_share", "cycle_time_mean"] * 2,
            "entity": ["A", "", "A", ""],
            "value": [0.4, 10.0, 0.6, 20.0],
        }
    )
    one = summary[summary["entity"].isin(["A", ""])].assign(mean=[0.5, 15.0])
    assert stage_time(one, kpis)["per_case"].tolist() == pytest.approx([8.0])
    fig = plot_time_pareto(summary)
    (ax,) = [a for a in fig.axes if a.get_visible()]
    assert ax.get_ylim() == (0.0, 100.0)
    assert len(ax.patches) == 3  # no bar for D


def test_long_tailed_cycle_times_get_a_log_axis_and_wip_a_legend_per_band() -> None:
    """97 cases of 10 h and 3 of 4,000 h: on a linear axis 97% of the cases would sit in the
    first 0.25% of it. Exponential cycle times (longest about 3x the P90 for 1,000 values) keep
    a linear axis. The WIP legend has one entry per scenario (its band and line), no shared
    grey swatch."""
    rng = np.random.default_rng(1)
    heavy = np.r_[np.full(97, 10.0), np.full(3, 4000.0)]
    assert _long_tail(heavy)
    assert not _long_tail(rng.exponential(10.0, 1000))

    def cases(times: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "scenario": "current",
                "replication": 0,
                "case_id": np.arange(times.size),
                "arrival_time": 0.0,
                "completion_time": times,
            }
        )

    (ax,) = plot_cycle_time_distribution(cases(heavy)).axes
    assert ax.get_xscale() == "log" and "log scale" in ax.get_xlabel()
    (ax,) = plot_cycle_time_distribution(cases(rng.exponential(10.0, 1000))).axes
    assert ax.get_xscale() == "linear"
    two = pd.concat([cases(heavy), cases(heavy).assign(scenario="faster")], ignore_index=True)
    fig = plot_wip_over_time(two, end=5000.0)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["current", "faster"]


def test_five_redesigns_fit_a_printed_page() -> None:
    """Five redesigns: the KPI-change chart and the Pareto (six panels) stay within the A4
    height (7 in wide, at most 9.7 in tall: 184 x 255 mm fits the 184 x 267 mm print area at
    full width)."""
    names = [f"r{i}" for i in range(5)]
    metrics = ["throughput_per_day", "completed", "open", "cycle_time_mean", "cycle_time_p50",
               "cycle_time_p90", "cycle_time_p95", "wip_mean", "first_pass_yield",
               "cycle_efficiency", "cost_per_case"]  # fmt: skip
    comparison = pd.DataFrame(
        [(s, m, "", 1.0, -0.1, -0.2, 0.0, True) for s in names for m in metrics],
        columns=["scenario", "metric", "entity", "before", "diff", "diff_low", "diff_high",
                 "significant"],
    )  # fmt: skip
    summary = pd.DataFrame(
        [(s, "time_share", st, 0.25) for s in ["current", *names] for st in "abcd"],
        columns=["scenario", "metric", "entity", "mean"],
    )
    for fig in (plot_kpi_differences(comparison), plot_time_pareto(summary)):
        # The bound worked out above, not style.MAX_HEIGHT: raising that constant must fail.
        assert fig.get_figheight() <= 9.7
