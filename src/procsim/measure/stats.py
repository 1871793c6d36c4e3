"""Statistics over replications: confidence intervals, paired differences, ranking, target
status and the relative precision reached.

Sits after the KPIs (:mod:`procsim.measure.kpis`): it takes the tidy per-replication KPI table
(``scenario, replication, metric, entity, value``) and returns the ``summary`` (mean, sd, n,
95% CI per KPI and scenario: t, or bootstrap-t for skewed replications) and the
``comparison`` (redesign minus current process, paired by replication: both ran on common
random numbers, so the paired CI is much tighter than one from independent runs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from procsim.measure.skewed_ci import mean_interval
from procsim.model.process import Target

KEYS = ["metric", "entity"]


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, int, float]:
    """Mean, standard deviation, n and CI half-width (Student t) of the finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), 0, float("nan")
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan"), 1, float("nan")
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return mean, sd, n, half


def ratio_interval(
    after: np.ndarray, before: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """CI of the ratio of means ``mean(after) / mean(before)`` of paired replications.

    The interval is built on the log scale (delta method, paired: the linearised values
    ``after_i / mean(after) - before_i / mean(before)`` carry the covariance) and mapped back,
    so it stays positive: a relative change ``ratio - 1`` of a count, a time or a cost can never
    reach below -100%. NaN when either mean is not positive or fewer than two pairs are finite.
    """
    a = np.asarray(after, dtype=float)
    b = np.asarray(before, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if a.size < 2 or not (a.mean() > 0 and b.mean() > 0):
        return float("nan"), float("nan")
    ratio = float(a.mean() / b.mean())
    _mean, _sd, _n, half = t_interval(a / a.mean() - b / b.mean(), level)
    return ratio * float(np.exp(-half)), ratio * float(np.exp(half))


def clip_to_range(metric: str, low: float, high: float) -> tuple[float, float]:
    """A CI cut to the values its KPI can take: a proportion (unit ``share``) to [0, 1], every
    other KPI of the catalogue (times, counts, rates, costs) to [0, inf). The true value lies
    in that range, so cutting what lies outside keeps the coverage and the interval honest."""
    from procsim.model.kpi_catalogue import CATALOGUE

    kpi = CATALOGUE.get(metric)
    if kpi is None:
        return low, high
    top = 1.0 if kpi.unit == "share" else np.inf
    return float(np.clip(low, 0.0, top)), float(np.clip(high, 0.0, top))


def excludes_zero(mean: float, n: int, half: float) -> bool:
    """True when the CI ``mean ± half`` of a paired difference (``n`` pairs) excludes 0: a
    significant difference. Fewer than two pairs cannot tell the two apart."""
    return bool(n >= 2 and np.isfinite(half) and abs(mean) > half)


def summarize(kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of every KPI, per scenario.

    Parameters
    ----------
    kpis
        Tidy table with ``scenario, replication, metric, entity, value``.
    level
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``scenario, metric, entity, mean, sd, n, half_width, ci_low, ci_high, interval``, in
        the input's row order of first appearance. ``interval`` is ``t`` (Student t) or
        ``bootstrap-t`` where the replications are skewed
        (:func:`procsim.measure.skewed_ci.mean_interval`); the CI is then asymmetric and
        ``half_width`` is its larger side. The bounds are cut to the KPI's range
        (:func:`clip_to_range`).
    """
    rows = []
    for (scenario, metric, entity), group in kpis.groupby(
        ["scenario", *KEYS], sort=False, observed=True
    ):
        mean, sd, n, low, high, method = mean_interval(group["value"].to_numpy(), level)
        half = max(mean - low, high - mean) if n > 1 else float("nan")
        low, high = clip_to_range(str(metric), low, high)
        rows.append((scenario, metric, entity, mean, sd, n, half, low, high, method))
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "metric",
            "entity",
            "mean",
            "sd",
            "n",
            "half_width",
            "ci_low",
            "ci_high",
            "interval",
        ],
    )


def skewed_note(summary: pd.DataFrame) -> list[str]:
    """The note saying which KPIs got a bootstrap-t interval (none: no note)."""
    if "interval" not in summary:
        return []
    skewed = summary[summary["interval"] == "bootstrap-t"]
    if skewed.empty:
        return []
    names = sorted(
        {
            f"{m}:{e}" if e else str(m)
            for m, e in zip(skewed["metric"], skewed["entity"], strict=True)
        }
    )
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return [
        f"{len(skewed)} of {len(summary)} confidence intervals use the bootstrap-t interval "
        f"(the replications are skewed, as in a short run from empty; the t interval would be "
        f"too short on the long side): {shown}. The column 'interval' of tables/summary.csv "
        f"says which interval each KPI has; more replications make them tighter"
    ]


def compare(kpis: pd.DataFrame, baseline: str, scenario: str, level: float = 0.95) -> pd.DataFrame:
    """Paired differences ``scenario - baseline`` of every KPI, replication by replication.

    Parameters
    ----------
    kpis
        Tidy per-replication table of both scenarios (run on common random numbers).
    baseline, scenario
        Labels to compare.
    level
        Confidence level of each interval (lower it for multiple comparisons with
        :func:`bonferroni_level`).

    Returns
    -------
    pandas.DataFrame
        ``scenario, metric, entity, before, after, diff, diff_low, diff_high, change_pct,
        change_low_pct, change_high_pct, n, level, significant, verdict``. ``significant`` is
        False when the CI of the difference includes 0, and ``verdict`` then says
        ``no significant change``; otherwise ``better``/``worse`` by the KPI's direction (or
        ``changed`` for KPIs where neither is better, and for informational counts such as
        throughput, see :class:`procsim.model.kpi_catalogue.Kpi`). ``change_low_pct`` and
        ``change_high_pct`` bound the relative change by a ratio interval
        (:func:`ratio_interval`), so they never reach below -100% for a quantity that cannot
        be negative.
    """
    from procsim.model.kpi_catalogue import CATALOGUE

    base = kpis[kpis["scenario"] == baseline]
    alt = kpis[kpis["scenario"] == scenario]
    merged = base.merge(alt, on=["replication", *KEYS], suffixes=("_b", "_a"))
    rows = []
    for (metric, entity), g in merged.groupby(KEYS, sort=False, observed=True):
        b = g["value_b"].to_numpy(dtype=float)
        a = g["value_a"].to_numpy(dtype=float)
        before = float(np.nanmean(b)) if np.isfinite(b).any() else np.nan
        after = float(np.nanmean(a)) if np.isfinite(a).any() else np.nan
        mean, _sd, n, half = t_interval(a - b, level)
        scale = 100 / before if before and np.isfinite(before) else np.nan
        significant = excludes_zero(mean, n, half)
        # The relative change is a ratio of means minus 1: its CI comes from a ratio interval
        # (positive by construction) where both means are positive, so a count or a time never
        # "falls by more than 100%"; else from the difference, cut at -100%.
        r_low, r_high = ratio_interval(a, b, level)
        if np.isfinite(r_low) and np.all(a[np.isfinite(a)] >= 0) and np.all(b[np.isfinite(b)] >= 0):
            p_low, p_high = (r_low - 1) * 100, (r_high - 1) * 100
        else:
            p_low, p_high = (mean - half) * scale, (mean + half) * scale
            if np.all(a[np.isfinite(a)] >= 0):
                p_low, p_high = max(p_low, -100.0), max(p_high, -100.0)
        better = CATALOGUE[str(metric)].verdict if str(metric) in CATALOGUE else None
        if not significant:
            verdict = "no significant change"
        elif better is None:
            verdict = "changed"
        else:
            verdict = "better" if (mean < 0) == (better == "lower") else "worse"
        rows.append(
            (scenario, metric, entity, before, after, mean, mean - half, mean + half,
             mean * scale, p_low, p_high, n, level,
             significant, verdict)
        )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=[
            "scenario", "metric", "entity", "before", "after", "diff", "diff_low", "diff_high",
            "change_pct", "change_low_pct", "change_high_pct", "n", "level", "significant",
            "verdict",
        ],
    )  # fmt: skip


def target_status(low: float, high: float, target: Target) -> str:
    """``met`` when the whole CI meets the target, ``missed`` when none of it does, else
    ``uncertain`` (more replications may decide)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "uncertain"
    if target.met(low) and target.met(high):
        return "met"
    if not target.met(low) and not target.met(high):
        return "missed"
    return "uncertain"


def bonferroni_level(level: float, comparisons: int) -> float:
    """Per-comparison confidence level that keeps the familywise level at ``level``."""
    return 1 - (1 - level) / max(comparisons, 1)


def relative_precision(summary: pd.DataFrame, kpis: tuple[str, ...]) -> pd.DataFrame:
    """Half-width / |mean| of the chosen KPIs (``metric`` or ``metric:entity``), per scenario."""
    rows = []
    for item in kpis:
        metric, _, entity = item.partition(":")
        sub = summary[(summary["metric"] == metric) & (summary["entity"] == entity)]
        for r in sub.to_dict("records"):
            mean, half = float(r["mean"]), float(r["half_width"])
            rel = abs(half / mean) if mean else (0.0 if half == 0 else float("inf"))
            rows.append((r["scenario"], item, rel, int(r["n"])))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "relative_half_width", "n"])


