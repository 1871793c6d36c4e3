"""Any document made of report blocks, rendered in the report's style: the HTML page and its
Markdown twin.

For the reports other than the run's (the fit and validation reports); sits on
:mod:`~procsim.review.report.html_page` and :mod:`~procsim.review.report.markdown_page`.
"""

from __future__ import annotations

from procsim.review.report.blocks import Block
from procsim.review.report.html_page import to_html
from procsim.review.report.markdown_page import to_markdown


def render(title: str, subtitle: str, blocks: list[Block]) -> tuple[str, str]:
    """(HTML, Markdown) of a document made of report blocks, in the report's style.

    The HTML is self-contained (figures embedded) and prints well; the Markdown refers to the
    figures as ``figures/<file>``.
    """
    return to_html(title, subtitle, blocks), to_markdown(title, blocks)
