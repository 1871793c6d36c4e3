"""The run's report: reads the run folder, assembles the sections in order and writes
``report.html`` and ``report.md``.

Sits last in the data flow, after the figures::

    ... -> stats -> tables, files (Results.save) -> figures (figures/) -> report

The content is built once as a list of blocks (:mod:`~procsim.review.report.blocks`) from the
:class:`~procsim.review.report.run_folder.RunFolder`, section by section (at a glance, the
process, what changed, evaluation, case types, figures, offered load, caveats, settings), and
rendered twice: :mod:`~procsim.review.report.html_page` and
:mod:`~procsim.review.report.markdown_page`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from procsim.files import write_text
from procsim.model.process import BASELINE
from procsim.review.report.blocks import Block, Cell, Heading, Para, Table
from procsim.review.report.case_types import case_types_section
from procsim.review.report.caveats import caveats_section
from procsim.review.report.config_values import mapping
from procsim.review.report.embedded_figures import figures_section
from procsim.review.report.evaluation import eval_kpis, evaluation_section
from procsim.review.report.glance import glance_section
from procsim.review.report.html_page import to_html
from procsim.review.report.markdown_page import to_markdown
from procsim.review.report.offered_load import offered_load_section
from procsim.review.report.run_folder import RunFolder, read_run
from procsim.review.report.settings import settings_section
from procsim.review.report.what_changed import what_changed


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
    title, subtitle, blocks = report_content(run)
    html_path, md_path = folder / "report.html", folder / "report.md"
    write_text(html_path, to_html(title, subtitle, blocks))
    write_text(md_path, to_markdown(title, [Para(subtitle), *blocks]))
    return html_path, md_path


def report_content(run: RunFolder) -> tuple[str, str, list[Block]]:
    """(title, subtitle, blocks) of the report, the sections in reading order."""
    redesigns = [label for label in run.labels if label != BASELINE]
    title, subtitle = _title(run, redesigns)
    blocks = glance_section(run, redesigns)
    blocks += _process_section(run, redesigns)
    if redesigns:
        blocks += _changes_section(run, redesigns)
    blocks += evaluation_section(run, redesigns)
    blocks += case_types_section(run)
    blocks += figures_section(run.folder)
    blocks += offered_load_section(run)
    blocks += caveats_section(run, eval_kpis(run, run.labels))
    blocks += settings_section(run)
    return title, subtitle, blocks


def _title(run: RunFolder, redesigns: list[str]) -> tuple[str, str]:
    """The title names the process and the redesigns; the subtitle says what was compared
    and when the report was written."""
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
    return title, subtitle


def _process_section(run: RunFolder, redesigns: list[str]) -> list[Block]:
    """The description of the current process and of each redesign."""
    descriptions = mapping(run.info.get("descriptions"))
    models = mapping(run.info.get("models"))
    name = run.process_name
    blocks: list[Block] = [
        Heading(
            2,
            "The process"
            + (" and the redesign" + ("s" if len(redesigns) > 1 else "") if redesigns else ""),
        )
    ]
    current_text = str(
        descriptions.get(BASELINE) or mapping(models.get(BASELINE)).get("description") or ""
    )
    blocks.append(Para(f"Current process ({name}): " + (current_text or "no description.")))
    for label in redesigns:
        text = str(descriptions.get(label) or "") or "no description."
        blocks.append(Para(f"Redesign {label}: {text}"))
    return blocks


def _changes_section(run: RunFolder, redesigns: list[str]) -> list[Block]:
    """Per redesign, its config against the current one (:func:`what_changed`)."""
    blocks: list[Block] = [Heading(2, "What changed")]
    current = run.resolved.get(BASELINE)
    for label in redesigns:
        if len(redesigns) > 1:
            blocks.append(Heading(3, label))
        proposed = run.resolved.get(label)
        if current is None or proposed is None:
            blocks.append(
                Para(
                    f"resolved/{BASELINE}.yaml or resolved/{label}.yaml is missing, so the "
                    "changes cannot be listed.",
                    "note",
                )
            )
            continue
        diff = what_changed(current, proposed)
        if diff.empty:
            blocks.append(Para("The model configuration is the same as the current one."))
            continue
        rows: list[list[Cell]] = [[str(v) for v in row] for row in diff.to_numpy().tolist()]
        blocks.append(Table(["area", "item", BASELINE, label], rows, css="changes"))
    return blocks
