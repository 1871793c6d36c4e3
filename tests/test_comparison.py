"""The comparison is honest: no false alarms beyond the stated rate, known improvements found
with the right sign and size, common random numbers tighten the paired CI; and the machinery
behind it (MSER-5 warm-up, precision target, Bonferroni, ranking) does what it says."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import procsim
from helpers import mm1, two_stage
from procsim.measure.stats import bonferroni_level, compare, replications_needed, t_interval
from procsim.measure.warmup import mser


def renamed(config: dict[str, Any]) -> dict[str, Any]:
    """The same M/M/1 with its stage renamed: same distributions, independent service draws."""
    out = copy.deepcopy(config)
    out["process"]["stages"] = {"serve_again": out["process"]["stages"]["serve"]}
    out["process"]["start"] = "serve_again"
    return out


@pytest.mark.slow
def test_an_equivalent_redesign_is_flagged_in_about_five_percent_of_seeds() -> None:
    significant = 0
    seeds = 100
    for seed in range(seeds):
        base = mm1(rho=0.5, horizon=300, warmup=20, replications=10, seed=seed)
        study = procsim.from_configs({"current": base, "same": renamed(base)})
        models, run = study.build()
        from procsim.study.runner import run_study

        kpis = run_study(models, run).kpis
        row = compare(kpis, "current", "same").query("metric == 'cycle_time_mean'")
        significant += int(row["significant"].item())
    # Binomial(100, 0.05): P(X <= 12) > 0.998 and P(X >= 1) > 0.99.
    assert 1 <= significant <= 12, significant


def pooling_configs() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two M/M/1 queues fed half of the arrivals each, and the same work pooled on M/M/2."""
    lam = 1.6
    current = {
        "process": {
            "name": "separate",
            "start": "split",
            "stages": {
                "split": {"role": None, "duration": 0, "next": {"a": 0.5, "b": 0.5}},
                "a": {"role": "team_a", "duration": {"dist": "expon", "mean": 1}},
                "b": {"role": "team_b", "duration": {"dist": "expon", "mean": 1}},
            },
        },
        "staffing": {"team_a": 1, "team_b": 1},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / lam}},
        "run": {"horizon": 20000, "warmup": 1000, "replications": 10, "seed": 2},
    }
    pooled = copy.deepcopy(current)
    pooled["process"]["stages"] = {
        "split": {"role": None, "duration": 0, "next": "pool"},
        "pool": {"role": "pool", "duration": {"dist": "expon", "mean": 1}},
    }
    pooled["staffing"] = {"pool": 2}
    return current, pooled


@pytest.mark.slow
def test_pooling_two_queues_is_found_with_the_theoretical_sign_and_size() -> None:
    lam, mu = 1.6, 1.0
    w_separate = 1 / (mu - lam / 2)  # M/M/1 at rate lam/2: 5
    a = lam / mu
    erlang_c = (a**2 / 2 / (1 - a / 2)) / (1 + a + a**2 / 2 / (1 - a / 2))
    w_pooled = 1 / mu + erlang_c / (2 * mu - lam)  # M/M/2: 2.78
    current, pooled = pooling_configs()
    results = procsim.run(procsim.from_configs({"current": current, "pooled": pooled}))
    row = results.comparison.query("metric == 'cycle_time_mean'").iloc[0]
    assert row["significant"] and row["verdict"] == "better"
    assert row["diff_low"] <= w_pooled - w_separate <= row["diff_high"]
    means = results.summary.query("metric == 'cycle_time_mean'").set_index("scenario")
    assert means.loc["current", "ci_low"] <= w_separate <= means.loc["current", "ci_high"]
    assert means.loc["pooled", "ci_low"] <= w_pooled <= means.loc["pooled", "ci_high"]


