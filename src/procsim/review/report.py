"""The feasibility-review report: one self-contained HTML page and a Markdown twin per run.

Sits last in the data flow, after :mod:`procsim.review.figures`::

    ... -> stats -> tables, files (api.Results.save) -> plots (figures/) -> report

It reads only what a run saved in its folder (``run.json``, ``tables/``, ``resolved/`` and
``figures/``) and never simulates, so ``procsim-report <run folder>`` can rebuild the report of
any past run. Both files carry the same content, built once as a list of blocks (headings,
paragraphs, tables, code, figures) and rendered twice: ``report.html`` embeds its CSS and its
figures (base64 PNG, or inline SVG) so it opens offline and prints on A4; ``report.md``
references the figures by relative path. Text taken from configs is escaped in both.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from procsim.errors import ProcsimError
from procsim.files import write_text
from procsim.model.kpi_catalogue import CATALOGUE, GLANCE, HEADLINE, in_points
from procsim.model.process import BASELINE
from procsim.model.units import UNIT_HOURS, parse_time
from procsim.review.terminal import format_value, level_text, short_unit
from procsim.versions import __version__

__all__ = ["FIGURES", "ReportInputError", "build_report", "read_run", "what_changed"]

DASH = "—"

#: Offered load per person at or above which a role is flagged.
HIGH_LOAD = 0.85
UNSTABLE_LOAD = 1.0
#: Fewer replications than this earn a caveat.
FEW_REPLICATIONS = 10
#: A CI half-width above this share of the mean earns a "more replications" note.
LOOSE_CI = 0.10

#: Figures written by :mod:`procsim.review.figures`, in report order, with their captions.
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

_REQUIRED_TABLES = ("summary", "targets")
_TIME_PARAMS = frozenset({"mean", "low", "high", "mode", "sd", "scale", "value", "values", "loc"})


class ReportInputError(ProcsimError):
    """A folder that is not a complete procsim run folder (names the path and what is missing)."""


# --------------------------------------------------------------------------------------------
# What changed: a redesign's resolved config against the current process
# --------------------------------------------------------------------------------------------


def what_changed(current: Mapping[str, Any], proposed: Mapping[str, Any]) -> pd.DataFrame:
    """Diff a redesign's resolved config against the current process, for people.

    Parameters
    ----------
    current, proposed
        Model configs as saved in ``resolved/<label>.yaml`` (sections ``process``, ``roles``,
        ``staffing``, ``arrivals``, ``sla``, ``targets``, ``run``). ``null`` entries (what a
        scenario removed) count as absent; ``next: b`` equals ``next: {b: 1.0}``; times equal
        after unit conversion (``60min`` is ``1h``); defaults (``value: necessary``, ``cost: 0``)
        equal their absence.

    Returns
    -------
    pandas.DataFrame
        Columns ``area, item, current, proposed`` (all text; ``—`` where something is absent),
        in the order: process, stages (removed, added, changed role / duration / value / cost),
        routing, staffing, role cost, arrivals, SLA, target, run. Empty when nothing differs.

    Examples
    --------
    >>> a = {"staffing": {"clerk": 1}}
    >>> what_changed(a, {"staffing": {"clerk": 2}}).values.tolist()
    [['staffing', 'clerk', '1', '2']]
    """
    rows: list[tuple[str, str, str, str]] = []
    cp, pp = _section(current, "process"), _section(proposed, "process")
    unit_c, unit_p = _unit(cp), _unit(pp)
    if unit_c != unit_p:
        rows.append(("process", "time unit", unit_c, unit_p))

    sc, sp = _present(cp.get("stages")), _present(pp.get("stages"))
    start_c = str(cp.get("start") or next(iter(sc), DASH))
    start_p = str(pp.get("start") or next(iter(sp), DASH))
    if start_c != start_p:
        rows.append(("routing", "start", start_c, start_p))
    for name, stage in sc.items():
        if name not in sp:
            rows.append(("stages", name, _stage_text(stage), "removed"))
    for name, stage in sp.items():
        if name not in sc:
            rows.append(("stages", name, DASH, "added: " + _stage_text(stage)))
    both = [name for name in sc if name in sp]
    for name in both:
        a, b = _mapping(sc[name]), _mapping(sp[name])
        if a.get("role") != b.get("role"):
            rows.append(("stages", f"{name}: role", _role_text(a), _role_text(b)))
        if _dist_key(a.get("duration"), unit_c) != _dist_key(b.get("duration"), unit_p):
            rows.append(
                (
                    "stages",
                    f"{name}: duration",
                    _dist_text(a.get("duration")),
                    _dist_text(b.get("duration")),
                )
            )
        value_a, value_b = a.get("value") or "necessary", b.get("value") or "necessary"
        if value_a != value_b:
            rows.append(("stages", f"{name}: value", str(value_a), str(value_b)))
        if not _same(a.get("cost") or 0, b.get("cost") or 0):
            rows.append(
                ("stages", f"{name}: cost", _text(a.get("cost") or 0), _text(b.get("cost") or 0))
            )
    for name in both:
        ea, eb = _edges(_mapping(sc[name]).get("next")), _edges(_mapping(sp[name]).get("next"))
        for target in [*ea, *(t for t in eb if t not in ea)]:
            if not _same(ea.get(target), eb.get(target)):
                rows.append(
                    ("routing", f"{name} → {target}", _text(ea.get(target)), _text(eb.get(target)))
                )

    staff_c, staff_p = _present(current.get("staffing")), _present(proposed.get("staffing"))
    roles_c, roles_p = _present(current.get("roles")), _present(proposed.get("roles"))
    for role in [*staff_c, *(r for r in staff_p if r not in staff_c)]:
        a_n, b_n = staff_c.get(role), staff_p.get(role)
        if a_n is None or b_n is None:
            rows.append(
                (
                    "staffing",
                    role,
                    _staff_text(a_n, roles_c.get(role)),
                    _staff_text(b_n, roles_p.get(role)),
                )
            )
        elif not _same(a_n, b_n):
            rows.append(("staffing", role, _text(a_n), _text(b_n)))
    for role in staff_c:
        if role in staff_p:
            cost_a = _mapping(roles_c.get(role)).get("cost_per_hour") or 0
            cost_b = _mapping(roles_p.get(role)).get("cost_per_hour") or 0
            if not _same(cost_a, cost_b):
                rows.append(
                    ("role cost", role, f"{_text(cost_a)} per hour", f"{_text(cost_b)} per hour")
                )

    arr_c, arr_p = _section(current, "arrivals"), _section(proposed, "arrivals")
    for key in [*arr_c, *(k for k in arr_p if k not in arr_c)]:
        a_v, b_v = arr_c.get(key), arr_p.get(key)
        if _dist_key(a_v, unit_c) != _dist_key(b_v, unit_p):
            item = "interarrival time" if key == "interarrival" else str(key)
            rows.append(("arrivals", item, _dist_text(a_v), _dist_text(b_v)))

    sla_c, sla_p = _present(current.get("sla")), _present(proposed.get("sla"))
    for name in [*sla_c, *(n for n in sla_p if n not in sla_c)]:
        a_s, b_s = sla_c.get(name), sla_p.get(name)
        if _sla_key(a_s, unit_c) != _sla_key(b_s, unit_p):
            rows.append(("SLA", name, _sla_text(a_s), _sla_text(b_s)))

    tgt_c, tgt_p = _present(current.get("targets")), _present(proposed.get("targets"))
    for name in [*tgt_c, *(n for n in tgt_p if n not in tgt_c)]:
        a_t, b_t = tgt_c.get(name), tgt_p.get(name)
        if _target_key(a_t, unit_c) != _target_key(b_t, unit_p):
            rows.append(("target", name, _target_text(a_t), _target_text(b_t)))

    run_c, run_p = _section(current, "run"), _section(proposed, "run")
    for key in [*run_c, *(k for k in run_p if k not in run_c)]:
        if run_c.get(key) != run_p.get(key):
            rows.append(("run", str(key), _text(run_c.get(key)), _text(run_p.get(key))))
    return pd.DataFrame(rows, columns=["area", "item", "current", "proposed"])


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _section(config: Mapping[str, Any], key: str) -> dict[str, Any]:
    return _mapping(config.get(key))


def _present(value: Any) -> dict[str, Any]:
    """Entries of a mapping that a scenario did not remove (``null``)."""
    return {k: v for k, v in _mapping(value).items() if v is not None}


def _unit(process: Mapping[str, Any]) -> str:
    from procsim.model.units import canonical_unit

    raw = process.get("time_unit")
    return (canonical_unit(raw) if isinstance(raw, str) else None) or "hours"


def _text(value: Any) -> str:
    """A config value as short text (``—`` for nothing)."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _hours(value: Any, unit: str) -> Any:
    """A time parameter in hours (numbers are in ``unit``); other values unchanged."""
    if isinstance(value, list):
        return [_hours(v, unit) for v in value]
    try:
        return round(parse_time(value, unit) * UNIT_HOURS[unit], 9)
    except (ValueError, KeyError):
        return value


