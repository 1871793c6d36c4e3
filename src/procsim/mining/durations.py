"""Fitting a duration distribution to observed durations.

Sits between the event log and the process config: the log-fitting command measures each activity's
durations, and :func:`fit_durations` turns them into a distribution mapping that
:func:`procsim.model.distributions.parse_distribution` accepts (``{dist: lognormal, mean, cv}``),
with a one-line note for the YAML saying how the family was chosen. Families are fitted by maximum
likelihood with the location fixed at 0 and compared by AIC or BIC; when even the best family fails
a Kolmogorov–Smirnov check, the data themselves become an ``empirical`` distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from procsim.errors import FitError, did_you_mean
from procsim.model.distribution_families import ALIASES

#: Families tried by default, simplest first (ties in the criterion go to the earlier one).
DEFAULT_FAMILIES: tuple[str, ...] = ("expon", "gamma", "lognormal", "weibull", "normal")

#: Below this sample size the KS check cannot tell families apart, so it never rejects.
KS_MIN_N = 50

# Data whose coefficient of variation is below this are a constant: no continuous family has a
# finite likelihood there.
_CONSTANT_CV = 1e-6
# procsim refuses a truncated normal whose mean is more than 8 sd below 0; stay inside that
# with room for rounding.
_MIN_NORMAL_T = -7.5
# Above this fraction of exact zeros the note warns that a continuous family misrepresents them.
_MANY_ZEROS = 0.05

_Cdf = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    """One family fitted to the durations.

    Attributes
    ----------
    family
        Canonical procsim family name (``"lognormal"``, ``"empirical"``, ...).
    spec
        The config mapping procsim accepts, values rounded to 4 significant digits, e.g.
        ``{"dist": "lognormal", "mean": 0.52, "cv": 1.3}``.
    loglik
        Maximized log-likelihood (NaN for ``constant`` and ``empirical``).
    aic, bic
        ``2k - 2 loglik`` and ``k ln(n) - 2 loglik`` (NaN where ``loglik`` is).
    ks
        Kolmogorov–Smirnov distance between the data (zeros included) and the fitted CDF.
    ks_pvalue
        P-value of ``ks`` from the Kolmogorov distribution. Approximate and too large, since the
        parameters were estimated from the same data (NaN for ``constant`` and ``empirical``).
    n_params
        Number of fitted parameters ``k`` (the number of values for ``empirical``).
    """

    family: str
    spec: dict[str, Any] = field(hash=False)
    loglik: float
    aic: float
    bic: float
    ks: float
    ks_pvalue: float
    n_params: int


@dataclass(frozen=True)
class DurationFit:
    """The distribution chosen for a set of durations, and the alternatives considered.

    Attributes
    ----------
    chosen
        The candidate to write into the config.
    candidates
        The parametric families fitted, best first by ``criterion``. With an empirical fallback
        ``chosen`` is not among them; for constant data they are just ``(chosen,)``.
    n
        Number of durations used (missing values dropped).
    n_zero
        How many of them were exactly 0.
    criterion
        ``"aic"`` or ``"bic"``.
    note
        One-line comment for the YAML, e.g.
        ``"n=1,204, lognormal by AIC (next: gamma ΔAIC 12.3), KS 0.031"``.
    empirical_fallback
        True when every family failed the KS check and ``chosen`` is empirical.
    """

    chosen: Candidate
    candidates: tuple[Candidate, ...]
    n: int
    n_zero: int
    criterion: str
    note: str
    empirical_fallback: bool


@dataclass(frozen=True)
class _Fitted:
    spec: dict[str, Any]
    loglik: float
    n_params: int
    cdf: _Cdf


@dataclass(frozen=True)
class _Data:
    """Durations for fitting: zeros replaced by a small positive value, plus shared sums."""

    x: np.ndarray
    logx: np.ndarray
    mean: float
    mean_log: float


#: KS distance up to which a family is kept although the test rejects it (large samples).
KS_TOLERANCE = 0.1


def fit_durations(
    values: ArrayLike,
    *,
    criterion: str = "aic",
    families: tuple[str, ...] = DEFAULT_FAMILIES,
    min_n: int = 2,
    ks_reject: float | None = 0.01,
    ks_tolerance: float = KS_TOLERANCE,
    max_empirical: int = 200,
) -> DurationFit:
    """Choose and fit a duration distribution by maximum likelihood.

    Parameters
    ----------
    values
        Observed durations in the process time unit. NaNs are dropped; exact zeros are kept
        (for fitting they are set to half the smallest positive duration, as a zero usually
        means "shorter than the log's time resolution") and counted in ``n_zero``.
    criterion
        ``"aic"`` or ``"bic"``: how the families are ranked.
    families
        Families to try, among ``expon``, ``gamma``, ``lognormal``, ``weibull`` and ``normal``
        (truncated at 0); procsim's aliases such as ``exponential`` are accepted. Data with a
        coefficient of variation below 1e-6 always give ``constant``.
    min_n
        Fewest durations to fit (at least 2).
    ks_reject
        Significance level of the KS check that sends the data to an empirical distribution when
        the best family's KS distance exceeds the critical value ``sqrt(-ln(level / 2) / 2) /
        sqrt(n)`` (about ``1.63 / sqrt(n)`` at 0.01). Only applied from :data:`KS_MIN_N`
        durations on. Since parameters are estimated, the check is conservative: it catches gross
        misfits such as bimodal data. None never falls back.
    ks_tolerance
        A family whose KS distance is at most this is kept even when the test rejects it:
        with thousands of durations the test rejects every family for departures too small
        to matter in a simulation, and a family reads (and edits) better than 200 numbers.
    max_empirical
        Most values in an empirical fallback: with more data, the means of ``max_empirical``
        equal-probability slices of the sorted data, which keep the sample mean.

    Returns
    -------
    DurationFit
        The chosen candidate, the ranked alternatives and a note for the config.

    Raises
    ------
    FitError
        Negative or infinite durations, or fewer than ``min_n`` of them. The message does not
        name the activity; the caller adds it.
    ValueError
        An unknown ``criterion`` or family, or ``max_empirical < 1``.
    """
    if criterion not in ("aic", "bic"):
        raise ValueError(f"criterion must be 'aic' or 'bic', got {criterion!r}")
    if max_empirical < 1:
        raise ValueError(f"max_empirical must be at least 1, got {max_empirical}")
    names = _canonical_families(families)

    raw = np.asarray(values, dtype=float).ravel()
    n_missing = int(np.isnan(raw).sum())
    x = raw[~np.isnan(raw)]
    n_negative = int((x < 0).sum())
    if n_negative:
        raise FitError(
            f"{n_negative} of {x.size:,} durations are negative (smallest {x.min():g}); "
            "durations must be >= 0: check the start and end timestamps"
        )
    if not np.isfinite(x).all():
        raise FitError(f"{int(np.isinf(x).sum())} durations are infinite")
    n = int(x.size)
    need = max(min_n, 2)
    if n < need:
        dropped = f" (after dropping {n_missing} missing)" if n_missing else ""
        raise FitError(
            f"only {n} duration{'s' if n != 1 else ''}{dropped}; at least {need} are needed to "
            "fit a distribution: more data is needed"
        )
    n_zero = int((x == 0).sum())
    x_sorted = np.sort(x)

    mean = float(x.mean())
    if mean == 0 or float(x.std()) / mean < _CONSTANT_CV:
        return _constant_fit(x_sorted, n_zero, criterion)

    data = _prepare(x_sorted)
    fitted: dict[str, _Fitted] = {}
    for name in names:
        result = _FITTERS[name](data)
        if result is not None:
            fitted[name] = result

    candidates = [_candidate(name, fit, x_sorted) for name, fit in fitted.items()]
    # A stable sort keeps the simpler family first on ties (names are in the caller's order).
    candidates.sort(key=lambda c: getattr(c, criterion))
    ranked = tuple(candidates)

    critical = _ks_critical(n, ks_reject)
    best = ranked[0] if ranked else None
    rejected = critical is not None and best is not None and best.ks > critical
    if best is None or (rejected and best.ks > ks_tolerance):
        chosen = _empirical_candidate(x_sorted, max_empirical)
        if best is None:
            why = "no family could be fitted"
        else:
            why = (
                f"best family {best.family} has KS {best.ks:.3f} > {critical:.3f} "
                f"(rejected at {ks_reject:g})"
            )
        shown = len(chosen.spec["values"])
        what = f"{shown} values" if shown == n else f"{shown} slice means"
        note = f"n={n:,}, empirical ({what}): {why}{_zero_note(n_zero, n, None)}"
        return DurationFit(chosen, ranked, n, n_zero, criterion, note, True)

    label = criterion.upper()
    note = f"n={n:,}, {best.family} by {label}"
    if len(ranked) > 1:
        runner = ranked[1]
        gap = getattr(runner, criterion) - getattr(best, criterion)
        note += f" (next: {runner.family} Δ{label} {gap:.1f})"
    note += f", KS {best.ks:.3f}"
    if rejected:
        note += f" (the KS test rejects it at {ks_reject:g}; kept, within {ks_tolerance:g})"
    note += _zero_note(n_zero, n, float(data.x[0]))
    if n < KS_MIN_N:
        note += "; few values: the family choice is uncertain"
    return DurationFit(best, ranked, n, n_zero, criterion, note, False)


def _canonical_families(families: tuple[str, ...]) -> list[str]:
    if not families:
        raise ValueError("families must name at least one family")
    names: list[str] = []
    for family in families:
        name = ALIASES.get(family.lower(), family.lower())
        if name not in _FITTERS:
            raise ValueError(
                f"cannot fit family {family!r}; {did_you_mean(family, [*_FITTERS, *ALIASES])}"
            )
        if name not in names:
            names.append(name)
    return names


def _prepare(x_sorted: np.ndarray) -> _Data:
    x = x_sorted
    if x[0] == 0:
        positive = x[x > 0]
        x = np.where(x == 0, positive[0] / 2, x)
    logx = np.log(x)
    return _Data(x, logx, float(x.mean()), float(logx.mean()))


def _sig(value: float) -> float:
    """Round to 4 significant digits, for a readable config."""
    return float(f"{value:.4g}")


def _ks(x_sorted: np.ndarray, cdf_values: np.ndarray) -> float:
    # With ties the formula is still exact: the last of a tied run gives the ECDF after the jump
    # and the first gives it before.
    n = x_sorted.size
    i = np.arange(1, n + 1)
    upper = float(np.max(i / n - cdf_values))
    lower = float(np.max(cdf_values - (i - 1) / n))
    return max(upper, lower, 0.0)


def _ks_critical(n: int, level: float | None) -> float | None:
    if level is None or n < KS_MIN_N:
        return None
    # Asymptotic Kolmogorov quantile; exact enough from KS_MIN_N on.
    return math.sqrt(-math.log(level / 2) / 2) / math.sqrt(n)


def _candidate(name: str, fit: _Fitted, x_sorted: np.ndarray) -> Candidate:
    n = x_sorted.size
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ks = _ks(x_sorted, fit.cdf(x_sorted))
    k = fit.n_params
    return Candidate(
        family=name,
        spec=fit.spec,
        loglik=fit.loglik,
        aic=2 * k - 2 * fit.loglik,
        bic=k * math.log(n) - 2 * fit.loglik,
        ks=ks,
        ks_pvalue=float(stats.kstwo.sf(ks, n)),
        n_params=k,
    )


def _constant_fit(x_sorted: np.ndarray, n_zero: int, criterion: str) -> DurationFit:
    value = _sig(float(x_sorted.mean()))
    ks = _ks(x_sorted, (x_sorted >= value).astype(float))
    nan = math.nan
    chosen = Candidate("constant", {"dist": "constant", "value": value}, nan, nan, nan, ks, nan, 1)
    n = int(x_sorted.size)
    same = "all values equal" if x_sorted[0] == x_sorted[-1] else "all values nearly equal"
    note = f"n={n:,}, constant: {same} {value:g}"
    return DurationFit(chosen, (chosen,), n, n_zero, criterion, note, False)


def _empirical_candidate(x_sorted: np.ndarray, max_values: int) -> Candidate:
    n = x_sorted.size
    if n <= max_values:
        kept = x_sorted
    else:
        # Mean of the quantile function over each of m equal-probability slices: the values
        # average to the sample mean exactly and, unlike point quantiles, keep the tail's weight.
        m = max_values
        cumulative = np.concatenate(([0.0], np.cumsum(x_sorted)))
        edges = np.arange(m + 1) * (n / m)
        whole = np.minimum(np.floor(edges).astype(np.int64), n)
        part = edges - whole
        integral = cumulative[whole] + part * x_sorted[np.minimum(whole, n - 1)]
        kept = np.diff(integral) * (m / n)
    rounded = [_sig(float(v)) for v in kept]
    support = np.asarray(rounded)
    ecdf = np.searchsorted(support, x_sorted, side="right") / support.size
    ks = _ks(x_sorted, ecdf)
    nan = math.nan
    spec: dict[str, Any] = {"dist": "empirical", "values": rounded}
    return Candidate("empirical", spec, nan, nan, nan, ks, nan, len(rounded))


def _zero_note(n_zero: int, n: int, replaced_by: float | None) -> str:
    """Say how exact zeros were treated; ``replaced_by`` is None when the data were kept as is."""
    if not n_zero:
        return ""
    zeros = f"{n_zero:,} exact zero{'s' if n_zero > 1 else ''}"
    share = n_zero / n
    if replaced_by is None:
        return f"; {zeros} ({share:.0%}) kept"
    if share > _MANY_ZEROS:
        return (
            f"; {zeros} ({share:.0%}): a continuous family puts no mass at 0, consider "
            "modelling them separately"
        )
    return f"; {zeros} fitted as {replaced_by:.4g}"


def _fit_expon(d: _Data) -> _Fitted:
    scale = d.mean
    n = d.x.size
    loglik = -n * math.log(scale) - n

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.asarray(-np.expm1(-x / scale))

    return _Fitted({"dist": "expon", "mean": _sig(scale)}, loglik, 1, cdf)


def _fit_gamma(d: _Data) -> _Fitted | None:
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

    spec = {"dist": "gamma", "mean": _sig(d.mean), "cv": _sig(1 / math.sqrt(shape))}
    return _Fitted(spec, loglik, 2, cdf)


def _fit_lognormal(d: _Data) -> _Fitted | None:
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

    spec = {"dist": "lognormal", "mean": _sig(mean), "cv": _sig(cv)}
    return _Fitted(spec, loglik, 2, cdf)


def _fit_weibull(d: _Data) -> _Fitted | None:
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

    spec = {"dist": "weibull", "shape": _sig(shape), "mean": _sig(mean)}
    return _Fitted(spec, loglik, 2, cdf)


def _fit_normal(d: _Data) -> _Fitted | None:
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

    spec = {"dist": "normal", "mean": _sig(mu), "sd": _sig(sigma)}
    return _Fitted(spec, loglik, 2, cdf)


_FITTERS: dict[str, Callable[[_Data], _Fitted | None]] = {
    "expon": _fit_expon,
    "gamma": _fit_gamma,
    "lognormal": _fit_lognormal,
    "weibull": _fit_weibull,
    "normal": _fit_normal,
}
