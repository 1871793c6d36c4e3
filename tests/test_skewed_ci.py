"""The interval of a mean over skewed replications: a 20-hour M/M/1 pilot from empty at
rho = 0.9, 10 replications, against the exact transient time-average work in progress from the
Markov chain. The replications are drawn by an independent birth-death simulation here; the
end-to-end figure through the engine is in tests/test_coverage.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from procsim.measure.skewed_ci import bootstrap_t, mean_interval, skewness_z
from procsim.measure.stats import t_interval

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import ci_coverage as experiment

LAM, MU, HORIZON = 0.9, 1.0, 20.0


def time_average_wip(rng: np.random.Generator) -> float:
    """(1/T) int_0^T N(t) dt of one M/M/1 path from empty."""
    t, n, area = 0.0, 0, 0.0
    while True:
        rate = LAM + (MU if n else 0.0)
        step = rng.exponential(1 / rate)
        if t + step >= HORIZON:
            return (area + n * (HORIZON - t)) / HORIZON
        area += n * step
        t += step
        n += 1 if rng.random() < LAM / rate else -1


@pytest.fixture(scope="module")
def pilots() -> np.ndarray:
    rng = np.random.default_rng(2024)
    return np.array([[time_average_wip(rng) for _ in range(10)] for _ in range(1000)])


def test_the_exact_transient_value_matches_a_long_simulation(pilots: np.ndarray) -> None:
    truth = experiment.PILOT.truth()["wip_mean"]
    assert pilots.mean() == pytest.approx(truth, abs=4 * pilots.std() / np.sqrt(pilots.size))


def test_skew_aware_intervals_cover_the_exact_transient_value(pilots: np.ndarray) -> None:
    truth = experiment.PILOT.truth()["wip_mean"]
    hits = t_hits = boot = 0
    for x in pilots:
        mean, _sd, _n, low, high, method = mean_interval(x)
        hits += low <= truth <= high
        boot += method == "bootstrap-t"
        _m, _s, _n, half = t_interval(x)
        t_hits += mean - half <= truth <= mean + half
    # The t interval alone undercovers (about 91%, misses below the truth); the chosen one
    # reaches the 93% asked of it.
    assert t_hits / len(pilots) < 0.925, t_hits
    assert hits / len(pilots) >= 0.93, (hits, boot)
    assert boot > len(pilots) / 2


def test_symmetric_replications_keep_the_t_interval_and_its_coverage() -> None:
    rng = np.random.default_rng(11)
    hits = boot = 0
    for _ in range(2000):
        x = rng.normal(5.0, 1.0, size=10)
        _mean, _sd, _n, low, high, method = mean_interval(x)
        hits += low <= 5.0 <= high
        boot += method == "bootstrap-t"
    assert 0.94 <= hits / 2000 <= 0.97, hits
    assert boot < 2000 * 0.4


def test_bootstrap_t_reaches_further_on_the_long_side() -> None:
    x = np.array([1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.3, 1.1, 6.0, 0.9])
    assert skewness_z(x) > 1
    mean = x.mean()
    low, high = bootstrap_t(x)
    assert high - mean > mean - low
    assert bootstrap_t(x) == (low, high)  # seeded: the same replications, the same interval
    assert mean_interval(x)[-1] == "bootstrap-t"
    assert mean_interval(np.full(10, 2.0))[-1] == "t"