def test_common_random_numbers_shrink_the_paired_interval() -> None:
    current = two_stage()
    current["run"].update(horizon=2000, replications=12)
    redesign = copy.deepcopy(current)
    redesign["process"]["stages"]["wait_customer"]["next"] = {"decide": 0.9, "review": 0.1}
    crn = procsim.run(procsim.from_configs({"current": current, "less_rework": redesign}))
    crn_row = crn.comparison.query("metric == 'cycle_time_mean'").iloc[0]
    crn_half = (crn_row["diff_high"] - crn_row["diff_low"]) / 2

    independent = copy.deepcopy(redesign)
    independent["run"]["seed"] = current["run"]["seed"] + 1000
    base = procsim.run(procsim.from_configs({"current": current}))
    other = procsim.run(procsim.from_configs({"current": independent}))

    def cycle(r: procsim.Results) -> np.ndarray:
        k = r.kpis.query("metric == 'cycle_time_mean'").sort_values("replication")
        return k["value"].to_numpy()

    _, _, _, independent_half = t_interval(cycle(other) - cycle(base))
    assert crn_half < 0.6 * independent_half, (crn_half, independent_half)


def test_mser5_truncates_a_transient() -> None:
    rng = np.random.default_rng(3)
    step = np.r_[np.full(50, 10.0), rng.normal(0, 1, 450)]
    assert mser(step) == 50
    assert mser(rng.normal(0, 1, 500)) <= 50  # stationary: little or nothing to cut
    assert mser(np.arange(10.0)) == 0  # too short to judge


def test_auto_warmup_is_estimated_and_excludes_the_empty_start() -> None:
    config = mm1(rho=0.9, horizon=3000, warmup="auto", replications=6, workers=1)
    results = procsim.run(procsim.from_configs({"current": config}))
    assert 0 < results.run.warmup < 1500
    assert any("MSER-5" in note for note in results.notes)
    arrived = results.summary.query("metric == 'arrived'")["mean"].item()
    assert arrived < 0.9 * 3000 * 0.999


def test_auto_warmup_is_short_when_customers_give_up() -> None:
    """Arrivals at 1.5x the service rate, but impatient customers and a queue of at most 8
    keep the system stable (at most 9 cases inside): there is no trend for MSER-5 to cut.
    Cases that gave up must not count as in the system for ever."""
    config = mm1(rho=1.5, horizon=3000, warmup="auto", replications=6, workers=1)
    config["process"]["stages"]["serve"]["patience"] = {"dist": "expon", "mean": 2.0}
    config["process"]["stages"]["serve"]["queue_capacity"] = 8
    results = procsim.run(procsim.from_configs({"current": config}))
    assert results.run.warmup < 0.05 * 3000
    assert not any("steady state" in note for note in results.notes)
    assert results.summary.query("metric == 'wip_mean'")["mean"].item() <= 9


def test_precision_target_adds_replications_until_reached() -> None:
    config = mm1(rho=0.7, horizon=2000, warmup=50, replications=3, precision=0.06)
    results = procsim.run(procsim.from_configs({"current": config}))
    assert results.run.replications > 3
    assert results.precision is not None
    assert results.precision["relative_half_width"].max() <= 0.06
    # The first replications are the same ones a plain run would have made.
    plain = procsim.run(
        procsim.from_configs({"current": mm1(rho=0.7, horizon=2000, warmup=50, replications=3)})
    )
    first = results.kpis.query("replication < 3").reset_index(drop=True)
    assert first.equals(plain.kpis)


def test_precision_cap_is_respected_and_reported() -> None:
    config = mm1(
        rho=0.9, horizon=200, warmup=0, replications=3, precision=0.001, max_replications=6
    )
    results = procsim.run(procsim.from_configs({"current": config}))
    assert results.run.replications == 6
    assert any("precision not reached" in w for w in results.warnings)


def test_replications_needed_follows_the_square_root_law() -> None:
    assert replications_needed(10, 0.10, 0.05) == 40
    assert replications_needed(10, 0.05, 0.05) == 10
    assert replications_needed(10, math.inf, 0.05) == 20


def test_bonferroni_keeps_the_familywise_level() -> None:
    assert bonferroni_level(0.95, 1) == pytest.approx(0.95)
    assert bonferroni_level(0.95, 4) == pytest.approx(0.9875)


