"""Prosimos durations -> a procsim distribution: one family when it maps, else the pool's mix.

Part of the model import (:mod:`procsim.mining.model_import`). Prosimos draws a task's duration
from the distribution of the resource that does it, truncated to ``[min, max]`` by rejection
(as its ``pix_framework`` does: ``norm`` is mean, sd, min, max; ``expon`` mean, min, max and
shifted by min; ``lognorm`` and ``gamma`` mean, variance, min, max; ``uniform`` min, max).
procsim has one distribution per stage, so:

- when every resource has the same distribution and its truncation cuts off almost nothing
  (under 1%), the matching procsim family is written exactly;
- otherwise the stage gets the mixture over the pool, each person weighted equally (every
  resource equally likely to take a case, which holds when they are equally available), as an
  ``empirical`` distribution of 101 quantiles with interpolation, and the comment says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.stats as st

from procsim.mining.prosimos_params import Spec

#: Truncation that cuts off less probability than this is left out of a family written as is.
NEGLIGIBLE = 0.01
QUANTILES = 101


@dataclass(frozen=True)
class Mixed:
    """A stage's duration: the procsim distribution (in ``unit`` per second) and what it is."""

    dist: dict[str, Any]
    mean: float
    cv: float
    exact: bool
    note: str


@dataclass(frozen=True)
class _Truncated:
    """A Prosimos distribution as scipy sees it, truncated to [lo, hi] (seconds)."""

    rv: Any  # a frozen scipy distribution, or None for a constant
    lo: float
    hi: float
    constant: float = 0.0

    def cdf(self, x: np.ndarray) -> np.ndarray:
        if self.rv is None:
            return (x >= self.constant).astype(float)
        f_lo, f_hi = self.rv.cdf(self.lo), self.rv.cdf(self.hi)
        mass = max(f_hi - f_lo, 1e-300)
        return np.asarray((self.rv.cdf(np.clip(x, self.lo, self.hi)) - f_lo) / mass)

    def support(self) -> tuple[float, float]:
        if self.rv is None:
            return self.constant, self.constant
        top = float(self.rv.ppf(1 - 1e-5))
        return max(self.lo, float(self.rv.ppf(1e-9)), 0.0), min(self.hi, top)

    def cut(self) -> float:
        """Probability outside [lo, hi] (below 0 not counted: procsim truncates there too)."""
        if self.rv is None:
            return 0.0
        below = self.rv.cdf(self.lo) - self.rv.cdf(0.0) if self.lo > 0 else 0.0
        return float(below + self.rv.sf(self.hi))


def truncated(spec: Spec) -> _Truncated:
    """The scipy view of a Prosimos distribution (see the module docstring)."""
    p = spec.params
    if spec.name == "fix":
        return _Truncated(None, p[0], p[0], constant=max(p[0], 0.0))
    if spec.name == "uniform":
        lo, hi = sorted((max(p[0], 0.0), max(p[1], 0.0)))
        return _Truncated(st.uniform(lo, max(hi - lo, 1e-12)), lo, hi)
    mean, second, lo, hi = p[0], p[1], max(p[-2], 0.0), p[-1]
    if spec.name == "expon":
        lo, hi = max(p[1], 0.0), p[2]
        scale = mean - p[1] if mean - p[1] > 0 else max(mean, 1e-12)
        return _Truncated(st.expon(loc=p[1], scale=scale), lo, hi)
    if spec.name == "norm":
        return _Truncated(st.norm(mean, max(second, 1e-12)), lo, hi)
    var = max(second, 1e-12)
    if spec.name == "lognorm":
        phi = math.sqrt(var + mean**2)
        mu, sigma = math.log(mean**2 / phi), math.sqrt(math.log(phi**2 / mean**2))
        return _Truncated(st.lognorm(sigma, scale=math.exp(mu)), lo, hi)
    return _Truncated(st.gamma(mean**2 / var, scale=var / mean), lo, hi)  # gamma


