"""The fit report: how well each fitted item matches the log, as figures and a document.

Sits beside :mod:`procsim.mining.yaml_writer` at the end of the fitting data flow: a discovered
process (:class:`procsim.mining.discover.ProcessFit`) in, ``report.html`` (self-contained),
``report.md`` and PNG figures out: per activity a QQ plot of the observed durations against the
chosen family, the arrival rate by hour of week, and the head count on duty per role.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from procsim.errors import Issue
from procsim.mining.process_fit import ProcessFit
from procsim.model.distributions import parse_distribution
from procsim.review.figures.scenarios import PALETTE
from procsim.review.figures.staffing_week import plot_staffing_week
from procsim.review.figures.style import WIDTH, save_figure, week_axis
from procsim.review.report.blocks import Block, Cell, Heading, Para, Table
from procsim.review.report.blocks import Figure as DocFigure
from procsim.review.report.render import render

_POINTS = 200


def _qq(fit: ProcessFit, folder: Path) -> Path | None:
    """Small multiples: observed quantiles against the fitted family's, per activity."""
    acts = [a for a in fit.activities if a.duration is not None and a.observed.size >= 2]
    if not acts:
        return None
    cols = min(3, len(acts))
    rows = math.ceil(len(acts) / cols)
    fig = Figure(figsize=(WIDTH, 0.4 + 2.3 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    probs = (np.arange(_POINTS) + 0.5) / _POINTS
    for ax, a in zip(axes.flat, acts, strict=False):
        assert a.duration is not None
        issues: list[Issue] = []
        dist = parse_distribution(dict(a.duration.chosen.spec), a.key, "hours", issues)
        observed = np.quantile(a.observed, probs)
        if dist is None:
            continue
        fitted = dist.ppf(probs)
        positive = (observed > 0) & (fitted > 0)
        ax.loglog(fitted[positive], observed[positive], ".", ms=3, color=PALETTE[1])
        low = float(min(fitted[positive].min(), observed[positive].min())) if positive.any() else 1
        high = float(max(fitted[positive].max(), observed[positive].max())) if positive.any() else 1
        ax.plot([low, high], [low, high], color="#888888", lw=0.8, ls="--")
        ax.set_title(f"{a.key[:28]}\n{a.duration.chosen.family}, KS {a.duration.chosen.ks:.3f}",
                     fontsize=8.5)  # fmt: skip
        ax.tick_params(labelsize=7.5)
    for ax in list(axes.flat)[len(acts) :]:
        ax.set_visible(False)
    fig.supxlabel("fitted quantile (hours)", fontsize=9)
    fig.supylabel("observed quantile (hours)", fontsize=9)
    fig.suptitle("Durations: observed against fitted quantiles (on the line = good fit)")
    path = folder / "durations_qq.png"
    save_figure(fig, path, "png")
    return path


def _arrivals(fit: ProcessFit, folder: Path) -> Path:
    fig = Figure(figsize=(WIDTH, 2.8), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(np.arange(168) + 0.5, fit.arrivals, width=1.0, color=PALETTE[1])
    week_axis(ax)
    ax.set_ylabel("cases per hour")
    ax.set_title("Arrivals by hour of week (mean over the weeks of the log)")
    path = folder / "arrivals.png"
    save_figure(fig, path, "png")
    return path


def _staffing(fit: ProcessFit, folder: Path) -> Path | None:
    if not fit.roles:
        return None
    model = {
        "arrivals_per_hour": {"hours": list(range(168)), "values": fit.arrivals.tolist()},
        "roles": [
            {
                "name": r.key,
                "shifts": True,
                "on_duty_week": {"hours": list(range(168)), "values": r.staffing.tolist()},
            }
            for r in fit.roles
        ],
    }
    fig = plot_staffing_week({"fitted": model})
    path = folder / "staffing.png"
    save_figure(fig, path, "png")
    return path


def write_fit_report(fit: ProcessFit, folder: Path, config_path: Path) -> Path:
    """Write the fit report into ``folder``; return the path of ``report.html``."""
    from procsim.files import write_text

    figures = folder / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    rows: list[list[Cell]] = []
    for a in fit.activities:
        if a.batch:
            how = "batch at " + ", ".join(a.batch)
        elif a.duration is not None:
            spec = dict(a.duration.chosen.spec)
            how = ", ".join(f"{k}={v}" for k, v in spec.items() if k != "values")
            how += f" (KS {a.duration.chosen.ks:.3f})"
        else:
            how = f"constant {a.constant:.3g} h (few data)"
        delay = f"{a.delay_share:.0%} wait {a.delay_mean:.3g} h" if a.delay is not None else ""
        rows.append([a.name, f"{a.count:,}", a.role or "(delay)", how, delay])
    blocks: list[Block] = [
        Heading(2, "What was fitted"),
        Para(
            f"{fit.cases:,} cases and {fit.events:,} events from {fit.source}, "
            f"{fit.first:%Y-%m-%d} to {fit.last:%Y-%m-%d}; the config is {config_path}."
        ),
        Table(
            ["activity", "instances", "role", "duration", "waiting not for staff"],
            rows,
            numeric=frozenset({1}),
        ),
    ]
    if fit.notes:
        blocks.append(Heading(2, "Notes"))
        blocks += [Para(n, "note") for n in fit.notes]
    blocks.append(Heading(2, "Figures"))
    captions = {
        "durations_qq": "Observed duration quantiles against the fitted family's, per "
        "activity (log scales); points on the dashed line mean a good fit.",
        "arrivals": "Arrival rate by hour of week, as fitted: first events of the cases.",
        "staffing": "Head count on duty per role by hour of week, as fitted, against demand.",
    }
    for path in (_qq(fit, figures), _arrivals(fit, figures), _staffing(fit, figures)):
        if path is not None:
            blocks.append(DocFigure(path.stem, captions[path.stem], path, None))
    title = f"Fit: {fit.name}"
    html, md = render(title, f"Fitted from {fit.source} by procsim-fit.", blocks)
    write_text(folder / "report.html", html)
    write_text(folder / "report.md", md)
    return folder / "report.html"
