"""Fitting durations: samples from procsim's own distributions come back as the same family with
the same moments, the specs parse and reproduce the fitted distribution, and odd data (constant,
bimodal, zeros, negative, too few) get the right answer or a clear error."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pytest
from scipy import optimize, special, stats

from procsim.errors import FitError
from procsim.mining.durations import DEFAULT_FAMILIES, Candidate, fit_durations
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution


def build(spec: object) -> Distribution:
    issues: list[Any] = []
    dist = parse_distribution(spec, "d", "hours", issues)
    assert dist is not None, issues
    assert not issues
    return dist


def sample(spec: dict[str, Any], n: int = 2000, seed: int = 7) -> np.ndarray:
    return build(spec).sample(np.random.default_rng(seed), n)


def only(family: str, x: np.ndarray) -> Candidate:
    """The fit of one family, with no empirical fallback."""
    return fit_durations(x, families=(family,), ks_reject=None).chosen


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "lognormal", "mean": 2.0, "cv": 1.5},
        {"dist": "gamma", "mean": 5.0, "cv": 0.5},
        {"dist": "weibull", "shape": 2.5, "scale": 3.0},
        {"dist": "normal", "mean": 10.0, "sd": 2.0},
    ],
    ids=lambda s: s["dist"],
)
def test_round_trip_recovers_family_and_moments(spec: dict[str, Any]) -> None:
    truth = build(spec)
    fit = fit_durations(sample(spec))
    assert not fit.empirical_fallback
    assert fit.chosen.family == spec["dist"], fit.note
    got = build(fit.chosen.spec)
    assert got.mean == pytest.approx(truth.mean, rel=0.05)
    assert got.cv == pytest.approx(truth.cv, rel=0.10)
    # Ranked best first, and the chosen one heads the ranking.
    aics = [c.aic for c in fit.candidates]
    assert aics == sorted(aics)
    assert fit.candidates[0] == fit.chosen
    assert {c.family for c in fit.candidates} == set(DEFAULT_FAMILIES)


def test_exponential_data_prefer_the_simpler_family_or_shape_one() -> None:
    # Exponential is nested in gamma and Weibull (shape 1): their extra parameter buys only
    # noise here, which AIC's penalty of 2 usually outweighs.
    fit = fit_durations(sample({"dist": "expon", "mean": 3.0}))
    by_family = {c.family: c for c in fit.candidates}
    assert fit.chosen.family in ("expon", "gamma", "weibull"), fit.note
    assert by_family["expon"].aic - fit.chosen.aic < 4
    assert by_family["gamma"].spec["cv"] == pytest.approx(1.0, abs=0.1)
    assert by_family["weibull"].spec["shape"] == pytest.approx(1.0, abs=0.1)
    assert build(fit.chosen.spec).mean == pytest.approx(3.0, rel=0.05)
    # The nested family can never fit better than its generalizations.
    assert by_family["expon"].loglik <= by_family["gamma"].loglik + 1e-6
    assert by_family["expon"].loglik <= by_family["weibull"].loglik + 1e-6


def test_bic_penalizes_parameters_more() -> None:
    fit = fit_durations(sample({"dist": "expon", "mean": 3.0}), criterion="bic")
    assert fit.chosen.family == "expon"
    assert fit.criterion == "bic"
    assert "by BIC" in fit.note
    bics = [c.bic for c in fit.candidates]
    assert bics == sorted(bics)
    c = fit.chosen
    assert c.bic == pytest.approx(c.n_params * math.log(fit.n) - 2 * c.loglik)
    assert c.aic == pytest.approx(2 * c.n_params - 2 * c.loglik)


def test_truncated_normal_keeps_procsims_pre_truncation_parameters() -> None:
    # A quarter of this normal lies below 0: its truncated mean (3.3) and sd (2.3) differ a lot
    # from the mean and sd procsim's spec takes, which are those before truncation.
    spec = {"dist": "normal", "mean": 2.0, "sd": 3.0}
    truth = build(spec)
    x = sample(spec, n=4000)
    fitted = only("normal", x)
    assert fitted.spec["mean"] == pytest.approx(2.0, abs=0.3)
    assert fitted.spec["sd"] == pytest.approx(3.0, rel=0.05)
    got = build(fitted.spec)
    assert got.mean == pytest.approx(truth.mean, rel=0.03)
    assert got.var == pytest.approx(truth.var, rel=0.06)


def _truncnorm_nll(theta: np.ndarray, x: np.ndarray) -> float:
    mu, sd = theta
    if sd <= 0:
        return math.inf
    return float(-stats.truncnorm.logpdf(x, -mu / sd, np.inf, loc=mu, scale=sd).sum())


def _scipy_fit(family: str, x: np.ndarray) -> Any:
    """The same maximum-likelihood fit done independently with scipy, as a frozen distribution."""
    if family == "expon":
        return stats.expon(*stats.expon.fit(x, floc=0))
    if family == "gamma":
        return stats.gamma(*stats.gamma.fit(x, floc=0))
    if family == "lognormal":
        return stats.lognorm(*stats.lognorm.fit(x, floc=0))
    if family == "weibull":
        return stats.weibull_min(*stats.weibull_min.fit(x, floc=0))
    best = optimize.minimize(
        _truncnorm_nll,
        [x.mean(), x.std()],
        args=(x,),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
    )
    mu, sd = best.x
    return stats.truncnorm(-mu / sd, np.inf, loc=mu, scale=sd)


@pytest.mark.parametrize("family", DEFAULT_FAMILIES)
def test_spec_reproduces_the_scipy_fit(family: str) -> None:
    x = sample({"dist": "gamma", "mean": 4.0, "cv": 0.7}, n=800, seed=11)
    fitted = only(family, x)
    reference = _scipy_fit(family, x)
    got = build(fitted.spec)
    assert got.family == family
    # Within the rounding to 4 significant digits (and scipy's optimizer tolerance).
    assert got.mean == pytest.approx(reference.mean(), rel=2e-3)
    assert got.var == pytest.approx(reference.var(), rel=5e-3)
    # The likelihood is the maximum: at least scipy's, and what scipy computes at the spec.
    assert fitted.loglik >= reference.logpdf(x).sum() - 1e-3
    at_spec = float(np.sum(np.log(_pdf(got, x))))
    assert fitted.loglik == pytest.approx(at_spec, abs=0.05)
    assert fitted.ks == pytest.approx(stats.kstest(x, reference.cdf).statistic, abs=2e-3)
    assert 0 <= fitted.ks_pvalue <= 1


def _pdf(dist: Distribution, x: np.ndarray) -> np.ndarray:
    p = dist.params
    if dist.family == "expon":
        return np.asarray(stats.expon(scale=p["mean"]).pdf(x))
    if dist.family in ("gamma", "lognormal"):
        shape = 1 / p["cv"] ** 2
        if dist.family == "gamma":
            return np.asarray(stats.gamma(shape, scale=p["mean"] / shape).pdf(x))
        sigma = math.sqrt(math.log1p(p["cv"] ** 2))
        return np.asarray(stats.lognorm(sigma, scale=p["mean"] * math.exp(-(sigma**2) / 2)).pdf(x))
    if dist.family == "weibull":
        scale = p["mean"] / special.gamma(1 + 1 / p["shape"])
        return np.asarray(stats.weibull_min(p["shape"], scale=scale).pdf(x))
    mu, sd = p["mean"], p["sd"]
    return np.asarray(stats.truncnorm(-mu / sd, np.inf, loc=mu, scale=sd).pdf(x))


@pytest.mark.parametrize("values", [[4.0] * 12, [5.0 + 1e-9 * i for i in range(10)], [0.0, 0.0]])
def test_equal_values_are_a_constant(values: list[float]) -> None:
    fit = fit_durations(values)
    assert fit.chosen.family == "constant"
    assert fit.chosen.spec == {"dist": "constant", "value": pytest.approx(values[0], rel=1e-6)}
    assert fit.candidates == (fit.chosen,)
    assert build(fit.chosen.spec).mean == pytest.approx(values[0], abs=1e-9)
    assert "constant" in fit.note


def test_bimodal_data_fall_back_to_an_empirical_distribution() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(10, 1, 1500), rng.normal(40, 2, 1500)])
    fit = fit_durations(x)
    assert fit.empirical_fallback
    assert fit.chosen.family == "empirical"
    assert "empirical" in fit.note
    assert "n=3,000" in fit.note
    values = fit.chosen.spec["values"]
    assert len(values) == 200
    dist = build(fit.chosen.spec)
    # Slice means keep the sample mean, and the spread nearly.
    assert dist.mean == pytest.approx(x.mean(), rel=1e-3)
    assert dist.var == pytest.approx(x.var(), rel=0.02)
    assert fit.chosen.ks < 0.01
    # The families were still fitted and ranked, and all failed.
    assert len(fit.candidates) == len(DEFAULT_FAMILIES)
    assert all(c.ks > 1.63 / math.sqrt(3000) for c in fit.candidates)

    assert not fit_durations(x, ks_reject=None).empirical_fallback
    assert len(fit_durations(x, max_empirical=50).chosen.spec["values"]) == 50


def test_small_bimodal_sample_keeps_all_values_and_small_ones_never_fall_back() -> None:
    x = np.array([1.0, 1.1, 1.2, 0.9] * 15 + [50.0, 52.0, 51.0] * 15)
    fit = fit_durations(x)
    assert fit.empirical_fallback
    assert sorted(fit.chosen.spec["values"]) == sorted(x.tolist())
    assert not fit_durations(x[::3]).empirical_fallback  # 35 values: below KS_MIN_N


def test_negative_values_are_an_error_naming_the_count() -> None:
    with pytest.raises(FitError, match=r"2 of 5 durations are negative"):
        fit_durations([1.0, -2.0, 3.0, -0.5, 4.0])


@pytest.mark.parametrize("values", [[], [3.0], [np.nan, 2.0, np.nan]])
def test_too_few_values_are_an_error(values: list[float]) -> None:
    with pytest.raises(FitError, match="more data is needed"):
        fit_durations(values)


def test_min_n_and_missing_values() -> None:
    with pytest.raises(FitError, match=r"only 4 durations \(after dropping 1 missing\)"):
        fit_durations([1.0, 2.0, np.nan, 3.0, 5.0], min_n=10)
    fit = fit_durations([1.0, 2.0, np.nan, 3.0, 5.0])
    assert fit.n == 4
    assert "few values" in fit.note


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="criterion"):
        fit_durations([1.0, 2.0], criterion="likelihood")
    with pytest.raises(ValueError, match="did you mean 'gamma'"):
        fit_durations([1.0, 2.0], families=("gama",))
    with pytest.raises(FitError, match="infinite"):
        fit_durations([1.0, np.inf])
    # procsim's aliases name the same families.
    fit = fit_durations([1.0, 2.0, 4.0], families=("exponential", "lognorm"))
    assert {c.family for c in fit.candidates} == {"expon", "lognormal"}


def test_a_few_zeros_are_fitted_and_reported() -> None:
    x = sample({"dist": "lognormal", "mean": 2.0, "cv": 1.0})
    x[:10] = 0.0
    fit = fit_durations(x)
    assert fit.n_zero == 10
    assert fit.chosen.family == "lognormal"
    assert "10 exact zeros fitted as" in fit.note
    for candidate in fit.candidates:
        build(candidate.spec)
        assert math.isfinite(candidate.loglik)
    assert build(fit.chosen.spec).mean == pytest.approx(2.0, rel=0.05)


def test_many_zeros_are_flagged_and_kept_by_the_fallback() -> None:
    x = sample({"dist": "gamma", "mean": 2.0, "cv": 0.5})
    x[:600] = 0.0
    fit = fit_durations(x)
    assert fit.n_zero == 600
    assert "600 exact zeros (30%)" in fit.note
    # No continuous family puts 30% of its mass at 0.
    assert fit.empirical_fallback
    assert fit.chosen.spec["values"][0] == 0.0
    assert build(fit.chosen.spec).mean == pytest.approx(x.mean(), rel=1e-3)


def test_note_names_size_family_runner_up_and_ks() -> None:
    x = sample({"dist": "lognormal", "mean": 0.5, "cv": 1.3}, n=1204)
    fit = fit_durations(x)
    second = fit.candidates[1]
    assert fit.note.startswith("n=1,204, lognormal by AIC (next: ")
    assert f"{second.family} ΔAIC {second.aic - fit.chosen.aic:.1f})" in fit.note
    assert fit.note.endswith(f", KS {fit.chosen.ks:.3f}")
    assert "\n" not in fit.note
    assert all(float(f"{v:.4g}") == v for v in fit.chosen.spec.values() if isinstance(v, float))


def test_hundred_thousand_values_fit_quickly() -> None:
    x = sample({"dist": "weibull", "shape": 1.3, "mean": 2.0}, n=100_000)
    start = time.perf_counter()
    fit = fit_durations(x)
    assert time.perf_counter() - start < 5
    assert fit.chosen.family == "weibull"
    assert fit.chosen.spec["shape"] == pytest.approx(1.3, rel=0.02)