def current_faster_slower() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A two-stage process, one with a third reviewer (faster), one with slower decisions."""
    current = two_stage()
    faster = copy.deepcopy(current)
    faster["staffing"]["reviewer"] = 3
    slower = copy.deepcopy(current)
    slower["process"]["stages"]["decide"]["duration"] = {"dist": "expon", "mean": 0.8}
    return current, faster, slower


def test_several_redesigns_are_ranked_and_corrected() -> None:
    current, faster, slower = current_faster_slower()
    results = procsim.run(
        procsim.from_configs({"current": current, "faster": faster, "slower": slower})
    )
    assert results.ranking is not None
    assert results.ranking["scenario"].tolist()[0] == "faster"
    assert results.ranking["scenario"].tolist()[-1] == "slower"
    assert results.comparison is not None
    assert np.allclose(results.comparison["level"], 1 - 0.05 / 2)
    verdicts = results.comparison.query("metric == 'cycle_time_mean'").set_index("scenario")
    assert verdicts.loc["faster", "verdict"] == "better"
    assert verdicts.loc["slower", "verdict"] == "worse"
    target = results.comparison.query("metric == 'cycle_time_mean'")
    assert (target["target"] == "<= 8.00 h").all()


def test_ranking_ties_redesigns_the_data_cannot_tell_apart(tmp_path: Any) -> None:
    """Two identical redesigns see the same random numbers, so every paired difference is 0:
    they must tie. Slower decisions (mean 0.8 h instead of 0.5 h at a manager already busy
    half the time) are clearly worse and must not tie with the best."""
    from procsim.review.report.build import build_report
    from procsim.review.terminal import terminal_table

    current, faster, slower = current_faster_slower()
    results = procsim.run(
        procsim.from_configs(
            {"current": current, "faster": faster, "faster_too": copy.deepcopy(faster),
             "slower": slower}
        )
    )  # fmt: skip
    assert results.ranking is not None
    rank = results.ranking.set_index("scenario")
    assert rank.index[0] in ("faster", "faster_too")
    assert bool(rank.loc["faster", "tied"]) and bool(rank.loc["faster_too", "tied"])
    assert rank.loc["faster_too", "vs_best"] == 0.0
    assert not bool(rank.loc["slower", "tied"]) and rank.loc["slower", "vs_best_low"] > 0
    line = terminal_table(
        results.summary, results.comparison, results.targets, results.models, results.ranking
    ).splitlines()
    ranked = next(x for x in line if x.startswith("ranked by"))
    assert "faster_too (" in ranked and "tied with 1." in ranked
    assert "slower" in ranked and "slower (" in ranked
    assert "tied with 1." not in ranked.split("slower (")[1].split(")")[0]
    _, md = build_report(results.save(tmp_path / "run"))
    text = md.read_text(encoding="utf-8")
    assert "tied with faster" in text and "vs the best" in text


def test_counts_that_restate_the_cycle_time_are_never_called_better() -> None:
    """Same arrivals, a faster redesign: a few more completions inside the window and fewer
    open cases at the end, in every replication. That is reported as a change, not as an
    improvement of its own; the cycle time itself is 'better'."""
    rows = []
    for rep, (before, after) in enumerate([(10.0, 10.2), (11.0, 11.2), (9.0, 9.21)]):
        for scenario, tp, ct in (("current", before, 5.0 + rep), ("faster", after, 3.0 + rep)):
            rows += [
                (scenario, rep, "throughput_per_day", "", tp),
                (scenario, rep, "completed", "", tp * 10),
                (scenario, rep, "open", "", 20 - tp),
                (scenario, rep, "cycle_time_mean", "", ct),
            ]
    kpis = pd.DataFrame(rows, columns=["scenario", "replication", "metric", "entity", "value"])
    verdict = compare(kpis, "current", "faster").set_index("metric")["verdict"]
    assert verdict["cycle_time_mean"] == "better"
    for metric in ("throughput_per_day", "completed", "open"):
        assert verdict[metric] == "changed", metric