def _dist_key(value: Any, unit: str) -> Any:
    """A distribution in a comparable form (times in hours)."""
    if not isinstance(value, Mapping):
        return _hours(value, unit) if value is not None else None
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = str(k)
        if key == "dist":
            out[key] = str(v).lower()
        elif key in _TIME_PARAMS:
            out[key] = _hours(v, unit)
        else:
            out[key] = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
    return tuple(sorted(out.items(), key=lambda kv: kv[0]))


def _dist_text(value: Any) -> str:
    """``lognormal(mean=2h, cv=1)`` as the analyst wrote it."""
    if not isinstance(value, Mapping):
        return _text(value)
    params = []
    for k, v in value.items():
        if k == "dist":
            continue
        if k == "values" and isinstance(v, list):
            params.append(f"n={len(v)} values")
        else:
            params.append(f"{k}={_text(v)}")
    return f"{value.get('dist', '?')}({', '.join(params)})"


def _edges(value: Any) -> dict[str, float]:
    """Routing as ``{successor: probability}``; ``end`` stands for leaving the process."""
    if value is None:
        return {"end": 1.0}
    if isinstance(value, str):
        return {"end" if value == "exit" else value: 1.0}
    edges = {("end" if str(k) == "exit" else str(k)): v for k, v in _present(value).items()}
    return {k: float(v) if isinstance(v, int | float) else v for k, v in edges.items()} or {
        "end": 1.0
    }


def _edges_text(value: Any) -> str:
    edges = _edges(value)
    if len(edges) == 1:
        return next(iter(edges))
    return ", ".join(f"{k} {_text(v)}" for k, v in edges.items())


def _role_text(stage: Mapping[str, Any]) -> str:
    role = stage.get("role")
    return str(role) if role is not None else "none (a delay)"


def _stage_text(stage: Any) -> str:
    s = _mapping(stage)
    role = s.get("role")
    who = str(role) if role is not None else "delay"
    return f"{who}, {_dist_text(s.get('duration'))}, next: {_edges_text(s.get('next'))}"


def _staff_text(count: Any, role: Any) -> str:
    if count is None:
        return DASH
    cost = _mapping(role).get("cost_per_hour")
    return _text(count) + (f" at {_text(cost)} per hour" if cost is not None else "")


def _sla_key(value: Any, unit: str) -> Any:
    if value is None:
        return None
    s = _mapping(value)
    return (
        _hours(s.get("within"), unit),
        str(s.get("from") or "arrival"),
        str(s.get("to") or "completion"),
        s.get("target"),
    )


def _sla_text(value: Any) -> str:
    if value is None:
        return DASH
    s = _mapping(value)
    text = (
        f"within {_text(s.get('within'))}, {s.get('from') or 'arrival'} → "
        f"{s.get('to') or 'completion'}"
    )
    target = s.get("target")
    if isinstance(target, int | float):
        text += f", target {target * 100:g} %"
    return text


def _target_key(value: Any, unit: str) -> Any:
    if value is None:
        return None
    t = _mapping(value)
    op = "max" if t.get("max") is not None else "min"
    return (t.get("kpi"), t.get("of"), op, _hours(t.get(op), unit))


def _target_text(value: Any) -> str:
    if value is None:
        return DASH
    t = _mapping(value)
    name = str(t.get("kpi", "?")) + (f" of {t['of']}" if t.get("of") else "")
    if t.get("max") is not None:
        return f"{name} <= {_text(t['max'])}"
    return f"{name} >= {_text(t.get('min'))}"


# --------------------------------------------------------------------------------------------
# Document blocks, rendered to HTML and to Markdown
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _C:
    """A table cell with a CSS class (a coloured badge) and/or a small note under it."""

    text: str
    css: str = ""
    note: str = ""


#: A table cell: plain text, or text with a badge class and a note.
Cell = str | _C


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Para:
    text: str
    css: str = ""


