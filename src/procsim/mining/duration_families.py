"""The duration families procsim fits, each by maximum likelihood with the location at 0.

Fed by :func:`procsim.mining.durations.fit_durations` (observed durations, sorted) and feeds
its choice between the families: per family the config mapping that
:func:`procsim.model.distributions.parse_distribution` accepts, the maximized log-likelihood
and the fitted CDF (for the Kolmogorov–Smirnov distance). A family that cannot be fitted to
the data (no finite likelihood, no root found) gives None.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special

# procsim refuses a truncated normal whose mean is more than 8 sd below 0; stay inside that
# with room for rounding.
_MIN_NORMAL_T = -7.5

_Cdf = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class FitSample:
    """Durations for fitting: zeros replaced by a small positive value, plus shared sums.

    Attributes
    ----------
    x
        The durations, sorted, every one positive.
    logx
        Their logarithms.
    mean, mean_log
        The means of ``x`` and ``logx``.
    """

    x: np.ndarray
    logx: np.ndarray
    mean: float
    mean_log: float


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to a :class:`FitSample`.

    Attributes
    ----------
    spec
        The config mapping, values rounded to 4 significant digits.
    loglik
        The maximized log-likelihood.
    n_params
        Number of fitted parameters.
    cdf
        The fitted distribution function.
    """

    spec: dict[str, Any]
    loglik: float
    n_params: int
    cdf: _Cdf


def fit_sample(x_sorted: np.ndarray) -> FitSample:
    """The durations ready for fitting.

    Parameters
    ----------
    x_sorted
        Durations, sorted, at least one of them positive.

    Returns
    -------
    FitSample
        Exact zeros set to half the smallest positive duration: a zero usually means
        "shorter than the log's time resolution", and no family has a finite likelihood there.
    """
    x = x_sorted
    if x[0] == 0:
        positive = x[x > 0]
        x = np.where(x == 0, positive[0] / 2, x)
    logx = np.log(x)
    return FitSample(x, logx, float(x.mean()), float(logx.mean()))


def round_sig(value: float) -> float:
    """Round to 4 significant digits, for a readable config.

    Parameters
    ----------
    value
        Any finite number.

    Returns
    -------
    float
    """
    return float(f"{value:.4g}")


def _fit_expon(d: FitSample) -> FamilyFit:
    scale = d.mean
    n = d.x.size
    loglik = -n * math.log(scale) - n

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(-np.expm1(-x / scale))

    return FamilyFit({"dist": "expon", "mean": round_sig(scale)}, loglik, 1, cdf)


def _fit_gamma(d: FitSample) -> FamilyFit | None:
    n = d.x.size
    s = math.log(d.mean) - d.mean_log
    if not s > 0:
        return None

    def score(a: float) -> float:
        return float(math.log(a) - special.digamma(a) - s)

    # 1/(2a) < log(a) - digamma(a) < 1/a brackets the root between 1/(2s) and 1/s.
    try:
        shape = float(optimize.brentq(score, 0.49 / s, 1.01 / s, rtol=1e-12))
    except ValueError:
        # Rounding at extreme shapes can spoil the bracket; Minka's approximation is then
        # accurate to well under the 4 digits reported.
        shape = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    scale = d.mean / shape
    loglik = float(
        (shape - 1) * d.mean_log * n
        - n * d.mean / scale
        - n * shape * math.log(scale)
        - n * special.gammaln(shape)
    )
    if not math.isfinite(loglik):
        return None

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(special.gammainc(shape, x / scale))

    spec = {"dist": "gamma", "mean": round_sig(d.mean), "cv": round_sig(1 / math.sqrt(shape))}
    return FamilyFit(spec, loglik, 2, cdf)


def _fit_lognormal(d: FitSample) -> FamilyFit | None:
    n = d.x.size
    mu = d.mean_log
    sigma = float(np.sqrt(np.mean((d.logx - mu) ** 2)))
    if not sigma > 0:
        return None
    with np.errstate(over="ignore"):
        mean = math.exp(mu + sigma**2 / 2) if mu + sigma**2 / 2 < 700 else math.inf
        cv = math.sqrt(math.expm1(sigma**2)) if sigma**2 < 700 else math.inf
    if not (math.isfinite(mean) and math.isfinite(cv)):
        return None
    loglik = -n * mu - n * math.log(sigma) - n / 2 * math.log(2 * math.pi) - n / 2

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(special.ndtr((np.log(x) - mu) / sigma))

    spec = {"dist": "lognormal", "mean": round_sig(mean), "cv": round_sig(cv)}
    return FamilyFit(spec, loglik, 2, cdf)


