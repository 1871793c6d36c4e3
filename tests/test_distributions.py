"""Distributions: analysts' parameters give the right moments and samples (checked against
closed forms and a KS test), and pickling keeps them intact for worker processes."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import special, stats

from procsim.model.distributions import parse_distribution


def build(spec: object):  # type: ignore[no-untyped-def]
    issues: list = []
    dist = parse_distribution(spec, "d", "hours", issues)
    assert dist is not None, issues
    return dist


WEIBULL_MEAN = 3 * special.gamma(1 + 1 / 1.5)

CASES = [
    # spec, exact mean, exact variance
    ({"dist": "constant", "value": 2.5}, 2.5, 0.0),
    ({"dist": "expon", "mean": 4}, 4, 16),
    ({"dist": "uniform", "low": 1, "high": 3}, 2, 4 / 12),
    ({"dist": "triangular", "low": 1, "mode": 2, "high": 6}, 3, (1 + 4 + 36 - 2 - 6 - 12) / 18),
    ({"dist": "lognormal", "mean": 30, "cv": 0.7}, 30, (0.7 * 30) ** 2),
    ({"dist": "gamma", "mean": 5, "cv": 0.5}, 5, 6.25),
    (
        {"dist": "weibull", "shape": 1.5, "scale": 3},
        WEIBULL_MEAN,
        9 * (special.gamma(1 + 2 / 1.5) - special.gamma(1 + 1 / 1.5) ** 2),
    ),
    (
        {"dist": "weibull", "shape": 1.5, "mean": WEIBULL_MEAN},
        WEIBULL_MEAN,
        9 * (special.gamma(1 + 2 / 1.5) - special.gamma(1 + 1 / 1.5) ** 2),
    ),
    ({"dist": "empirical", "values": [1, 2, 2, 7]}, 3, np.var([1, 2, 2, 7])),
    # Interpolated: the quantile function is piecewise linear; for [0, 0, 3] it is 0 on
    # [0, 1/2] and 6u - 3 on [1/2, 1]: mean 3/4, E[X^2] = 3/2.
    ({"dist": "empirical", "values": [0, 0, 3], "interpolate": True}, 0.75, 1.5 - 0.75**2),
]


@pytest.mark.parametrize(("spec", "mean", "var"), CASES)
def test_moments_match_closed_forms(spec: dict, mean: float, var: float) -> None:
    dist = build(spec)
    assert dist.mean == pytest.approx(mean, rel=1e-9)
    assert dist.var == pytest.approx(var, rel=1e-9, abs=1e-12)
    sample = dist.sample(np.random.default_rng(7), 200_000)
    assert sample.min() >= 0
    assert sample.mean() == pytest.approx(mean, rel=0.02)


def test_truncated_normal_matches_its_closed_form_mean() -> None:
    mu, sd = 1.0, 2.0
    alpha = -mu / sd
    exact = mu + sd * stats.norm.pdf(alpha) / (1 - stats.norm.cdf(alpha))
    dist = build({"dist": "normal", "mean": mu, "sd": sd})
    assert dist.mean == pytest.approx(exact)
    assert dist.sample(np.random.default_rng(1), 100_000).min() >= 0


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        (
            {"dist": "lognormal", "mean": 2, "cv": 1.5},
            stats.lognorm(s=math.sqrt(math.log(1 + 1.5**2)), scale=2 / math.sqrt(1 + 1.5**2)),
        ),
        ({"dist": "gamma", "mean": 2, "cv": 0.5}, stats.gamma(a=4, scale=0.5)),
        ({"dist": "expon", "mean": 3}, stats.expon(scale=3)),
    ],
)
def test_samples_follow_the_distribution(spec: dict, reference: object) -> None:
    sample = build(spec).sample(np.random.default_rng(11), 20_000)
    assert stats.kstest(sample, reference.cdf).pvalue > 0.01  # type: ignore[attr-defined]


def test_time_strings_and_aliases() -> None:
    d = build({"dist": "exponential", "mean": "30min"})
    assert (d.family, d.mean) == ("expon", 0.5)
    assert build("2h").mean == 2.0  # a bare time is a constant


def test_pickled_distribution_draws_the_same_numbers() -> None:
    d = build({"dist": "gamma", "mean": 5, "cv": 0.3})
    u = np.random.default_rng(0).random(100)
    assert np.array_equal(pickle.loads(pickle.dumps(d)).ppf(u), d.ppf(u))


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "expon", "mean": 0},
        {"dist": "uniform", "low": 3, "high": 1},
        {"dist": "uniform", "low": -1, "high": 1},
        {"dist": "gamma", "mean": 1, "cv": -2},
        {"dist": "normal", "mean": 1, "sd": 0},
        {"dist": "empirical", "values": []},
        {"dist": "empirical", "values": [1, -2]},
        {"dist": "constant", "value": "soon"},
        {"dist": "lognormal", "mean": 1, "cv": 0.5, "sigma": 1},
        {"mean": 1},
        [1, 2],
    ],
)
def test_out_of_domain_parameters_are_issues_not_exceptions(spec: object) -> None:
    issues: list = []
    assert parse_distribution(spec, "stage.duration", "hours", issues) is None
    assert issues and all(i.path.startswith("stage.duration") for i in issues)