@dataclass(frozen=True)
class _List:
    items: list[str]
    css: str = ""


@dataclass(frozen=True)
class _Table:
    header: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()
    css: str = ""


@dataclass(frozen=True)
class _Code:
    text: str


@dataclass(frozen=True)
class _Figure:
    name: str
    caption: str
    png: Path | None
    svg: Path | None


Block = _Heading | _Para | _List | _Table | _Code | _Figure


@dataclass
class _Run:
    """What a run folder holds, read once."""

    folder: Path
    info: dict[str, Any]
    summary: pd.DataFrame
    targets: pd.DataFrame
    comparison: pd.DataFrame | None
    ranking: pd.DataFrame | None
    resolved: dict[str, dict[str, Any]]
    labels: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        model = _mapping(_mapping(self.info.get("models")).get(BASELINE))
        unit = model.get("time_unit")
        return str(unit) if unit else "hours"

    @property
    def process_name(self) -> str:
        model = _mapping(_mapping(self.info.get("models")).get(BASELINE))
        name = model.get("name") or _section(self.resolved.get(BASELINE, {}), "process").get("name")
        return str(name or "process")


def _cell_text(cell: Cell) -> str:
    if isinstance(cell, str):
        return cell
    return cell.text + (f" ({cell.note})" if cell.note else "")


_HTML_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: str) -> str:
    """Markdown-safe text: nothing a renderer would take for raw HTML."""
    return _HTML_TAG.sub("&lt;", text)


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def _to_markdown(title: str, blocks: Iterable[Block]) -> str:
    out = [f"# {_md(title)}", ""]
    for b in blocks:
        if isinstance(b, _Heading):
            out += ["#" * b.level + " " + _md(b.text), ""]
        elif isinstance(b, _Para):
            out += [("> " if b.css else "") + _md(b.text), ""]
        elif isinstance(b, _List):
            out += [f"- {_md(item)}" for item in b.items] + [""]
        elif isinstance(b, _Table):
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append(
                "|"
                + "|".join("---:" if i in b.numeric else "---" for i in range(len(b.header)))
                + "|"
            )
            for row in b.rows:
                out.append("| " + " | ".join(_md_cell(_cell_text(c)) for c in row) + " |")
            out.append("")
        elif isinstance(b, _Code):
            fence = "````" if "```" in b.text else "```"
            out += [fence + "bash", b.text, fence, ""]
        else:
            path = b.png or b.svg
            assert path is not None
            out += [f"![{_md_cell(b.name)}](figures/{path.name})", "", f"*{_md(b.caption)}*", ""]
    return "\n".join(out).rstrip() + "\n"


