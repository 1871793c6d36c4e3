"""The closed-form results used by the theory tests, checked against independent facts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from queueing import (
    cobham_wq,
    erlang_a,
    erlang_c,
    fork_join_nt,
    mm1_w,
    mmc_wq,
    pk_wq,
    preemptive_resume_w,
)


def test_cobham_one_class_is_pollaczek_khinchine() -> None:
    assert cobham_wq([0.6], [1.0], [3.0])[0] == pytest.approx(pk_wq(0.6, 1.0, 3.0))


def test_cobham_conserves_work_for_identical_classes() -> None:
    lams = [0.3, 0.5]
    waits = cobham_wq(lams, [1.0, 1.0], [2.0, 2.0])
    weighted = sum(lam * w for lam, w in zip(lams, waits, strict=True)) / sum(lams)
    assert weighted == pytest.approx(pk_wq(0.8, 1.0, 2.0))
    assert waits[0] < waits[1]


def test_preemptive_top_class_sees_an_mm1_of_its_own() -> None:
    lams = [0.3, 0.5]
    sojourn = preemptive_resume_w(lams, [1.0, 1.0], [2.0, 2.0])
    assert sojourn[0] == pytest.approx(mm1_w(0.3, 1.0))
    weighted = sum(lam * t for lam, t in zip(lams, sojourn, strict=True)) / sum(lams)
    assert weighted == pytest.approx(mm1_w(0.8, 1.0))  # identical exponential services


def test_fork_join_at_light_load_is_the_max_of_two_services() -> None:
    assert fork_join_nt(1e-9, 1.0) == pytest.approx(1.5)  # E[max of two Exp(1)]
    assert mm1_w(0.5, 1.0) < fork_join_nt(0.5, 1.0) < 1.5 * mm1_w(0.5, 1.0)


def test_erlang_a_without_abandonment_is_erlang_c() -> None:
    got = erlang_a(3.0, 1.0, 4, 1e-9)
    assert got["p_wait"] == pytest.approx(erlang_c(4, 3.0), rel=1e-5)
    assert got["wq_all"] == pytest.approx(mmc_wq(3.0, 1.0, 4), rel=1e-5)
    assert got["wq_served"] == pytest.approx(mmc_wq(3.0, 1.0, 4), rel=1e-4)


def test_erlang_a_identities() -> None:
    got = erlang_a(4.0, 1.0, 4, 0.5)
    # Abandonment counted two ways: theta L_q / lam and 1 - P(served) per arriving state.
    assert got["p_abandon"] == pytest.approx(1 - got["p_served_check"], rel=1e-9)
    assert got["throughput"] == pytest.approx(4.0 * (1 - got["p_abandon"]))


def test_erlang_a_against_a_small_monte_carlo() -> None:
    """A plain event-by-event simulation of M/M/c+M (FIFO), independent of procsim."""
    lam, mu, c, theta = 4.0, 1.0, 4, 0.5
    rng = np.random.default_rng(7)
    n = 200_000
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(1 / mu, n)
    patience = rng.exponential(1 / theta, n)
    free_at = np.zeros(c)  # when each server becomes free
    served_waits, abandoned = [], 0
    for t, s, pat in zip(arrivals, service, patience, strict=True):
        k = int(np.argmin(free_at))
        start = max(t, free_at[k])
        if start - t > pat:  # FIFO: later customers never delay an earlier one
            abandoned += 1
            continue
        free_at[k] = start + s
        served_waits.append(start - t)
    theory = erlang_a(lam, mu, c, theta)
    assert abandoned / n == pytest.approx(theory["p_abandon"], rel=0.05)
    assert float(np.mean(served_waits)) == pytest.approx(theory["wq_served"], rel=0.05)
    assert math.isfinite(theory["wq_served"])