def _fit_weibull(d: FitSample) -> FamilyFit | None:
    n = d.x.size
    y = d.logx
    top = float(y.max())
    spread = float(y.std())
    if not spread > 0:
        return None

    def weights(c: float) -> np.ndarray:
        # exp(c (y - max)) instead of x**c: the same ratios without overflow.
        return np.asarray(np.exp(c * (y - top)))

    def score(c: float) -> float:
        w = weights(c)
        return float(np.dot(w, y) / w.sum() - 1 / c - d.mean_log)

    # The score rises with c from -inf to max(log x) - mean(log x) > 0. The start uses
    # sd(log X) = pi / (c sqrt(6)) for a Weibull.
    guess = math.pi / (math.sqrt(6) * spread)
    low, high = guess / 2, guess * 2
    for _ in range(60):
        if score(low) < 0:
            break
        low /= 4
    for _ in range(60):
        if score(high) > 0:
            break
        high *= 4
    try:
        shape = float(optimize.brentq(score, low, high, rtol=1e-12))
    except ValueError:
        return None
    scale = math.exp(top) * float(np.mean(weights(shape))) ** (1 / shape)
    z = np.exp(shape * (y - math.log(scale)))
    loglik = float(
        n * math.log(shape) - n * shape * math.log(scale) + (shape - 1) * n * d.mean_log - z.sum()
    )
    mean = scale * math.gamma(1 + 1 / shape) if 1 / shape < 170 else math.inf
    if not (math.isfinite(loglik) and math.isfinite(mean)):
        return None

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(-np.expm1(-((x / scale) ** shape)))

    spec = {"dist": "weibull", "shape": round_sig(shape), "mean": round_sig(mean)}
    return FamilyFit(spec, loglik, 2, cdf)


def _fit_normal(d: FitSample) -> FamilyFit | None:
    """Normal truncated at 0, by maximum likelihood.

    procsim's ``{dist: normal, mean, sd}`` are the location and scale of the normal *before*
    truncation (``truncnorm(a=-mean/sd, loc=mean, scale=sd)``), which is exactly what the
    truncated likelihood estimates, so no moment conversion is needed.
    """
    n = d.x.size
    # Work in units of the sample mean so the optimizer sees parameters of order 1.
    unit = d.mean
    u = d.x / unit
    m1 = float(u.mean())
    m2 = float(np.mean(u * u))
    sd0 = float(u.std())
    if not sd0 > 0:
        return None

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # Negative log-likelihood per value (without the constant) in t = mu / sigma and
        # log sigma, with its gradient.
        t, log_sigma = float(theta[0]), float(theta[1])
        sigma = math.exp(log_sigma)
        log_phi_t = float(special.log_ndtr(t))
        value = log_sigma + m2 / (2 * sigma**2) - t * m1 / sigma + t * t / 2 + log_phi_t
        mills = math.exp(-t * t / 2 - 0.5 * math.log(2 * math.pi) - log_phi_t)
        grad_t = -m1 / sigma + t + mills
        grad_s = 1 - m2 / sigma**2 + t * m1 / sigma
        return value, np.array([grad_t, grad_s])

    start = np.array([max(m1 / sd0, _MIN_NORMAL_T), math.log(sd0)])
    result = optimize.minimize(
        nll, start, jac=True, method="L-BFGS-B", bounds=[(_MIN_NORMAL_T, None), (None, None)]
    )
    t, sigma_u = float(result.x[0]), math.exp(float(result.x[1]))
    sigma = sigma_u * unit
    mu = t * sigma
    if not (math.isfinite(mu) and math.isfinite(sigma) and sigma > 0):
        return None
    log_mass = float(special.log_ndtr(t))
    squares = float(np.mean((d.x - mu) ** 2))
    loglik = -n * (
        math.log(sigma) + 0.5 * math.log(2 * math.pi) + squares / (2 * sigma**2) + log_mass
    )

    def cdf(x: np.ndarray) -> np.ndarray:
        # 1 - upper tail ratio in logs: accurate even when the kept part is a far tail.
        return np.asarray(-np.expm1(special.log_ndtr(-(x - mu) / sigma) - log_mass))

    spec = {"dist": "normal", "mean": round_sig(mu), "sd": round_sig(sigma)}
    return FamilyFit(spec, loglik, 2, cdf)


#: Canonical family name -> its maximum-likelihood fit.
FITTERS: dict[str, Callable[[FitSample], FamilyFit | None]] = {
    "expon": _fit_expon,
    "gamma": _fit_gamma,
    "lognormal": _fit_lognormal,
    "weibull": _fit_weibull,
    "normal": _fit_normal,
}