def _to_html(title: str, subtitle: str, blocks: Iterable[Block]) -> str:
    e = html.escape
    body: list[str] = [f"<header><h1>{e(title)}</h1><p class='sub'>{e(subtitle)}</p></header>"]
    keep = False  # a heading, its notes and the first table/list/figure print on one page
    for b in blocks:
        if isinstance(b, _Heading):
            if not keep:
                body.append("<div class='keep'>")
                keep = True
            body.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, _Para):
            css = f" class='{e(b.css)}'" if b.css else ""
            body.append(f"<p{css}>{e(b.text)}</p>")
        elif isinstance(b, _List):
            css = f" class='{e(b.css)}'" if b.css else ""
            body.append(f"<ul{css}>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, _Table):
            body.append(_html_table(b))
        elif isinstance(b, _Code):
            body.append(f"<pre><code>{e(b.text)}</code></pre>")
        else:
            body.append(_html_figure(b))
        if keep and not isinstance(b, _Heading | _Para):
            body.append("</div>")
            keep = False
    if keep:
        body.append("</div>")
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta name='generator' content='procsim-report {e(__version__)}'>\n"
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _html_table(t: _Table) -> str:
    e = html.escape

    def cell(c: Cell, i: int, tag: str) -> str:
        classes = ["num"] if i in t.numeric else []
        if isinstance(c, str):
            inner = e(c)
        else:
            inner = f"<span class='{e(c.css)}'>{e(c.text)}</span>" if c.css else e(c.text)
            if c.note:
                inner += f"<span class='ci'>{e(c.note)}</span>"
        css = f" class='{' '.join(classes)}'" if classes else ""
        return f"<{tag}{css}>{inner}</{tag}>"

    head = "".join(cell(h, i, "th") for i, h in enumerate(t.header))
    rows = "".join(
        "<tr>" + "".join(cell(c, i, "td") for i, c in enumerate(r)) + "</tr>" for r in t.rows
    )
    css = f" class='{e(t.css)}'" if t.css else ""
    return (
        f"<div class='table'><table{css}><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


_SVG_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL | re.IGNORECASE)


#: Building blocks of a report document, for other report writers (the fit report).
Heading, Para, BulletList, Table, Figure = _Heading, _Para, _List, _Table, _Figure


def render(title: str, subtitle: str, blocks: list[Block]) -> tuple[str, str]:
    """(HTML, Markdown) of a document made of report blocks, in the report's style.

    The HTML is self-contained (figures embedded) and prints well; the Markdown refers to the
    figures as ``figures/<file>``.
    """
    return _to_html(title, subtitle, blocks), _to_markdown(title, blocks)


def _html_figure(f: _Figure) -> str:
    e = html.escape
    if f.png is not None:
        data = base64.b64encode(f.png.read_bytes()).decode("ascii")
        image = f"<img src='data:image/png;base64,{data}' alt='{e(f.caption)}'>"
    else:
        assert f.svg is not None
        svg = f.svg.read_text(encoding="utf-8")
        image = _SVG_METADATA.sub("", _SVG_PROLOG.sub("", svg, count=1))
    return f"<figure id='fig-{e(f.name)}'>{image}<figcaption>{e(f.caption)}</figcaption></figure>"


_CSS = """
:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee6; --band: #f4f6f9;
  --good: #1e7b3a; --good-bg: #e3f3e7; --bad: #b3261e; --bad-bg: #fbe7e5;
  --warn: #8a5a00; --warn-bg: #fff2d6; --accent: #2b5c9e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 32px 48px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 8px; padding-bottom: 10px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 8px; padding-bottom: 3px; border-bottom: 1px solid var(--line);
  color: var(--accent); break-after: avoid; page-break-after: avoid; }
h3 { font-size: 16px; margin: 20px 0 6px; break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0 10px; }
p.sub { color: var(--muted); margin: 0; }
p.note { color: var(--muted); font-size: 13px; }
ul { margin: 6px 0 12px; padding-left: 22px; }
li { margin: 3px 0; }
ul.caveats li::marker { color: var(--warn); }
div.table { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px;
  font-variant-numeric: tabular-nums; }
th, td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: var(--band); font-weight: 600; border-bottom: 2px solid #b9c1cd;
  white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.changes td:first-child { white-space: nowrap; color: var(--muted); }
table.changes td:nth-child(2) { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
  "Liberation Mono", monospace; font-size: 12.5px; }
table.changes td:nth-child(n+3) { overflow-wrap: anywhere; }
table.evaluation td:nth-child(n+5) { white-space: nowrap; }
table.settings td:first-child { white-space: nowrap; color: var(--muted); width: 11em; }
span.ci { display: block; color: var(--muted); font-size: 12px; white-space: nowrap; }
span.met, span.better, span.ok { color: var(--good); background: var(--good-bg); }
span.missed, span.worse, span.unstable { color: var(--bad); background: var(--bad-bg); }
span.uncertain, span.high { color: var(--warn); background: var(--warn-bg); }
span.met, span.missed, span.uncertain, span.better, span.worse, span.high, span.unstable,
span.ok { padding: 1px 6px; border-radius: 4px; font-weight: 600; white-space: nowrap; }
span.same { color: var(--muted); }
pre { background: #f3f5f8; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace, "SFMono-Regular",
  Menlo, Consolas, "Liberation Mono", monospace; }
figure { margin: 14px 0 22px; text-align: center; }
figure img, figure svg { max-width: min(100%, 900px); height: auto;
  border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; text-align: left; }
@media print {
  @page { size: A4; margin: 14mm 13mm 16mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 18pt; }
  h2 { font-size: 13.5pt; margin-top: 18pt; }
  table { font-size: 8.5pt; page-break-inside: avoid; break-inside: avoid; }
  th, td { padding: 3px 6px; }
  div.table { overflow: visible; page-break-inside: avoid; break-inside: avoid; }
  th { white-space: normal; }
  span.ci { font-size: 7.5pt; }
  figure { page-break-inside: avoid; break-inside: avoid; }
  figure img, figure svg { max-width: 100%; max-height: 240mm; width: auto; }
  pre { white-space: pre-wrap; page-break-inside: avoid; break-inside: avoid; }
  ul.caveats li { break-inside: avoid; }
  div.keep { page-break-inside: avoid; break-inside: avoid; }
}
"""


# --------------------------------------------------------------------------------------------
# Reading a run folder
# --------------------------------------------------------------------------------------------

_HINT = (
    "pass the folder a run printed as 'results: ...' (e.g. outputs/<date>/<time>), or one "
    "written by Results.save()"
)


def read_run(folder: Path) -> _Run:
    expected = "a procsim run folder with run.json and tables/summary.parquet"
    if not folder.exists():
        raise ReportInputError(f"{folder}: no such folder (expected {expected}). Hint: {_HINT}")
    if not folder.is_dir():
        raise ReportInputError(f"{folder}: not a folder (expected {expected}). Hint: {_HINT}")
    run_json = folder / "run.json"
    if not run_json.is_file():
        jobs = sorted(p.parent.name for p in folder.glob("*/run.json"))
        hint = (
            f"this looks like a sweep folder; pass one of its job folders, e.g. {folder / jobs[0]}"
            if jobs
            else _HINT
        )
        raise ReportInputError(
            f"{folder}: not a procsim run folder: run.json is missing (expected {expected}). "
            f"Hint: {hint}"
        )
    try:
        info = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInputError(
            f"{run_json}: cannot read it ({exc}; expected the JSON a run writes). Hint: run the "
            "simulation again to rewrite the folder"
        ) from None
    if not isinstance(info, dict):
        raise ReportInputError(f"{run_json}: expected a JSON object, got {type(info).__name__}")
    tables = {name: _required_table(folder, name) for name in _REQUIRED_TABLES}
    labels = [str(k) for k in _mapping(info.get("models")) or _mapping(info.get("descriptions"))]
    if not labels:
        labels = [str(s) for s in pd.unique(tables["summary"]["scenario"])]
    comparison = _read_table(folder, "comparison", required=len(labels) > 1)
    ranking = _read_table(folder, "ranking", required=False)
    resolved: dict[str, dict[str, Any]] = {}
    for label in labels:
        path = folder / "resolved" / f"{label}.yaml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise ReportInputError(
                    f"{path}: cannot read it as YAML ({' '.join(str(exc).split())}). Hint: run "
                    "the simulation again to rewrite the folder"
                ) from None
            resolved[label] = _mapping(data)
    return _Run(
        folder,
        info,
        tables["summary"],
        tables["targets"],
        comparison,
        ranking,
        resolved,
        labels,
    )


def _required_table(folder: Path, name: str) -> pd.DataFrame:
    frame = _read_table(folder, name, required=True)
    assert frame is not None
    return frame


def _read_table(folder: Path, name: str, *, required: bool) -> pd.DataFrame | None:
    """``tables/<name>.parquet`` (or ``.csv``) with text keys as text ("" for no entity)."""
    parquet, csv = folder / "tables" / f"{name}.parquet", folder / "tables" / f"{name}.csv"
    path = parquet if parquet.is_file() else csv
    if not path.is_file():
        if not required:
            return None
        raise ReportInputError(
            f"{folder}: tables/{name}.parquet (or .csv) is missing (expected the tables a "
            f"procsim run writes: tables/summary, tables/targets and, with a redesign, "
            f"tables/comparison). Hint: run the simulation again, or {_HINT}"
        )
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow and the CSV parser raise many kinds
        raise ReportInputError(
            f"{path}: cannot read the table ({' '.join(str(exc).split())[:200]}). Hint: run the "
            "simulation again to rewrite the folder"
        ) from None
    for col in ("scenario", "metric", "entity", "target", "goal", "status", "met", "verdict"):
        if col in frame.columns:
            frame[col] = frame[col].fillna("").astype(str)
    needed = {"summary": {"scenario", "metric", "entity", "mean", "half_width"}}.get(name, set())
    missing = needed - set(frame.columns)
    if missing:
        raise ReportInputError(
            f"{path}: missing column(s) {', '.join(sorted(missing))} (expected a procsim "
            f"{name} table). Hint: run the simulation again to rewrite the folder"
        )
    return frame


