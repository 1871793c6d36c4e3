"""The "Figures" section: the figures drawn into the run folder, in report order, each with
its caption.

Reads ``figures/<name>.png|svg`` as :mod:`procsim.review.figures.run_figures` wrote them (by
the names of :data:`FIGURES`); a figure that was not drawn is left out.
"""

from __future__ import annotations

from pathlib import Path

from procsim.review.report.blocks import Block, Figure, Heading

#: Figures written by :mod:`procsim.review.figures.run_figures`, in report order, with their
#: captions.
FIGURES: dict[str, str] = {
    "cycle_time_distribution": (
        "Distribution of the cycle times of the cases completed after the warm-up, per "
        "scenario: the share of cases done within a given time. A curve further to the left "
        "means faster end-to-end handling; its height at an SLA line is the share of cases "
        "that meet it."
    ),
    "kpi_differences": (
        "Paired differences of the headline KPIs, redesign minus current process, with their "
        "confidence intervals: in % of the current value, and for proportions (SLA "
        "attainment, yield, efficiency) in percentage points. An interval that crosses zero "
        "is no significant change."
    ),
    "stage_waiting": (
        "Mean waiting time before each stage, per scenario: where cases queue for a person. "
        "Stages without a role (pure delays) never wait."
    ),
    "utilization": (
        "Utilization per role and scenario. Above about 85 % little capacity is left: waiting "
        "grows steeply and small changes in demand or absence cause long queues."
    ),
    "time_pareto": (
        "Where the time goes: each stage's share of the time cases spend in stages (waiting "
        "and work, summed over the stages, so parallel branches each count and the shares add "
        "up to 100 %), largest first, with the time per completed case. The top few stages "
        "are where a redesign pays off; compare scenarios by the times, since a share grows "
        "when the other stages shrink."
    ),
    "wip_over_time": (
        "Work in progress over simulated time. The warm-up is excluded from every KPI; a level "
        "curve after it suggests a steady state, a steady climb means queues keep growing."
    ),
    "sla_attainment": (
        "Share of cases that meet each SLA, per scenario, with confidence intervals and the "
        "target where one is set."
    ),
    "staffing_week": (
        "Demand and staff over an ordinary week: arrivals per hour, and the head count on duty "
        "per role with shifts, per scenario. Peaks of demand that meet a dip in staff are where "
        "queues build up."
    ),
}


def figures_section(folder: Path) -> list[Block]:
    """The heading and the figures found in ``folder/figures``; nothing when there are none."""
    figures = _figures(folder)
    if not figures:
        return []
    return [Heading(2, "Figures"), *figures]


def _figures(folder: Path) -> list[Figure]:
    """The figures that were drawn (a PNG or an SVG that is not empty), in report order."""
    out = []
    for name, caption in FIGURES.items():
        png, svg = folder / "figures" / f"{name}.png", folder / "figures" / f"{name}.svg"
        png_ok = png.is_file() and png.stat().st_size > 0
        svg_ok = svg.is_file() and svg.stat().st_size > 0
        if png_ok or svg_ok:
            out.append(Figure(name, caption, png if png_ok else None, svg if svg_ok else None))
    return out
