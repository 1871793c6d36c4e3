"""Distributions: the :class:`Distribution` object and the table of families.

Each family (:data:`FAMILIES`) knows its parameters, checks their domain, and builds a
:class:`Distribution` with exact moments and an inverse CDF backed by ``scipy``. Fed by
:func:`procsim.model.distributions.parse_distribution`, which reads a config spec into a
family's parameters; the model holds the result and the engine draws from it by inverse
transform (``ppf`` of uniforms), so a redesign that only changes a distribution's parameters
still sees the same uniforms as the current process: common random numbers couple
monotonically.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special, stats

from procsim.errors import Issue

FloatArray = np.ndarray


@dataclass(frozen=True)
class Distribution:
    """A non-negative distribution with its analyst-facing parameters.

    Attributes
    ----------
    family
        Canonical family name (``"lognormal"``).
    params
        The parameters as the analyst gave them, converted to the process time unit.
    mean, var
        Exact moments, used by the offered-load check and by the analytic estimates.
    """

    family: str
    params: dict[str, Any]
    mean: float
    var: float
    _ppf: Callable[[FloatArray], FloatArray] = field(repr=False, compare=False)

    @property
    def cv(self) -> float:
        """Coefficient of variation (0 for a constant)."""
        return math.sqrt(self.var) / self.mean if self.mean > 0 else 0.0

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantiles for uniforms ``u`` in [0, 1): the inverse-transform draw."""
        return self._ppf(u)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` variates with ``rng`` (inverse transform)."""
        return self.ppf(rng.random(size))

    def describe(self) -> str:
        """Short text for tables: ``lognormal(mean=30, cv=0.7)``."""
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items() if k != "values")
        if "values" in self.params:
            shown = f"n={len(self.params['values'])}" + (f", {shown}" if shown else "")
        return f"{self.family}({shown})"

    def to_config(self) -> dict[str, Any]:
        """The mapping that rebuilds this distribution."""
        return {"dist": self.family, **self.params}

    def __reduce__(self) -> tuple[Any, ...]:
        # The inverse CDF is a closure; rebuild it from the parameters in worker processes.
        return (_rebuild, (self.family, self.params))


def _rebuild(family: str, params: dict[str, Any]) -> Distribution:
    issues: list[Issue] = []
    built = FAMILIES[family].build(dict(params), family, issues)
    if built is None:  # pragma: no cover - parameters were valid when first built
        raise ValueError("; ".join(i.format() for i in issues))
    return built


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class Family:
    """One distribution family: its parameters and how to build it from them.

    Attributes
    ----------
    required, optional
        Parameter names the family needs, and those it also accepts.
    build
        Checks the parameters' domain (appending problems to the issues) and builds the
        :class:`Distribution`, or returns None.
    help
        An example spec, shown in messages.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...]
    build: Callable[[dict[str, Any], str, list[Issue]], Distribution | None]
    help: str


def _positive(params: dict[str, Any], key: str, path: str, issues: list[Issue]) -> bool:
    if params[key] <= 0:
        issues.append(
            Issue(f"{path}.{key}", f"{key} must be positive", "a number > 0", repr(params[key]))
        )
        return False
    return True


def _nonneg(params: dict[str, Any], key: str, path: str, issues: list[Issue]) -> bool:
    if params[key] < 0:
        issues.append(
            Issue(
                f"{path}.{key}",
                f"{key} must not be negative (durations are >= 0)",
                "a number >= 0",
                repr(params[key]),
            )
        )
        return False
    return True


def _constant(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    if not _nonneg(p, "value", path, issues):
        return None
    value = float(p["value"])
    return Distribution("constant", p, value, 0.0, lambda u: np.full(np.shape(u), value))


def _expon(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    if not _positive(p, "mean", path, issues):
        return None
    mean = float(p["mean"])
    # -mean*log1p(-u) is scipy.stats.expon(scale=mean).ppf without the call overhead.
    return Distribution("expon", p, mean, mean**2, lambda u: -mean * np.log1p(-u))


def _uniform(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    ok = _nonneg(p, "low", path, issues)
    if ok and p["high"] <= p["low"]:
        issues.append(
            Issue(
                f"{path}.high",
                "high must be greater than low",
                f"a number > {p['low']}",
                repr(p["high"]),
            )
        )
        ok = False
    if not ok:
        return None
    frozen = stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
    return Distribution("uniform", p, float(frozen.mean()), float(frozen.var()), frozen.ppf)


def _triangular(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    low, mode, high = p["low"], p["mode"], p["high"]
    if not _nonneg(p, "low", path, issues):
        return None
    if not low <= mode <= high or high <= low:
        issues.append(
            Issue(
                path,
                "triangular needs low <= mode <= high and low < high",
                "low <= mode <= high",
                f"low={low}, mode={mode}, high={high}",
            )
        )
        return None
    frozen = stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)
    return Distribution("triangular", p, float(frozen.mean()), float(frozen.var()), frozen.ppf)


def _normal(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    ok = _positive(p, "sd", path, issues)
    if not ok:
        return None
    mean, sd = float(p["mean"]), float(p["sd"])
    a = (0.0 - mean) / sd
    if a > 8:
        issues.append(
            Issue(
                f"{path}.mean",
                "mean is so far below 0 that truncation at 0 leaves almost nothing",
                "mean > -8 sd",
                repr(mean),
            )
        )
        return None
    frozen = stats.truncnorm(a=a, b=np.inf, loc=mean, scale=sd)
    return Distribution("normal", p, float(frozen.mean()), float(frozen.var()), frozen.ppf)


def _lognormal(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    ok = _positive(p, "mean", path, issues) & _positive(p, "cv", path, issues)
    if not ok:
        return None
    mean, cv = float(p["mean"]), float(p["cv"])
    sigma = math.sqrt(math.log1p(cv**2))
    mu = math.log(mean) - sigma**2 / 2

    def ppf(u: FloatArray) -> FloatArray:
        # stats.lognorm(s=sigma, scale=exp(mu)).ppf, without its argument checking.
        return np.asarray(np.exp(mu + sigma * special.ndtri(u)))

    return Distribution("lognormal", p, mean, (cv * mean) ** 2, ppf)


def _gamma(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    ok = _positive(p, "mean", path, issues) & _positive(p, "cv", path, issues)
    if not ok:
        return None
    mean, cv = float(p["mean"]), float(p["cv"])
    shape, scale = 1 / cv**2, mean * cv**2

    def ppf(u: FloatArray) -> FloatArray:
        # stats.gamma(a=shape, scale=scale).ppf, without its argument checking.
        return np.asarray(special.gammaincinv(shape, u) * scale)

    return Distribution("gamma", p, mean, (cv * mean) ** 2, ppf)


def _weibull(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    if not _positive(p, "shape", path, issues):
        return None
    shape = float(p["shape"])
    has_scale, has_mean = "scale" in p, "mean" in p
    if has_scale == has_mean:
        issues.append(
            Issue(
                path,
                "weibull needs exactly one of scale or mean",
                "shape with scale, or shape with mean",
                ", ".join(sorted(k for k in p if k in ("scale", "mean"))) or "neither",
            )
        )
        return None
    key = "scale" if has_scale else "mean"
    if not _positive(p, key, path, issues):
        return None
    g1 = special.gamma(1 + 1 / shape)
    scale = float(p["scale"]) if has_scale else float(p["mean"]) / g1
    frozen = stats.weibull_min(c=shape, scale=scale)
    return Distribution("weibull", p, float(frozen.mean()), float(frozen.var()), frozen.ppf)


def _empirical(p: dict[str, Any], path: str, issues: list[Issue]) -> Distribution | None:
    values = np.sort(np.asarray(p["values"], dtype=float))
    if values.size == 0:
        issues.append(
            Issue(
                f"{path}.values",
                "needs at least one observed value",
                "a non-empty list of numbers",
                "[]",
            )
        )
        return None
    if values.min() < 0:
        issues.append(
            Issue(
                f"{path}.values",
                "observed durations must not be negative",
                "numbers >= 0",
                f"min {values.min():g}",
            )
        )
        return None
    interpolate = bool(p.get("interpolate", False))
    n = values.size

    if interpolate and n > 1:
        # Continuous: linear interpolation between order statistics.
        grid = np.linspace(0.0, 1.0, n)

        def ppf(u: FloatArray) -> FloatArray:
            return np.asarray(np.interp(u, grid, values))

        # Mean of the piecewise-linear quantile function (trapezoid rule, exact here).
        frozen_mean = float((values.sum() - (values[0] + values[-1]) / 2) / (n - 1))
        # E[X^2] of a linear piece from a to b over a width h is h (a^2 + ab + b^2) / 3.
        a, b = values[:-1], values[1:]
        second = float(((a * a + a * b + b * b) / 3).sum() / (n - 1))
        var = max(second - frozen_mean**2, 0.0)
        return Distribution("empirical", {**p, "values": values.tolist()}, frozen_mean, var, ppf)

    def resample(u: FloatArray) -> FloatArray:
        return values[np.minimum((np.asarray(u) * n).astype(np.int64), n - 1)]

    return Distribution(
        "empirical",
        {**p, "values": values.tolist()},
        float(values.mean()),
        float(values.var()),
        resample,
    )


FAMILIES: dict[str, Family] = {
    "constant": Family(("value",), (), _constant, "{dist: constant, value: 2}"),
    "expon": Family(("mean",), (), _expon, "{dist: expon, mean: 12}"),
    "uniform": Family(("low", "high"), (), _uniform, "{dist: uniform, low: 1, high: 3}"),
    "triangular": Family(
        ("low", "mode", "high"), (), _triangular, "{dist: triangular, low: 5, mode: 10, high: 30}"
    ),
    "normal": Family(
        ("mean", "sd"), (), _normal, "{dist: normal, mean: 10, sd: 2} (truncated at 0)"
    ),
    "lognormal": Family(("mean", "cv"), (), _lognormal, "{dist: lognormal, mean: 30, cv: 0.7}"),
    "gamma": Family(("mean", "cv"), (), _gamma, "{dist: gamma, mean: 30, cv: 0.5}"),
    "weibull": Family(
        ("shape",), ("scale", "mean"), _weibull, "{dist: weibull, shape: 1.5, scale: 20}"
    ),
    "empirical": Family(
        ("values",), ("interpolate",), _empirical, "{dist: empirical, values: [3, 5, 4, 8]}"
    ),
}

ALIASES: dict[str, str] = {
    "exponential": "expon",
    "exp": "expon",
    "fixed": "constant",
    "deterministic": "constant",
    "triang": "triangular",
    "truncnorm": "normal",
    "lognorm": "lognormal",
    "weibull_min": "weibull",
}