# --------------------------------------------------------------------------------------------
# The report's content
# --------------------------------------------------------------------------------------------


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _kpi_label(metric: str, entity: str) -> str:
    kpi = CATALOGUE.get(metric)
    label = kpi.label if kpi else metric
    return label + (f" [{entity}]" if entity else "")


def _value(metric: str, mean: Any, half: Any, unit: str) -> str:
    if metric not in CATALOGUE:
        return f"{_num(mean):.4g} ± {_num(half):.2g}"
    h = _num(half)
    return format_value(metric, _num(mean), h if math.isfinite(h) else None, unit)


def _pct(value: float) -> str:
    text = f"{value:+.1f}" if abs(value) < 1000 else f"{value:+,.0f}"
    return text.replace("-", "−")


def _eval_kpis(run: _Run, labels: list[str]) -> list[tuple[str, str]]:
    """(metric, entity) in table order: the headline KPIs, then any other KPI with a target."""
    sub = run.summary[run.summary["scenario"].isin(labels)]
    out: list[tuple[str, str]] = []
    for metric in HEADLINE:
        for entity in pd.unique(sub.loc[sub["metric"] == metric, "entity"]):
            out.append((metric, str(entity)))
    for r in _records(run.targets):
        key = (str(r["metric"]), str(r["entity"]))
        if str(r["scenario"]) in labels and key not in out:
            out.append(key)
    return out


def _stats(run: _Run) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (str(r["scenario"]), str(r["metric"]), str(r["entity"])): r for r in _records(run.summary)
    }


def _targets(run: _Run) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (str(r["scenario"]), str(r["metric"]), str(r["entity"])): r for r in _records(run.targets)
    }


def _status_cell(status: str, was: str = "") -> Cell:
    note = f"was {was}" if was and was != status else ""
    if status in ("met", "missed", "uncertain"):
        return _C(status, status, note)
    return _C(status, "", note) if note else status


def _change_cell(metric: str, r: dict[str, Any] | None, unit: str) -> Cell:
    """``−49.9 % (CI −59.3 to −40.5 %)``, ``+41.8 pp (CI ...)`` for a proportion, or
    ``no significant change (...)``."""
    if r is None:
        return DASH
    before, diff = _num(r.get("before")), _num(r.get("diff"))
    low, high = _num(r.get("diff_low")), _num(r.get("diff_high"))
    sig = r.get("significant")
    significant = bool(sig) if sig is not None and not pd.isna(sig) else not (low <= 0 <= high)
    pct = _num(r.get("change_pct"))
    if in_points(metric) and math.isfinite(diff):
        # A proportion: the change in percentage points (55% -> 97% is +42 pp, not +76 %).
        ci = f"CI {_pct(low * 100)} to {_pct(high * 100)} pp"
        change = _signed(metric, diff, unit)
    elif math.isfinite(pct) and before != 0:
        p_low, p_high = _num(r.get("change_low_pct")), _num(r.get("change_high_pct"))
        if not (math.isfinite(p_low) and math.isfinite(p_high)):
            p_low, p_high = low / abs(before) * 100, high / abs(before) * 100
        ci = f"CI {_pct(p_low)} to {_pct(p_high)} %"
        change = f"{_pct(pct)} %"
    else:
        ci = "CI " + " to ".join(_signed(metric, v, unit) for v in (low, high))
        change = _signed(metric, diff, unit)
    if not significant:
        if low == 0 == high:
            return _C("no significant change", "same", "identical in every replication")
        return _C("no significant change", "same", ci)
    verdict = str(r.get("verdict") or "")
    kpi = CATALOGUE.get(metric)
    if kpi is not None and kpi.informational:
        verdict = ""  # a count that restates the cycle time (also in runs saved before)
    elif verdict not in ("better", "worse", "changed"):
        better = kpi.verdict if kpi is not None else None
        verdict = (
            "" if better is None else ("better" if (diff < 0) == (better == "lower") else "worse")
        )
    return _C(change, "" if verdict == "changed" else verdict, ci)


def _signed(metric: str, value: float, unit: str) -> str:
    if metric not in CATALOGUE or not math.isfinite(value):
        return f"{value:+.3g}"
    if in_points(metric):
        # A difference of two proportions, in percentage points (as every change of one).
        return f"{_pct(value * 100)} pp"
    text = format_value(metric, abs(value), None, unit)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def _evaluation(run: _Run, label: str) -> _Table:
    unit = run.unit
    stats, goals = _stats(run), _targets(run)
    comp = {
        (str(r["metric"]), str(r["entity"])): r
        for r in _records(run.comparison)
        if str(r["scenario"]) == label
    }
    level = _level(run, label)
    rows: list[list[Cell]] = []
    for metric, entity in _eval_kpis(run, [BASELINE, label]):
        before, after = stats.get((BASELINE, metric, entity)), stats.get((label, metric, entity))
        c = comp.get((metric, entity))
        goal_after, goal_before = (
            goals.get((label, metric, entity)),
            goals.get((BASELINE, metric, entity)),
        )
        target = str(c.get("target") or "") if c is not None and "target" in c else ""
        met = str(c.get("met") or "") if c is not None and "met" in c else ""
        if not target and goal_after is not None:
            target = str(goal_after["goal"])
        if not met and goal_after is not None:
            met = str(goal_after["status"])
        was = str(goal_before["status"]) if met and goal_before is not None else ""
        met_cell = _status_cell(met, was)
        rows.append(
            [
                _kpi_label(metric, entity),
                _value(metric, before["mean"], before["half_width"], unit) if before else DASH,
                _value(metric, after["mean"], after["half_width"], unit) if after else DASH,
                _change_cell(metric, c, unit)
                if before and after
                else _C("only in the redesign" if after else "not in the redesign", "same"),
                target,
                met_cell,
            ]
        )
    return _Table(
        ["metric", "before", "after", f"change (paired {level} CI)", "target", "met"],
        rows,
        numeric=frozenset({1, 2}),
        css="evaluation",
    )


def _level(run: _Run, label: str) -> str:
    levels = [
        _num(r.get("level"))
        for r in _records(run.comparison)
        if str(r["scenario"]) == label and "level" in r
    ]
    level = (
        levels[0]
        if levels and math.isfinite(levels[0])
        else _num(_mapping(run.info.get("run")).get("confidence", 0.95))
    )
    if not math.isfinite(level):
        level = 0.95
    return level_text(level)


