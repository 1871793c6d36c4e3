"""The "Caveats" section: what to keep in mind before trusting the numbers (the run's warnings,
few replications, no warm-up, cases still open, loose confidence intervals).

Reads ``run.json`` and the ``summary`` table of the
:class:`~procsim.review.report.run_folder.RunFolder`; near the end of the report.
"""

from __future__ import annotations

import math
from typing import Any

from procsim.review.report.blocks import Block, BulletList, Heading
from procsim.review.report.config_values import mapping
from procsim.review.report.run_folder import RunFolder, keyed_rows
from procsim.review.report.values import as_number, duration_text, kpi_label, value_text

#: Fewer replications than this earn a caveat.
FEW_REPLICATIONS = 10
#: A CI half-width above this share of the mean earns a "more replications" note.
LOOSE_CI = 0.10

_Stats = dict[tuple[str, str, str], dict[str, Any]]


def caveats_section(run: RunFolder, eval_keys: list[tuple[str, str]]) -> list[Block]:
    """The heading and the caveats; ``eval_keys`` are the KPIs whose CIs are checked."""
    return [Heading(2, "Caveats"), BulletList(_caveats(run, eval_keys), "caveats")]


def _caveats(run: RunFolder, eval_keys: list[tuple[str, str]]) -> list[str]:
    info, unit = run.info, run.unit
    r = mapping(info.get("run"))
    warnings = [str(w) for w in info.get("warnings") or []]
    items = [w[:1].upper() + w[1:] for w in warnings]
    n = (
        int(as_number(r.get("replications")))
        if math.isfinite(as_number(r.get("replications")))
        else 0
    )
    if 0 < n < FEW_REPLICATIONS and not any(f"{n} replications" in w for w in warnings):
        items.append(
            f"Only {n} replications: the confidence intervals rest on few points and can be "
            f"misleading. Run {FEW_REPLICATIONS * 2} or more before deciding "
            f"(run.replications={FEW_REPLICATIONS * 2})."
        )
    elif n >= FEW_REPLICATIONS:
        items.append(f"{n} replications per scenario.")
    items += _warmup(r, unit)
    items += [str(note) for note in info.get("notes") or []]
    stats = keyed_rows(run.summary)
    items += _still_open(run, stats)
    for label in run.labels:
        items += _loose_cis(label, stats, eval_keys, n)
    return items


def _warmup(r: dict[str, Any], unit: str) -> list[str]:
    """What the warm-up (or its absence) means for the KPIs; nothing for a run by cases."""
    warm = as_number(r.get("warmup"))
    if r.get("cases") is None and not warm > 0:
        return [
            "No warm-up: every replication starts with an empty process, so the KPIs include "
            "the start-up period and understate waiting in a steady state. Set run.warmup (or "
            "run.warmup=auto) when the question is about normal operation."
        ]
    if warm > 0:
        return [
            f"Warm-up: the first {duration_text(warm, unit)} of every replication is excluded "
            "from all KPIs (cases arriving before it are not measured)."
        ]
    return []


def _still_open(run: RunFolder, stats: _Stats) -> list[str]:
    """The cases still open at the end per scenario, whose cycle times the KPIs leave out."""
    still_open = []
    for label in run.labels:
        opened, arrived = stats.get((label, "open", "")), stats.get((label, "arrived", ""))
        if opened is None:
            continue
        text = f"{label} {value_text('open', opened['mean'], opened['half_width'], run.unit)}"
        if arrived is not None and as_number(arrived["mean"]) > 0:
            share = as_number(opened["mean"]) / as_number(arrived["mean"]) * 100
            text += f" ({share:.1f} % of arrivals)"
        still_open.append(text)
    if not still_open:
        return []
    return [
        "Cases still open at the end: "
        + "; ".join(still_open)
        + ". Their cycle times are not in the cycle-time KPIs (censored), which flatters "
        "those KPIs when many cases stay open."
    ]


def _loose_cis(label: str, stats: _Stats, eval_keys: list[tuple[str, str]], n: int) -> list[str]:
    """The KPIs of one scenario whose CI is loose, and about how many replications would
    bring them all within :data:`LOOSE_CI` of their mean."""
    loose = []
    worst = 0.0
    for metric, entity in eval_keys:
        if metric == "open":  # a small count of leftovers; reported above
            continue
        s = stats.get((label, metric, entity))
        if s is None:
            continue
        mean, half = abs(as_number(s["mean"])), as_number(s["half_width"])
        if mean > 0 and math.isfinite(half) and half / mean > LOOSE_CI:
            loose.append(f"{kpi_label(metric, entity)} (±{half / mean * 100:.0f} %)")
            worst = max(worst, half / mean)
    if not (loose and n > 0):
        return []
    more = math.ceil(n * (worst / LOOSE_CI) ** 2)
    return [
        f"{label}: the CI half-width exceeds {LOOSE_CI * 100:.0f} % of the mean for "
        + "; ".join(loose)
        + f". More replications would sharpen {'them' if len(loose) > 1 else 'it'} "
        f"(about {more} to bring {'all' if len(loose) > 1 else 'it'} within "
        f"{LOOSE_CI * 100:.0f} %; a half-width shrinks as 1/√n)."
    ]
