"""Invariants of the simulated event logs, and reproducibility.

These hold for every run, whatever the distributions, so they are checked on the raw logs
(``StudyResults.visits`` and ``.cases``) of a small process with rework, a pure-delay stage and
three roles, two of them with several servers:

* Little's law ``L = lam W``: the time-average number of open cases in the window equals the
  arrival rate times the mean time in system (up to edge effects of a finite window);
* conservation of cases: ``arrived = completed + open``;
* capacity: a role never has more visits in progress at once than its head count, and one
  person (``<role>-<k>``, ``k <= head count``) never does two visits at once;
* causality: a visit is enabled no earlier than its case arrived, starts no earlier than it
  was enabled and ends no earlier than it started; a case's first visit is enabled at its
  arrival, each later visit when the previous one ended, and a case completes when its last
  visit ends.

Reproducibility: the same seed gives the same tables (byte for byte), whatever the number of
worker processes; another seed gives other tables.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from procsim.model.validate import validate
from procsim.study.collect import StudyResults
from procsim.study.runner import run_study

STAFFING = {"clerk": 3, "expert": 2, "manager": 1}
START = "intake"
HORIZON, WARMUP = 4000.0, 200.0

#: intake -> review -> {wait_customer 0.2 (then review again), intake 0.1 (rework), approve 0.7}.
#: Visit ratios: review 1/0.7, intake 1 + 0.1/0.7, wait_customer 0.2/0.7, approve 1. With one
#: arrival per hour the loads per person are clerk 0.76, expert 0.64, manager 0.57.
CONFIG: dict[str, Any] = {
    "process": {
        "start": START,
        "stages": {
            "intake": {
                "role": "clerk",
                "duration": {"dist": "expon", "mean": 2.0},
                "next": "review",
            },
            "review": {
                "role": "expert",
                "duration": {"dist": "gamma", "mean": 0.9, "cv": 0.5},
                "value": "value_adding",
                "next": {"wait_customer": 0.2, "intake": 0.1, "approve": 0.7},
            },
            "wait_customer": {
                "role": None,
                "duration": {"dist": "expon", "mean": 5.0},
                "next": "review",
            },
            "approve": {
                "role": "manager",
                "duration": {"dist": "triangular", "low": 0.2, "mode": 0.5, "high": 1.0},
                "next": "end",
            },
        },
    },
    "staffing": STAFFING,
    "arrivals": {"interarrival": {"dist": "expon", "mean": 1.0}},
    "run": {"horizon": HORIZON, "warmup": WARMUP, "replications": 4, "seed": 11, "workers": 1},
}


def run_config(config: dict[str, Any], **run: Any) -> StudyResults:
    """Run ``config`` with some run settings replaced."""
    config = copy.deepcopy(config)
    config["run"].update(run)
    model, settings = validate(config)
    return run_study({"model": model}, settings)


@pytest.fixture(scope="module")
def results() -> StudyResults:
    res = run_config(CONFIG)
    assert res.warnings == []  # in particular no role is overloaded
    return res


def kpi_values(res: StudyResults, metric: str) -> pd.Series:
    """Per-replication values of a process-wide KPI, indexed by replication."""
    k = res.kpis
    return k[(k["metric"] == metric) & (k["entity"] == "")].set_index("replication")["value"]


def per_replication(frame: pd.DataFrame) -> list[tuple[int, pd.DataFrame]]:
    return [(int(rep), g) for rep, g in frame.groupby("replication", sort=True)]


# --------------------------------------------------------------------------------------------
# Little's law and conservation of cases
# --------------------------------------------------------------------------------------------


def time_average_wip(arrival: np.ndarray, completion: np.ndarray, w0: float, w1: float) -> float:
    """(1 / (w1 - w0)) · integral over [w0, w1] of the number of open cases.

    Each case is open on [arrival, completion) (completion = w1 while still open); its
    contribution is the length of the overlap of that interval with the window.
    """
    leave = np.where(np.isnan(completion), w1, completion)
    overlap = np.clip(np.minimum(leave, w1) - np.maximum(arrival, w0), 0.0, None)
    return float(overlap.sum() / (w1 - w0))


def test_littles_law(results: StudyResults) -> None:
    w0, w1 = WARMUP, HORIZON
    wip_kpi = kpi_values(results, "wip_mean")
    for rep, cases in per_replication(results.cases):
        arr = cases["arrival_time"].to_numpy()
        comp = cases["completion_time"].to_numpy()
        wip = time_average_wip(arr, comp, w0, w1)
        in_window = (arr >= w0) & (arr < w1)
        lam = in_window.sum() / (w1 - w0)
        done = in_window & ~np.isnan(comp)
        w = float((comp[done] - arr[done]).mean())
        # The KPI is the same time average, computed independently here.
        assert wip_kpi[rep] == pytest.approx(wip, rel=1e-9), f"replication {rep}"
        # L = lam W, up to edge effects of the window (well under 1% here).
        assert wip == pytest.approx(lam * w, rel=0.02), (
            f"replication {rep}: L = {wip:.4f} but lam W = {lam:.4f} * {w:.4f} = {lam * w:.4f}"
        )


def test_conservation_of_cases(results: StudyResults) -> None:
    arrived, completed, open_ = (kpi_values(results, m) for m in ("arrived", "completed", "open"))
    pd.testing.assert_series_equal(arrived, completed + open_, check_names=False)
    for rep, cases in per_replication(results.cases):
        arr = cases["arrival_time"].to_numpy()
        comp = cases["completion_time"].to_numpy()
        in_window = (arr >= WARMUP) & (arr < HORIZON)
        assert arrived[rep] == in_window.sum()
        assert completed[rep] == (in_window & ~np.isnan(comp)).sum()
        assert open_[rep] == (in_window & np.isnan(comp)).sum()
        # Every case is either complete (no later than the horizon) or still open.
        assert (comp[~np.isnan(comp)] <= HORIZON).all()
        assert (comp[~np.isnan(comp)] >= arr[~np.isnan(comp)]).all()
        # Case ids are 0..n-1 in arrival order.
        assert (cases["case_id"].to_numpy() == np.arange(len(cases))).all()
        assert (np.diff(arr) > 0).all()


def test_every_case_has_visits_and_every_visit_a_case(results: StudyResults) -> None:
    keys = ["replication", "case_id"]
    case_keys = results.cases[keys].drop_duplicates()
    visit_keys = results.visits[keys].drop_duplicates()
    assert len(case_keys) == len(results.cases)
    merged = case_keys.merge(visit_keys, on=keys, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()


# --------------------------------------------------------------------------------------------
# Capacity
# --------------------------------------------------------------------------------------------


def max_concurrent(start: np.ndarray, end: np.ndarray) -> int:
    """Most intervals [start, end) open at one moment (sweep line; an end at t frees its slot
    before a start at t, as when a server is handed straight to the next visit)."""
    if start.size == 0:
        return 0
    starts = np.sort(start)
    ends = np.sort(np.where(np.isnan(end), np.inf, end))  # still in progress: busy to the end
    busy_at_each_start = np.arange(1, starts.size + 1) - np.searchsorted(ends, starts, side="right")
    return int(busy_at_each_start.max())


def test_max_concurrent_helper() -> None:
    nan = np.nan
    assert max_concurrent(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0])) == 1
    assert max_concurrent(np.array([0.0, 0.5, 0.7]), np.array([1.0, nan, 0.8])) == 3
    assert max_concurrent(np.array([0.0, 0.5, 2.0]), np.array([1.0, 1.5, nan])) == 2


def test_no_role_exceeds_its_head_count(results: StudyResults) -> None:
    started = results.visits.dropna(subset=["start_time"])
    for role, servers in STAFFING.items():
        for rep, v in per_replication(started[started["role"] == role]):
            peak = max_concurrent(v["start_time"].to_numpy(), v["end_time"].to_numpy())
            assert 1 <= peak <= servers, f"{role} in replication {rep}: {peak} > {servers}"
            if servers > 1:
                assert peak == servers, f"{role} never fully busy at load > 0.5?"


def test_one_person_does_one_visit_at_a_time(results: StudyResults) -> None:
    started = results.visits.dropna(subset=["start_time"])
    staffed = started[started["resource"] != ""]
    for (rep, resource), v in staffed.groupby(["replication", "resource"], observed=True):
        v = v.sort_values("start_time")
        start, end = v["start_time"].to_numpy(), v["end_time"].to_numpy()
        # Only the last visit of a person may still be in progress.
        assert not np.isnan(end[:-1]).any(), f"{resource} in replication {rep}"
        assert (start[1:] >= end[:-1]).all(), f"{resource} overlaps in replication {rep}"


def test_resource_names(results: StudyResults) -> None:
    v = results.visits
    role = v["role"].astype(str)
    resource = v["resource"].astype(str)
    started = v["start_time"].notna()
    pure_delay = role == ""
    # Pure delays and visits still waiting have no resource.
    assert (resource[pure_delay | ~started] == "").all()
    staffed = v[started & ~pure_delay]
    assert len(staffed) > 0
    pattern = re.compile(r"^(?P<role>.+)-(?P<k>[1-9][0-9]*)$")
    for name, r in zip(staffed["resource"].astype(str), staffed["role"].astype(str), strict=True):
        m = pattern.match(name)
        assert m is not None, f"resource {name!r} is not <role>-<k>"
        assert m["role"] == r, f"resource {name!r} on a visit of role {r!r}"
        assert 1 <= int(m["k"]) <= STAFFING[r], f"resource {name!r}: k > head count"
    # Every person of every role works at some point in a run this long.
    used = set(staffed["resource"].astype(str))
    assert used == {f"{r}-{k}" for r, n in STAFFING.items() for k in range(1, n + 1)}


def test_pure_delay_has_no_role_and_never_waits(results: StudyResults) -> None:
    v = results.visits
    delay = v[v["activity"] == "wait_customer"]
    assert len(delay) > 0
    assert (delay["role"].astype(str) == "").all()
    assert (delay["start_time"] == delay["enabled_time"]).all()


# --------------------------------------------------------------------------------------------
# Causality and the order of visits within a case
# --------------------------------------------------------------------------------------------


def test_visit_times_are_causal(results: StudyResults) -> None:
    v = results.visits.merge(
        results.cases, on=["scenario", "replication", "case_id"], how="left", validate="many_to_one"
    )
    assert v["arrival_time"].notna().all()
    started = v["start_time"].notna()
    ended = v["end_time"].notna()
    assert v["enabled_time"].notna().all()
    assert (v["enabled_time"] >= v["arrival_time"]).all()
    assert (v.loc[started, "start_time"] >= v.loc[started, "arrival_time"]).all()
    assert (v.loc[started, "start_time"] >= v.loc[started, "enabled_time"]).all()
    assert (v.loc[ended, "end_time"] >= v.loc[ended, "start_time"]).all()
    # A visit can only have ended if it started; nothing happens after the horizon.
    assert not (ended & ~started).any()
    for column in ("enabled_time", "start_time", "end_time"):
        assert (v[column].dropna() <= HORIZON).all()


def test_visits_of_a_case_form_a_chain(results: StudyResults) -> None:
    v = results.visits.sort_values(["replication", "case_id", "enabled_time"], kind="stable")
    v = v.merge(results.cases, on=["scenario", "replication", "case_id"], how="left")
    first = v.groupby(["replication", "case_id"], sort=False).head(1)
    # The first visit is at the start stage, enabled when the case arrived.
    assert (first["activity"] == START).all()
    assert (first["enabled_time"] == first["arrival_time"]).all()
    # Each later visit is enabled when the previous one of the same case ended.
    same_case = (v["replication"] == v["replication"].shift()) & (
        v["case_id"] == v["case_id"].shift()
    )
    previous_end = v["end_time"].shift()
    assert (v.loc[same_case, "enabled_time"] == previous_end[same_case]).all()
    # A completed case completes when its last visit ends; an open case's last visit has not.
    last = v.groupby(["replication", "case_id"], sort=False).tail(1)
    done = last["completion_time"].notna()
    assert (last.loc[done, "end_time"] == last.loc[done, "completion_time"]).all()
    assert last.loc[done, "activity"].eq("approve").all()
    assert last.loc[~done, "end_time"].isna().all()
    # ... and only the last visit of a case can be unfinished.
    assert v.loc[~v.index.isin(last.index), "end_time"].notna().all()


def test_time_shares_add_up_to_one(results: StudyResults) -> None:
    """The visits of a completed case tile [arrival, completion] (see the chain test above),
    so the stages' shares of total cycle time add up to 1 in every replication."""
    k = results.kpis
    shares = k[k["metric"] == "time_share"].groupby("replication")["value"].sum()
    assert len(shares) == results.run.replications
    assert shares.to_numpy() == pytest.approx(1.0, rel=1e-9)