def _summary_table(run: _Run) -> _Table:
    unit = run.unit
    stats, goals = _stats(run), _targets(run)
    level = _num(_mapping(run.info.get("run")).get("confidence", 0.95))
    level_shown = level_text(level) if math.isfinite(level) else "95%"
    rows: list[list[Cell]] = []
    for metric, entity in _eval_kpis(run, [BASELINE]):
        s = stats.get((BASELINE, metric, entity))
        g = goals.get((BASELINE, metric, entity))
        rows.append(
            [
                _kpi_label(metric, entity),
                _value(metric, s["mean"], s["half_width"], unit) if s else DASH,
                str(g["goal"]) if g else "",
                _status_cell(str(g["status"])) if g else "",
            ]
        )
    return _Table(
        ["metric", f"mean ± {level_shown} CI half-width", "target", "met"],
        rows,
        numeric=frozenset({1}),
        css="evaluation",
    )


def _load_table(run: _Run) -> _Table | None:
    load = {str(k): _mapping(v) for k, v in _mapping(run.info.get("offered_load")).items()}
    labels = [label for label in run.labels if label in load] or list(load)
    if not labels:
        return None
    roles: list[str] = []
    for label in labels:
        roles += [str(r) for r in load[label] if r not in roles]
    rows: list[list[Cell]] = []
    for role in roles:
        row: list[Cell] = [role]
        for label in labels:
            value = _num(load[label].get(role))
            if not math.isfinite(value):
                row.append(DASH)
            elif value >= UNSTABLE_LOAD:
                row.append(_C(f"{value * 100:.0f} % unstable", "unstable"))
            elif value >= HIGH_LOAD:
                row.append(_C(f"{value * 100:.0f} % high", "high"))
            else:
                row.append(f"{value * 100:.0f} %")
        rows.append(row)
    return _Table(["role", *labels], rows, numeric=frozenset(range(1, len(labels) + 1)))


def _duration_text(value: Any, unit: str) -> str:
    v = _num(value)
    if not math.isfinite(v):
        return DASH
    short = short_unit(unit)
    text = f"{v:,.6g} {short}"
    hours = v * UNIT_HOURS.get(unit, 1.0)
    for name, size in (("weeks", 168.0), ("days", 24.0)):
        if hours >= size and unit != name and math.isclose(hours / size, round(hours / size)):
            return (
                f"{text} ({round(hours / size)} {name if round(hours / size) != 1 else name[:-1]})"
            )
    return text


def _command(info: Mapping[str, Any]) -> tuple[str, str]:
    """(command, how it was obtained)."""
    command = str(info.get("command") or "").strip()
    if command:
        return command, "The exact command of this run (from run.json):"
    overrides = [str(o) for o in info.get("overrides") or []]
    scenarios = [str(s) for s in info.get("scenarios") or []]
    if not overrides and not scenarios:
        return (
            "",
            "This run was saved from the Python API without a command and without overrides "
            "(e.g. built with procsim.from_configs); the resolved configs in resolved/ are what "
            "was simulated.",
        )
    if scenarios and not any(o.startswith("scenario=") for o in overrides):
        overrides.append("scenario=[" + ",".join(scenarios) + "]")
    return (
        "procsim " + " ".join(shlex.quote(o) for o in overrides),
        "This run was saved from the Python API; the equivalent command, rebuilt from the "
        "saved overrides:",
    )


def _settings(run: _Run) -> list[Block]:
    info, unit = run.info, run.unit
    r = _mapping(info.get("run"))
    rows: list[list[Cell]] = [["replications", _text(r.get("replications"))]]
    if r.get("cases") is not None:
        rows.append(["length", f"{_text(r.get('cases'))} cases per replication"])
    else:
        rows.append(["horizon", _duration_text(r.get("horizon"), unit)])
    warm = _num(r.get("warmup"))
    warm_text = _duration_text(warm, unit) if warm > 0 else "none (the run starts empty)"
    if r.get("auto_warmup"):
        warm_text += ", estimated (MSER-5)"
    rows.append(["warm-up", warm_text])
    rows.append(["seed", _text(r.get("seed"))])
    if r.get("confidence") is not None:
        rows.append(["confidence level", level_text(_num(r.get("confidence")))])
    if r.get("precision") is not None:
        rows.append(["precision asked", f"{_num(r.get('precision')) * 100:.4g}% of the mean"])
    rows.append(["time unit", unit])
    rows.append(["procsim version", _text(info.get("procsim_version"))])
    rows.append(["run folder", str(run.folder.resolve())])
    if info.get("overrides"):
        rows.append(["overrides", " ".join(str(o) for o in info["overrides"])])
    command, how = _command(info)
    blocks: list[Block] = [
        _Heading(2, "Run settings and how to reproduce it"),
        _Table(["setting", "value"], rows, css="settings"),
        _Para(how),
    ]
    if command:
        blocks.append(_Code(command))
    if len(run.labels) > 1:
        blocks.append(
            _Para(
                "Replications use common random numbers: every scenario sees the same arrivals "
                "and the same random draws, so the differences are paired replication by "
                "replication.",
                "note",
            )
        )
    return blocks


