"""A report document as one self-contained HTML page: CSS and figures embedded (base64 PNG, or
inline SVG), so it opens offline and prints on A4.

The run's report (:mod:`~procsim.review.report.build`) and the other reports
(:mod:`~procsim.review.report.render`) hand their blocks over to :func:`to_html`; every text,
config values included, is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable

from procsim.review.report.blocks import Block, BulletList, Cell, Code, Figure, Heading, Para, Table
from procsim.versions import __version__


def to_html(title: str, subtitle: str, blocks: Iterable[Block]) -> str:
    """The HTML page of a document: ``title`` and ``subtitle`` in its header, then the blocks;
    a heading stays on one printed page with its notes and the table, list or figure after."""
    e = html.escape
    body: list[str] = [f"<header><h1>{e(title)}</h1><p class='sub'>{e(subtitle)}</p></header>"]
    keep = False  # a heading, its notes and the first table/list/figure print on one page
    for b in blocks:
        if isinstance(b, Heading):
            if not keep:
                body.append("<div class='keep'>")
                keep = True
            body.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            css = f" class='{e(b.css)}'" if b.css else ""
            body.append(f"<p{css}>{e(b.text)}</p>")
        elif isinstance(b, BulletList):
            css = f" class='{e(b.css)}'" if b.css else ""
            body.append(f"<ul{css}>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            body.append(_html_table(b))
        elif isinstance(b, Code):
            body.append(f"<pre><code>{e(b.text)}</code></pre>")
        else:
            body.append(_html_figure(b))
        if keep and not isinstance(b, Heading | Para):
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


def _html_table(t: Table) -> str:
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


def _html_figure(f: Figure) -> str:
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
