"""The automatic warm-up on M/M/1 at rho = 0.9 lasts at least of the order of the relaxation
time ``1 / (mu (1 - sqrt(rho))^2)`` (Morse 1955; about 380 service times), from an empty and
from a full start; MSER-5 alone cut the first batch (1% of the run) or nothing.

The work-in-progress paths are drawn here by an independent birth-death simulation (not by
procsim's engine), sampled on the same 500-point grid as ``run.warmup: auto``."""

from __future__ import annotations

import numpy as np
import pytest

from procsim.measure.warmup import autocorrelation_time, mser, warmup_of_paths

LAM, MU = 0.9, 1.0
RELAXATION = 1 / (MU * (1 - np.sqrt(LAM / MU)) ** 2)


def birth_death(rng: np.random.Generator, start: int, grid: np.ndarray) -> np.ndarray:
    """Number in an M/M/1 system at the grid times, from ``start`` cases at time 0."""
    out = np.empty(grid.size)
    t, n, i = 0.0, start, 0
    while i < grid.size:
        rate = LAM + (MU if n > 0 else 0.0)
        t_next = t + rng.exponential(1 / rate)
        j = int(np.searchsorted(grid, t_next, side="left"))
        out[i:j] = n
        i = max(i, j)
        t = t_next
        n += 1 if rng.random() < LAM / rate else -1
    return out


def paths(seed: int, start: int, horizon: float, replications: int = 10) -> np.ndarray:
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.0, horizon, 500, endpoint=False)
    return np.array([birth_death(rng, start, grid) for _ in range(replications)])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("start", "horizon", "share"),
    [(0, 20_000, 0.5), (60, 20_000, 0.5), (0, 2_000, 0.25), (60, 2_000, 0.5)],
    ids=["empty-20000", "full-20000", "empty-2000", "full-2000"],
)
def test_auto_warmup_lasts_about_the_relaxation_time(
    start: int, horizon: float, share: float
) -> None:
    chosen = [warmup_of_paths(paths(seed, start, horizon), horizon / 500) for seed in range(6)]
    # A short run estimates the autocorrelation time low: a quarter is the bound there.
    assert min(chosen) >= share * RELAXATION, chosen
    assert max(chosen) <= horizon / 2


def test_mser5_alone_stops_short_of_the_relaxation_time() -> None:
    """Why the autocorrelation floor is needed: the failure it fixes, reproduced."""
    cut = [mser(paths(seed, 0, 20_000).mean(axis=0)) * 40 for seed in range(3)]
    assert min(cut) < 0.5 * RELAXATION, cut


def test_autocorrelation_time_of_an_ar1_series() -> None:
    # AR(1) with coefficient phi sampled every step: integral of rho = step (1 + phi)/(2 (1 - phi)).
    rng = np.random.default_rng(1)
    phi, n = 0.9, 20_000
    noise = rng.normal(size=(4, n))
    x = np.zeros((4, n))
    for k in range(1, n):
        x[:, k] = phi * x[:, k - 1] + noise[:, k]
    expected = 2.0 * (1 + phi) / (2 * (1 - phi))
    assert autocorrelation_time(x, 2.0) == pytest.approx(expected, rel=0.15)
    assert autocorrelation_time(np.ones((2, 100)), 1.0) == 0.0
