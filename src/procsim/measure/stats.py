"""Statistics over replications: confidence intervals and paired differences.

Sits after metrics: it takes the tidy per-replication KPI table (``scenario, replication, metric,
entity, value``) and returns the ``summary`` (mean, sd, n, 95% CI per KPI and scenario) and the
``comparison`` (redesign minus current process, paired by replication: both ran on common random
numbers, so the paired CI is much tighter than one from independent runs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

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
        ``scenario, metric, entity, mean, sd, n, half_width, ci_low, ci_high``, in the input's
        row order of first appearance.
    """
    rows = []
    for (scenario, metric, entity), group in kpis.groupby(
        ["scenario", *KEYS], sort=False, observed=True
    ):
        mean, sd, n, half = t_interval(group["value"].to_numpy(), level)
        rows.append((scenario, metric, entity, mean, sd, n, half, mean - half, mean + half))
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
        ],
    )


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
        throughput, see :class:`procsim.model.kpi_catalogue.Kpi`).
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
        better = CATALOGUE[str(metric)].verdict if str(metric) in CATALOGUE else None
        if not significant:
            verdict = "no significant change"
        elif better is None:
            verdict = "changed"
        else:
            verdict = "better" if (mean < 0) == (better == "lower") else "worse"
        rows.append(
            (scenario, metric, entity, before, after, mean, mean - half, mean + half,
             mean * scale, (mean - half) * scale, (mean + half) * scale, n, level,
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


def mser(series: np.ndarray, batch: int = 5) -> int:
    """MSER-``batch`` truncation point of an output series (index into ``series``).

    Batch means of ``batch`` observations are formed; the truncation ``d`` minimises the
    squared standard error of the mean of what remains, ``sum((x - mean)^2) / (n - d)^2``,
    searched over the first half of the series (White, 1997; MSER-5 with ``batch=5``).
    """
    x = np.asarray(series, dtype=float)
    n = x.size // batch
    if n < 4:
        return 0
    means = x[: n * batch].reshape(n, batch).mean(axis=1)
    # Sums over the tail means[d:], for every d, from cumulative sums taken from the end.
    tail_sum = np.cumsum(means[::-1])[::-1]
    tail_sq = np.cumsum((means**2)[::-1])[::-1]
    remaining = np.arange(n, 0, -1, dtype=float)
    sse = tail_sq - tail_sum**2 / remaining
    stat = sse / remaining**2
    d = int(np.argmin(stat[: n // 2 + 1]))
    return d * batch


def left_column(cases: pd.DataFrame) -> str:
    """The column of ``cases`` that says when a case left the system: ``left_time`` (however
    it left), or ``completion_time`` in a log without outcomes."""
    return "left_time" if "left_time" in cases else "completion_time"


def wip_series(cases: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    """Work in progress at each time of ``grid``: cases with ``arrival <= t < left``.

    A case leaves the system when it completes, abandons or balks; only an open case counts
    until the end. Counting abandoned and balked cases until their (never coming) completion
    would make the series climb for ever in a process where customers give up.

    Parameters
    ----------
    cases
        ``arrival_time`` and ``left_time`` (NaN while open) of one scenario and replication.
        Without ``left_time`` (a log whose cases only complete or stay open),
        ``completion_time`` is used.
    grid
        Times at which to count.

    Returns
    -------
    numpy.ndarray
        The number of cases in the system at each grid time.
    """
    arrival = np.sort(cases["arrival_time"].to_numpy(dtype=float))
    left = cases[left_column(cases)].to_numpy(dtype=float)
    left = np.sort(left[~np.isnan(left)])
    arrived = np.searchsorted(arrival, grid, side="right")
    gone = np.searchsorted(left, grid, side="right")
    return (arrived - gone).astype(float)


def auto_warmup(cases: pd.DataFrame, horizon: float, points: int = 500) -> float:
    """Warm-up estimated by MSER-5 on the mean WIP over replications, per scenario; the
    largest over scenarios, so that every scenario is measured over the same window."""
    grid = np.linspace(0.0, horizon, points, endpoint=False)
    warmup = 0.0
    for _, by_scenario in cases.groupby("scenario", sort=False, observed=True):
        series = np.mean(
            [wip_series(g, grid) for _, g in by_scenario.groupby("replication", sort=True)],
            axis=0,
        )
        warmup = max(warmup, float(grid[mser(series)]))
    return warmup


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