def replications_needed(n: int, reached: float, wanted: float) -> int:
    """Replications for a relative half-width ``wanted`` given ``reached`` with ``n``: the
    half-width shrinks as 1/sqrt(n), so ``n * (reached / wanted)^2`` (rounded up)."""
    if not np.isfinite(reached):
        return 2 * n
    return int(np.ceil(n * (reached / wanted) ** 2))


def ranking(
    summary: pd.DataFrame,
    metric: str,
    entity: str = "",
    kpis: pd.DataFrame | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Scenarios ranked on one KPI (best first, by the catalogue's direction), with ties.

    Parameters
    ----------
    summary
        The ``summary`` table.
    metric, entity
        The KPI to rank on.
    kpis
        The per-replication table. With it, every scenario is compared with the best one,
        paired by replication (all ran on common random numbers), and is ``tied`` with it
        when the CI of the difference includes 0. The CIs are Bonferroni-corrected over the
        comparisons with the best, so that they hold together at ``level``.
    level
        Familywise confidence level of the comparisons with the best.

    Returns
    -------
    pandas.DataFrame
        ``rank, scenario, metric, entity, mean, ci_low, ci_high``, and with ``kpis`` also
        ``vs_best`` (mean paired difference scenario minus best), ``vs_best_low``,
        ``vs_best_high`` and ``tied`` (True for the best itself).
    """
    from procsim.model.kpi_catalogue import CATALOGUE

    sub = summary[(summary["metric"] == metric) & (summary["entity"] == entity)].copy()
    higher = CATALOGUE[metric].better == "higher"
    sub = sub.sort_values("mean", ascending=not higher, kind="stable")
    sub.insert(0, "rank", np.arange(1, len(sub) + 1))
    columns = ["rank", "scenario", "metric", "entity", "mean", "ci_low", "ci_high"]
    if kpis is None or sub.empty:
        return sub[columns]
    rows = kpis[(kpis["metric"] == metric) & (kpis["entity"] == entity)]
    values = rows.pivot_table(
        index="replication", columns="scenario", values="value", observed=True, aggfunc="first"
    )
    best = str(sub["scenario"].iloc[0])
    each = bonferroni_level(level, len(sub) - 1)
    diffs = []
    for scenario in sub["scenario"].astype(str):
        if scenario == best:
            diffs.append((0.0, 0.0, 0.0, True))
        elif scenario not in values or best not in values:
            diffs.append((np.nan, np.nan, np.nan, False))
        else:
            mean, _sd, n, half = t_interval((values[scenario] - values[best]).to_numpy(), each)
            # Fewer than two pairs cannot tell the two apart: tied.
            diffs.append((mean, mean - half, mean + half, not excludes_zero(mean, n, half)))
    sub[["vs_best", "vs_best_low", "vs_best_high"]] = [d[:3] for d in diffs]
    sub["tied"] = [d[3] for d in diffs]
    return sub[[*columns, "vs_best", "vs_best_low", "vs_best_high", "tied"]]
