"""Choosing a duration distribution for observed durations.

Sits between the event log and the process config: discovery (:mod:`procsim.mining.activities`)
measures each activity's durations, and :func:`fit_durations` turns them into a distribution
mapping that :func:`procsim.model.distributions.parse_distribution` accepts (``{dist: lognormal,
mean, cv}``), with a one-line note for the YAML saying how the family was chosen. The families
are fitted by :mod:`procsim.mining.duration_families`; here they are compared by AIC or BIC, and
when even the best family fails a Kolmogorov–Smirnov check, the data themselves become an
``empirical`` distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from procsim.errors import FitError, did_you_mean
from procsim.mining.duration_families import FITTERS, FamilyFit, fit_sample, round_sig
from procsim.model.distribution_families import ALIASES

#: Families tried by default, simplest first (ties in the criterion go to the earlier one).
DEFAULT_FAMILIES: tuple[str, ...] = ("expon", "gamma", "lognormal", "weibull", "normal")

#: Below this sample size the KS check cannot tell families apart, so it never rejects.
KS_MIN_N = 50

# Data whose coefficient of variation is below this are a constant: no continuous family has a
# finite likelihood there.
_CONSTANT_CV = 1e-6
# Above this fraction of exact zeros the note warns that a continuous family misrepresents them.
_MANY_ZEROS = 0.05


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
    x = _usable_durations(values, min_n)
    n = int(x.size)
    n_zero = int((x == 0).sum())
    x_sorted = np.sort(x)

    mean = float(x.mean())
    if mean == 0 or float(x.std()) / mean < _CONSTANT_CV:
        return _constant_fit(x_sorted, n_zero, criterion)

    data = fit_sample(x_sorted)
    fitted = {name: fit for name in names if (fit := FITTERS[name](data)) is not None}
    candidates = [_candidate(name, fit, x_sorted) for name, fit in fitted.items()]
    # A stable sort keeps the simpler family first on ties (names are in the caller's order).
    candidates.sort(key=lambda c: getattr(c, criterion))
    ranked = tuple(candidates)

    critical = _ks_critical(n, ks_reject)
    best = ranked[0] if ranked else None
    rejected = critical is not None and best is not None and best.ks > critical
    if best is None or (rejected and best.ks > ks_tolerance):
        if best is None:
            why = "no family could be fitted"
        else:
            why = (
                f"best family {best.family} has KS {best.ks:.3f} > {critical:.3f} "
                f"(rejected at {ks_reject:g})"
            )
        return _empirical_fit(x_sorted, max_empirical, ranked, n_zero, criterion, why)

    note = _family_note(ranked, criterion, n)
    if rejected:
        note += f" (the KS test rejects it at {ks_reject:g}; kept, within {ks_tolerance:g})"
    note += _zero_note(n_zero, n, float(data.x[0]))
    if n < KS_MIN_N:
        note += "; few values: the family choice is uncertain"
    return DurationFit(best, ranked, n, n_zero, criterion, note, False)


def _usable_durations(values: ArrayLike, min_n: int) -> np.ndarray:
    """The durations without missing values; fail on negative or infinite ones, or too few."""
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
    return np.asarray(x)


def _family_note(ranked: tuple[Candidate, ...], criterion: str, n: int) -> str:
    """How the best family was chosen: the sample size, the runner-up and the KS distance."""
    best = ranked[0]
    label = criterion.upper()
    note = f"n={n:,}, {best.family} by {label}"
    if len(ranked) > 1:
        runner = ranked[1]
        gap = getattr(runner, criterion) - getattr(best, criterion)
        note += f" (next: {runner.family} Δ{label} {gap:.1f})"
    return note + f", KS {best.ks:.3f}"


def _canonical_families(families: tuple[str, ...]) -> list[str]:
    if not families:
        raise ValueError("families must name at least one family")
    names: list[str] = []
    for family in families:
        name = ALIASES.get(family.lower(), family.lower())
        if name not in FITTERS:
            raise ValueError(
                f"cannot fit family {family!r}; {did_you_mean(family, [*FITTERS, *ALIASES])}"
            )
        if name not in names:
            names.append(name)
    return names


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


def _candidate(name: str, fit: FamilyFit, x_sorted: np.ndarray) -> Candidate:
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
    value = round_sig(float(x_sorted.mean()))
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
    rounded = [round_sig(float(v)) for v in kept]
    support = np.asarray(rounded)
    ecdf = np.searchsorted(support, x_sorted, side="right") / support.size
    ks = _ks(x_sorted, ecdf)
    nan = math.nan
    spec: dict[str, Any] = {"dist": "empirical", "values": rounded}
    return Candidate("empirical", spec, nan, nan, nan, ks, nan, len(rounded))


def _empirical_fit(
    x_sorted: np.ndarray,
    max_values: int,
    ranked: tuple[Candidate, ...],
    n_zero: int,
    criterion: str,
    why: str,
) -> DurationFit:
    """The data themselves as the distribution, and why no family was kept."""
    chosen = _empirical_candidate(x_sorted, max_values)
    n = int(x_sorted.size)
    shown = len(chosen.spec["values"])
    what = f"{shown} values" if shown == n else f"{shown} slice means"
    note = f"n={n:,}, empirical ({what}): {why}{_zero_note(n_zero, n, None)}"
    return DurationFit(chosen, ranked, n, n_zero, criterion, note, True)


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