def stage_duration(specs: list[tuple[Spec, int]], unit_seconds: float) -> Mixed:
    """The procsim distribution of a task done by resources with these distributions.

    Parameters
    ----------
    specs
        Each resource's distribution and how many people it stands for.
    unit_seconds
        Seconds per process time unit (60 for minutes).

    Returns
    -------
    Mixed
    """
    kinds = {s for s, _ in specs}
    if len(kinds) == 1:
        single = _single(next(iter(kinds)), unit_seconds)
        if single is not None:
            return single
    return _mixture(specs, unit_seconds, len(kinds))


def _single(spec: Spec, u: float) -> Mixed | None:
    """The exact procsim family for one distribution, or None when none matches."""
    p = spec.params
    t = truncated(spec)
    if spec.name == "fix":
        return Mixed(
            {"dist": "constant", "value": _r(max(p[0], 0) / u)},
            p[0] / u,
            0.0,
            True,
            f"fix({p[0]:g} s)",
        )
    if spec.name == "uniform":
        lo, hi = t.lo, t.hi
        mean = (lo + hi) / 2
        cv = (hi - lo) / math.sqrt(12) / mean if mean > 0 else 0.0
        return Mixed(
            {"dist": "uniform", "low": _r(lo / u), "high": _r(hi / u)},
            mean / u,
            cv,
            True,
            f"uniform({lo:g} s, {hi:g} s)",
        )
    if t.cut() >= NEGLIGIBLE:
        return None
    mean = float(p[0])
    if spec.name == "norm":
        dist = {"dist": "normal", "mean": _r(mean / u), "sd": _r(p[1] / u)}
        cv = p[1] / mean if mean > 0 else 0.0
    elif spec.name == "expon":
        if p[1] > 0:
            return None  # shifted: no procsim family
        dist, cv = {"dist": "expon", "mean": _r(mean / u)}, 1.0
    else:
        cv = math.sqrt(max(p[1], 0.0)) / mean if mean > 0 else 0.0
        family = "lognormal" if spec.name == "lognorm" else "gamma"
        dist = {"dist": family, "mean": _r(mean / u), "cv": _r(cv)}
    bounds = f", bounds {p[-2]:g}..{p[-1]:g} s cut off {t.cut():.2%}" if t.cut() >= 5e-5 else ""
    text = f"{spec.name}({', '.join(f'{v:g}' for v in p)}){bounds}"
    return Mixed(dist, mean / u, cv, True, text)


def _mixture(specs: list[tuple[Spec, int]], u: float, kinds: int) -> Mixed:
    """Quantiles of the equally weighted mixture, as an interpolated empirical distribution."""
    parts = [(truncated(s), w) for s, w in specs]
    lows, highs = zip(*(t.support() for t, _ in parts), strict=True)
    grid = np.linspace(min(lows), max(max(highs), min(lows) + 1e-9), 4001)
    total = sum(w for _, w in parts)
    cdf = sum(w * t.cdf(grid) for t, w in parts) / total
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    probs = np.linspace(0.0, 1.0, QUANTILES)
    values = np.interp(probs, cdf, grid)
    values[0], values[-1] = grid[np.argmax(cdf > 0)] if (cdf > 0).any() else grid[0], grid[-1]
    values = np.maximum.accumulate(np.maximum(values, 0.0))
    # Mean and sd of the piecewise-linear quantile function (what procsim will draw from).
    a, b = values[:-1], values[1:]
    mean = float(((a + b) / 2).mean())
    sd = math.sqrt(max(float(((a * a + a * b + b * b) / 3).mean()) - mean**2, 0.0))
    why = (
        f"the mix of {kinds} different per-resource distributions over {total} people, each "
        "equally likely to do it"
        if kinds > 1
        else f"{specs[0][0].name}{specs[0][0].params}: no procsim family matches its bounds"
    )
    note = f"{why}, as {QUANTILES} quantiles (mean {mean:.4g} s, cv {sd / mean if mean else 0:.2f})"
    dist = {"dist": "empirical", "values": [_r(v / u) for v in values], "interpolate": True}
    return Mixed(dist, mean / u, sd / mean if mean > 0 else 0.0, False, note)


def _r(x: float) -> float:
    """4 significant digits: a config reads like a hand-written one."""
    return float(f"{x:.4g}")
