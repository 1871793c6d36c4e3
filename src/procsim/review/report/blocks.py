"""The document model of a report: headings, paragraphs, lists, tables, code and figures.

The bottom of the report: the content sections build a list of these blocks once, and
:mod:`~procsim.review.report.html_page` and :mod:`~procsim.review.report.markdown_page` render
the same list (the fit and validation reports build theirs, too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Badge:
    """A table cell with a CSS class (a coloured badge: ``met``, ``better``, ``same``, ...)
    and/or a small note under it (a CI, a former status)."""

    text: str
    css: str = ""
    note: str = ""


#: A table cell: plain text, or text with a badge class and a note.
Cell = str | Badge


@dataclass(frozen=True)
class Heading:
    """A section heading (``level`` 2 or 3; the title is level 1)."""

    level: int
    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph; ``css`` ``note`` sets it in small muted type (a quote in Markdown)."""

    text: str
    css: str = ""


@dataclass(frozen=True)
class BulletList:
    """A bulleted list (``css`` ``caveats`` marks the caveats)."""

    items: list[str]
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A table: a header and rows of cells; the columns in ``numeric`` are right-aligned."""

    header: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()
    css: str = ""


@dataclass(frozen=True)
class Code:
    """A shell command, set apart to copy."""

    text: str


@dataclass(frozen=True)
class Figure:
    """A figure file (PNG, else SVG) with its caption."""

    name: str
    caption: str
    png: Path | None
    svg: Path | None


Block = Heading | Para | BulletList | Table | Code | Figure


def cell_text(cell: Cell) -> str:
    """A cell as plain text: its note in brackets after it."""
    if isinstance(cell, str):
        return cell
    return cell.text + (f" ({cell.note})" if cell.note else "")


def table_section(title: str, note: str, table: Table | None) -> list[Block]:
    """A section of one table: its heading, a note on how to read it and the table; nothing
    when there is no table."""
    if table is None:
        return []
    return [Heading(2, title), Para(note, "note"), table]
