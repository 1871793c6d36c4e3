"""A report document as Markdown, the twin of the HTML page: figures referenced by relative
path (``figures/<file>``).

The same blocks as the HTML page go in; nothing in the text that a Markdown renderer would
take for raw HTML comes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from procsim.review.report.blocks import Block, BulletList, Code, Heading, Para, Table, cell_text

_HTML_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: str) -> str:
    """Markdown-safe text: nothing a renderer would take for raw HTML."""
    return _HTML_TAG.sub("&lt;", text)


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(title: str, blocks: Iterable[Block]) -> str:
    """The Markdown of a document: ``title`` as its heading, then the blocks in order."""
    out = [f"# {_md(title)}", ""]
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + _md(b.text), ""]
        elif isinstance(b, Para):
            out += [("> " if b.css else "") + _md(b.text), ""]
        elif isinstance(b, BulletList):
            out += [f"- {_md(item)}" for item in b.items] + [""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append(
                "|"
                + "|".join("---:" if i in b.numeric else "---" for i in range(len(b.header)))
                + "|"
            )
            for row in b.rows:
                out.append("| " + " | ".join(_md_cell(cell_text(c)) for c in row) + " |")
            out.append("")
        elif isinstance(b, Code):
            fence = "````" if "```" in b.text else "```"
            out += [fence + "bash", b.text, fence, ""]
        else:
            path = b.png or b.svg
            assert path is not None
            out += [f"![{_md_cell(b.name)}](figures/{path.name})", "", f"*{_md(b.caption)}*", ""]
    return "\n".join(out).rstrip() + "\n"
