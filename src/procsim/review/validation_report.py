"""The report of ``procsim-validate``: distances, side-by-side figures and a short review.

Sits after :mod:`procsim.mining.log_comparison`: a
:class:`~procsim.mining.log_comparison.Validation` in, ``tables/``, ``figures/``, ``report.html``
and ``report.md`` out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from procsim.versions import __version__

if TYPE_CHECKING:
    from procsim.mining.log_comparison import Validation


def write_validation(result: Validation, folder: Path, process: str, source: str) -> None:
    """Tables, figures and ``report.md`` of a validation into ``folder``."""
    from procsim.files import write_table, write_text
    from procsim.review.validation_figures import validation_figures

    write_table(result.distances, folder / "tables", "distances")
    write_table(result.summary, folder / "tables", "distances_summary")
    # The simulated logs, in the real log's schema: for the analyst's own process-mining tools.
    write_table(result.simulated, folder / "tables", "simulated_logs", csv=False)
    figures = validation_figures(result, folder / "figures")
    from procsim.files import file_sha256
    from procsim.review.report.blocks import Block, Cell, Heading, Para, Table
    from procsim.review.report.blocks import Figure as DocFigure
    from procsim.review.report.render import render

    rows: list[list[Cell]] = []
    for r in result.summary.itertuples():
        unit = "" if r.unit == "0..1" else f" {r.unit}"
        rows.append([str(r.label), f"{r.mean:.3g}{unit}", f"{r.sd:.2g}", f"{r.min:.3g}",
                     f"{r.max:.3g}"])  # fmt: skip
    source_path = Path(source)
    digest = f" Log SHA-256: {file_sha256(source_path)}." if source_path.is_file() else ""
    captions = {
        "cycle_times": "Cycle times of the real log and of each simulated log.",
        "activity_times": "Mean waiting and processing per activity: real, and simulated "
        "(mean over the simulated logs, with their range).",
        "arrivals_and_wip": "Arrivals and open cases by hour of week, real and simulated.",
    }
    blocks: list[Block] = [
        Para(
            f"{len(result.distances)} simulated logs of the cases arriving between "
            f"{result.window[0]:%Y-%m-%d %H:%M} and {result.window[1]:%Y-%m-%d %H:%M}, "
            f"compared with the real log ({result.real['case_id'].nunique():,} cases). "
            "Lower is closer; mean and spread over the simulated logs."
        ),
        Table(["measure", "mean", "sd", "min", "max"], rows, numeric=frozenset({1, 2, 3, 4})),
        Para(f"procsim {__version__}.{digest}", "note"),
        Heading(2, "Figures"),
        *[DocFigure(name, captions.get(name, name), path, None) for name, path in figures.items()],
    ]
    html, md = render(f"Validation: {process} against {source}", "procsim-validate", blocks)
    write_text(folder / "report.html", html)
    write_text(folder / "report.md", md)
