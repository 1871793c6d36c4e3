"""Intervals that respect their quantity's range: a relative change of a count or a time never
falls below -100%, a proportion's CI stays in [0, 1], a time's CI never goes below 0."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.measure.stats import compare, ratio_interval, summarize


def _tidy(scenario: str, metric: str, values: np.ndarray, entity: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": scenario,
            "replication": np.arange(values.size),
            "metric": metric,
            "entity": entity,
            "value": values,
        }
    )


def test_a_count_that_falls_sharply_stays_above_minus_100_percent() -> None:
    # The shape of the reported case: open cases fall by ~84% with a skewed, noisy baseline,
    # where the t interval of the difference scaled by the baseline reached -102.5%.
    before = np.array([3.0, 40.0, 5.0, 60.0, 4.0, 2.0, 30.0, 8.0, 3.0, 45.0])
    after = np.array([1.0, 2.0, 0.0, 3.0, 1.0, 0.0, 9.0, 3.0, 0.0, 12.0])
    kpis = pd.concat([_tidy("current", "open", before), _tidy("new", "open", after)])
    row = compare(kpis, "current", "new").iloc[0]
    t_low = (row["diff_low"]) / before.mean() * 100
    assert t_low < -100  # the old interval was impossible
    assert -100 < row["change_low_pct"] < row["change_pct"] < row["change_high_pct"]


def test_the_ratio_interval_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    # Paired lognormal replications with a known ratio of means (0.3), 10 pairs each.
    rng = np.random.default_rng(7)
    hits, trials = 0, 2000
    for _ in range(trials):
        common = rng.normal(size=10)
        b = np.exp(1.0 + 0.5 * common + 0.2 * rng.normal(size=10))
        a = 0.3 * np.exp(1.0 + 0.5 * common + 0.2 * rng.normal(size=10))
        low, high = ratio_interval(a, b)
        hits += low <= 0.3 <= high
    assert 0.92 <= hits / trials <= 0.975, hits / trials


def test_all_cases_closed_is_exactly_minus_100_percent_and_never_below() -> None:
    before = np.array([3.0, 40.0, 5.0, 60.0])
    kpis = pd.concat([_tidy("current", "open", before), _tidy("new", "open", 0 * before)])
    row = compare(kpis, "current", "new").iloc[0]
    assert row["change_pct"] == -100.0
    assert row["change_low_pct"] >= -100.0


def test_proportion_and_time_intervals_stay_in_range() -> None:
    share = np.array([1.0, 1.0, 1.0, 0.9, 1.0, 1.0])
    wait = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 3.0])
    kpis = pd.concat(
        [
            _tidy("current", "sla_attainment", share, "fast"),
            _tidy("current", "wait_mean", wait, "check"),
        ]
    )
    summary = summarize(kpis).set_index("metric")
    assert summary.loc["sla_attainment", "ci_high"] == 1.0
    assert summary.loc["sla_attainment", "ci_low"] < summary.loc["sla_attainment", "mean"]
    assert summary.loc["wait_mean", "ci_low"] == 0.0
    # The mean +- half-width of both would have left the range.
    assert (summary["mean"] + summary["half_width"]).loc["sla_attainment"] > 1
    assert (summary["mean"] - summary["half_width"]).loc["wait_mean"] < 0