# --------------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------------

SHORT = {"horizon": 600.0, "warmup": 50.0, "replications": 4}


@pytest.fixture(scope="module")
def short_run() -> Callable[..., StudyResults]:
    cache: dict[tuple[int, int], StudyResults] = {}

    def get(seed: int = 5, workers: int = 1) -> StudyResults:
        if (seed, workers) not in cache:
            cache[seed, workers] = run_config(CONFIG, seed=seed, workers=workers, **SHORT)
        return cache[seed, workers]

    return get


def assert_same_tables(a: StudyResults, b: StudyResults) -> None:
    for name in ("kpis", "visits", "cases"):
        left, right = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=name)
        assert left.to_csv(index=False) == right.to_csv(index=False), name


def test_same_seed_same_tables(short_run: Callable[..., StudyResults]) -> None:
    first = short_run(seed=5)
    again = run_config(CONFIG, seed=5, workers=1, **SHORT)
    assert_same_tables(first, again)


def test_workers_do_not_change_results(short_run: Callable[..., StudyResults]) -> None:
    assert_same_tables(short_run(seed=5, workers=1), short_run(seed=5, workers=2))


def test_other_seed_other_tables(short_run: Callable[..., StudyResults]) -> None:
    a, b = short_run(seed=5).kpis, short_run(seed=6).kpis
    assert not a.equals(b)
    assert a.to_csv(index=False) != b.to_csv(index=False)
    # Every replication differs, not just one.
    cycle_a, cycle_b = (
        k[k["metric"] == "cycle_time_mean"].set_index("replication")["value"] for k in (a, b)
    )
    assert (cycle_a != cycle_b).all()
    # Same seed, other replication: other streams too.
    assert cycle_a.nunique() == len(cycle_a)


def test_common_random_numbers_across_scenarios() -> None:
    """Two labels of the same model in one study see the same draws, replication by
    replication, so their KPI values are identical."""
    config = copy.deepcopy(CONFIG)
    config["run"].update(seed=5, **SHORT)
    model, settings = validate(config)
    res = run_study({"current": model, "copy": model}, settings)
    by_label = [
        res.kpis[res.kpis["scenario"] == s].drop(columns="scenario").reset_index(drop=True)
        for s in ("current", "copy")
    ]
    pd.testing.assert_frame_equal(*by_label, check_exact=True)