def _caveats(run: _Run, eval_keys: list[tuple[str, str]]) -> list[str]:
    info, unit = run.info, run.unit
    r = _mapping(info.get("run"))
    warnings = [str(w) for w in info.get("warnings") or []]
    items = [w[:1].upper() + w[1:] for w in warnings]
    n = int(_num(r.get("replications"))) if math.isfinite(_num(r.get("replications"))) else 0
    if 0 < n < FEW_REPLICATIONS and not any(f"{n} replications" in w for w in warnings):
        items.append(
            f"Only {n} replications: the confidence intervals rest on few points and can be "
            f"misleading. Run {FEW_REPLICATIONS * 2} or more before deciding "
            f"(run.replications={FEW_REPLICATIONS * 2})."
        )
    elif n >= FEW_REPLICATIONS:
        items.append(f"{n} replications per scenario.")
    warm = _num(r.get("warmup"))
    if r.get("cases") is None and not warm > 0:
        items.append(
            "No warm-up: every replication starts with an empty process, so the KPIs include "
            "the start-up period and understate waiting in a steady state. Set run.warmup (or "
            "run.warmup=auto) when the question is about normal operation."
        )
    elif warm > 0:
        items.append(
            f"Warm-up: the first {_duration_text(warm, unit)} of every replication is excluded "
            "from all KPIs (cases arriving before it are not measured)."
        )
    items += [str(note) for note in info.get("notes") or []]
    stats = _stats(run)
    still_open = []
    for label in run.labels:
        opened, arrived = stats.get((label, "open", "")), stats.get((label, "arrived", ""))
        if opened is None:
            continue
        text = f"{label} {_value('open', opened['mean'], opened['half_width'], unit)}"
        if arrived is not None and _num(arrived["mean"]) > 0:
            text += f" ({_num(opened['mean']) / _num(arrived['mean']) * 100:.1f} % of arrivals)"
        still_open.append(text)
    if still_open:
        items.append(
            "Cases still open at the end: "
            + "; ".join(still_open)
            + ". Their cycle times are not in the cycle-time KPIs (censored), which flatters "
            "those KPIs when many cases stay open."
        )
    for label in run.labels:
        loose = []
        worst = 0.0
        for metric, entity in eval_keys:
            if metric == "open":  # a small count of leftovers; reported above
                continue
            s = stats.get((label, metric, entity))
            if s is None:
                continue
            mean, half = abs(_num(s["mean"])), _num(s["half_width"])
            if mean > 0 and math.isfinite(half) and half / mean > LOOSE_CI:
                loose.append(f"{_kpi_label(metric, entity)} (±{half / mean * 100:.0f} %)")
                worst = max(worst, half / mean)
        if loose and n > 0:
            more = math.ceil(n * (worst / LOOSE_CI) ** 2)
            items.append(
                f"{label}: the CI half-width exceeds {LOOSE_CI * 100:.0f} % of the mean for "
                + "; ".join(loose)
                + f". More replications would sharpen {'them' if len(loose) > 1 else 'it'} "
                f"(about {more} to bring {'all' if len(loose) > 1 else 'it'} within "
                f"{LOOSE_CI * 100:.0f} %; a half-width shrinks as 1/√n)."
            )
    return items


def _at_a_glance(run: _Run, redesigns: list[str]) -> list[str]:
    """One line per scenario: targets met / missed, significant changes."""
    goals = _targets(run)

    def targets(label: str) -> str:
        by_status: dict[str, list[str]] = {}
        for key, g in goals.items():
            if key[0] == label:
                by_status.setdefault(str(g["status"]), []).append(f"{g['target']} ({g['goal']})")
        return "; ".join(f"{status}: {', '.join(names)}" for status, names in by_status.items())

    items = []
    if targets(BASELINE):
        items.append(f"Current process, targets {targets(BASELINE)}.")
    for label in redesigns:
        # The short, non-redundant list (kpis.GLANCE) and any KPI with a target.
        keys = {
            key
            for key in _eval_kpis(run, [BASELINE, label])
            if key[0] in GLANCE or (label, *key) in goals
        }
        found: dict[str, list[str]] = {"better": [], "worse": []}
        for r in _records(run.comparison):
            key = (str(r["metric"]), str(r["entity"]))
            if str(r["scenario"]) != label or key not in keys:
                continue
            cell = _change_cell(key[0], r, run.unit)
            if isinstance(cell, _C) and cell.css in found:
                found[cell.css].append(_kpi_label(*key))
        parts = []
        for verdict, names in found.items():
            shown = "; ".join(names[:5]) + ("; ..." if len(names) > 5 else "")
            parts.append(
                f"{len(names)} key KPI(s) significantly {verdict}"
                + (f" ({shown})" if names else "")
            )
        text = f"{label}: " + ", ".join(parts)
        if targets(label):
            text += f"; targets {targets(label)}"
        items.append(text + ".")
    return items


def _figures(folder: Path) -> list[_Figure]:
    out = []
    for name, caption in FIGURES.items():
        png, svg = folder / "figures" / f"{name}.png", folder / "figures" / f"{name}.svg"
        png_ok = png.is_file() and png.stat().st_size > 0
        svg_ok = svg.is_file() and svg.stat().st_size > 0
        if png_ok or svg_ok:
            out.append(_Figure(name, caption, png if png_ok else None, svg if svg_ok else None))
    return out


def _content(run: _Run) -> tuple[str, str, list[Block]]:
    """(title, subtitle, blocks) of the report."""
    info = run.info
    redesigns = [label for label in run.labels if label != BASELINE]
    name = run.process_name
    if redesigns:
        title = f"Feasibility review: {name} — {', '.join(redesigns)}"
        subtitle = (
            f"{'Redesigns' if len(redesigns) > 1 else 'Redesign'} {', '.join(redesigns)} "
            f"against the current {name} process, simulated with common random numbers."
        )
    else:
        title = f"Feasibility review: {name} (current process)"
        subtitle = f"The current {name} process alone, without a redesign."
    subtitle += f" Report written {dt.date.today().isoformat()}."
    descriptions = _mapping(info.get("descriptions"))
    models = _mapping(info.get("models"))
    blocks: list[Block] = []
    glance = _at_a_glance(run, redesigns)
    if glance:
        blocks += [_Heading(2, "At a glance"), _List(glance)]

    blocks.append(
        _Heading(
            2,
            "The process"
            + (" and the redesign" + ("s" if len(redesigns) > 1 else "") if redesigns else ""),
        )
    )
    current_text = str(
        descriptions.get(BASELINE) or _mapping(models.get(BASELINE)).get("description") or ""
    )
    blocks.append(_Para(f"Current process ({name}): " + (current_text or "no description.")))
    for label in redesigns:
        text = str(descriptions.get(label) or "") or "no description."
        blocks.append(_Para(f"Redesign {label}: {text}"))

    if redesigns:
        blocks.append(_Heading(2, "What changed"))
        current = run.resolved.get(BASELINE)
        for label in redesigns:
            if len(redesigns) > 1:
                blocks.append(_Heading(3, label))
            proposed = run.resolved.get(label)
            if current is None or proposed is None:
                blocks.append(
                    _Para(
                        f"resolved/{BASELINE}.yaml or resolved/{label}.yaml is missing, so the "
                        "changes cannot be listed.",
                        "note",
                    )
                )
                continue
            diff = what_changed(current, proposed)
            if diff.empty:
                blocks.append(_Para("The model configuration is the same as the current one."))
                continue
            rows: list[list[Cell]] = [[str(v) for v in row] for row in diff.to_numpy().tolist()]
            blocks.append(_Table(["area", "item", BASELINE, label], rows, css="changes"))

    eval_keys = _eval_kpis(run, run.labels)
    blocks.append(_Heading(2, "Evaluation" if redesigns else "Summary"))
    if redesigns:
        blocks.append(
            _Para(
                "Before and after: mean ± 95% CI half-width over the replications. Change: the "
                "paired difference (redesign minus current, replication by replication) as a "
                "share of the current value, with its confidence interval; when that interval "
                "includes zero the table says no significant change. Met: whether the whole CI "
                "of the redesign meets the target (uncertain when it straddles it).",
                "note",
            )
        )
        for label in redesigns:
            if len(redesigns) > 1:
                blocks.append(_Heading(3, label))
            blocks.append(_evaluation(run, label))
        if run.ranking is not None and len(redesigns) > 1:
            blocks.append(_Heading(3, "Ranking"))
            blocks.append(_ranking_table(run))
            if "tied" in run.ranking:
                blocks.append(
                    _Para(
                        "Each scenario is compared with the best, paired by replication (common "
                        "random numbers); tied: the confidence interval of the difference "
                        "includes zero, so the data do not tell the two apart. The intervals "
                        "are Bonferroni-corrected over the comparisons with the best.",
                        "note",
                    )
                )
    else:
        blocks.append(
            _Para(
                "Mean ± CI half-width over the replications; met: the whole CI meets the target.",
                "note",
            )
        )
        blocks.append(_summary_table(run))

    types = _type_table(run)
    if types is not None:
        blocks.append(_Heading(2, "Case types"))
        blocks.append(
            _Para(
                "Per case type and scenario: mean ± CI half-width over the replications. Cost "
                "per case is activity-based: each role's paid time (idle time included) is "
                "spread over the work it did, plus the per-execution costs of the stages.",
                "note",
            )
        )
        blocks.append(types)

    figures = _figures(run.folder)
    if figures:
        blocks.append(_Heading(2, "Figures"))
        blocks += figures

    load = _load_table(run)
    if load is not None:
        blocks.append(_Heading(2, "Offered load per role"))
        blocks.append(
            _Para(
                "Work arriving per person, from the routing and the mean durations (traffic "
                f"equations), before simulating. From {HIGH_LOAD * 100:.0f} % on a role is "
                "flagged high (long queues); at 100 % or more it is unstable: its queue grows "
                "without bound "
                "and the results depend on the run length.",
                "note",
            )
        )
        blocks.append(load)

    blocks.append(_Heading(2, "Caveats"))
    blocks.append(_List(_caveats(run, eval_keys), "caveats"))
    blocks += _settings(run)
    return title, subtitle, blocks


#: Columns of the case-type table: KPI and header.
_TYPE_COLUMNS = (
    ("type_arrived", "arrived"),
    ("type_completed", "completed"),
    ("type_cycle_time_mean", "cycle time, mean"),
    ("type_cycle_time_p90", "cycle time, P90"),
    ("type_wait_mean", "waiting, mean"),
    ("type_abandonment_rate", "gave up"),
    ("type_cost_per_case", "cost per case"),
)


def _type_table(run: _Run) -> _Table | None:
    """One row per case type and scenario, or None for a process with a single case type."""
    sub = run.summary[run.summary["metric"].isin([m for m, _ in _TYPE_COLUMNS])]
    if sub.empty:
        return None
    stats = _stats(run)
    present = [(m, h) for m, h in _TYPE_COLUMNS if (sub["metric"] == m).any()]
    if not (run.summary["metric"] == "abandonment_rate").any():  # nobody can give up
        present = [(m, h) for m, h in present if m != "type_abandonment_rate"]
    rows: list[list[Cell]] = []
    for entity in pd.unique(sub["entity"]):
        for label in run.labels:
            cells: list[Cell] = [str(entity), label]
            for metric, _ in present:
                r = stats.get((label, metric, str(entity)))
                cells.append(_value(metric, r["mean"], r["half_width"], run.unit) if r else DASH)
            rows.append(cells)
    return _Table(
        ["case type", "scenario", *[h for _, h in present]],
        rows,
        numeric=frozenset(range(2, 2 + len(present))),
        css="types",
    )


def _ranking_table(run: _Run) -> _Table:
    assert run.ranking is not None
    rows: list[list[Cell]] = []
    records = _records(run.ranking)
    has_ties = "tied" in run.ranking
    best = str(records[0]["scenario"]) if records else ""
    for i, r in enumerate(records):
        metric = str(r["metric"])
        half = (_num(r["ci_high"]) - _num(r["ci_low"])) / 2
        row: list[Cell] = [
            _text(r.get("rank")),
            str(r["scenario"]),
            _kpi_label(metric, str(r.get("entity") or "")),
            _value(metric, r["mean"], half, run.unit),
        ]
        if has_ties:
            row.append(_vs_best(r, i == 0, best, run.unit))
        rows.append(row)
    header = ["rank", "scenario", "ranked by", "mean ± CI half-width"]
    if has_ties:
        header.append("vs the best (paired CI)")
    return _Table(header, rows, frozenset({0, 3}))


def _vs_best(r: dict[str, Any], first: bool, best: str, unit: str) -> Cell:
    """``best``, ``tied (CI ...)`` when the paired CI of the difference from the best
    includes 0, else the difference and its CI."""
    if first:
        return _C("best", "better", "")
    metric = str(r["metric"])
    low, high = _num(r.get("vs_best_low")), _num(r.get("vs_best_high"))
    ci = "CI " + " to ".join(_signed(metric, v, unit) for v in (low, high))
    tied = r.get("tied")
    if tied is not None and not pd.isna(tied) and bool(tied):
        return _C(f"tied with {best}", "same", ci)
    return _C(_signed(metric, _num(r.get("vs_best")), unit), "worse", ci)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def build_report(folder: Path) -> tuple[Path, Path]:
    """Write ``folder/report.html`` (self-contained) and ``folder/report.md`` from the saved tables.

    Parameters
    ----------
    folder
        A run folder as written by ``procsim`` or :meth:`procsim.Results.save`: ``run.json``,
        ``tables/summary``, ``tables/targets`` (and ``tables/comparison`` with a redesign),
        ``resolved/<label>.yaml`` and, when present, ``figures/<name>.png|svg``.

    Returns
    -------
    tuple of pathlib.Path
        The HTML and Markdown files.

    Raises
    ------
    ReportInputError
        When the folder is missing or is not a complete run folder; the message names the path,
        what was expected and a hint.
    """
    folder = Path(folder)
    run = read_run(folder)
    title, subtitle, blocks = _content(run)
    html_path, md_path = folder / "report.html", folder / "report.md"
    write_text(html_path, _to_html(title, subtitle, blocks))
    write_text(md_path, _to_markdown(title, [_Para(subtitle), *blocks]))
    return html_path, md_path
