"""The ``procsim-report`` command: rebuild a run's figures and report from its saved tables.

Sits at the edge, after a run: checks the folder
(:func:`procsim.review.report.run_folder.read_run`), redraws the figures
(:mod:`procsim.review.figures`) and writes the report
(:func:`procsim.review.report.build.build_report`). Nothing is simulated. Bad input prints one
message and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from procsim.errors import EXIT_USER_ERROR, ProcsimError
from procsim.review.report.build import build_report
from procsim.review.report.run_folder import read_run
from procsim.versions import __version__

_DESCRIPTION = """\
Rebuild the feasibility-review report of a procsim run from its saved tables, without
simulating: writes report.html (self-contained: CSS and figures embedded, opens offline and
prints on A4) and report.md into the run folder, and prints the HTML path. The figures
(figures/*.png, *.svg) are drawn again first."""

_EPILOG = """\
examples:
  procsim-report outputs/2026-11-22/10-15-03
  procsim-report multirun/2026-11-22/10-20-00/3      one job of a sweep

exit codes: 0 written, 2 bad input (missing folder, not a run folder, missing tables)."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-report <run folder>``.

    Rebuilds the figures (:func:`procsim.review.figures.run_figures.make_figures`) and the report
    from the saved tables, and prints the report's path. Bad input gives one message on stderr
    naming the path, what was expected and a hint, and exit code 2.
    """
    parser = argparse.ArgumentParser(
        prog="procsim-report",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="a run folder (with run.json and tables/)")
    parser.add_argument(
        "--no-figures", action="store_true", help="use the figures as saved; do not redraw them"
    )
    parser.add_argument("--version", action="version", version=f"procsim-report {__version__}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    folder: Path = args.folder
    try:
        read_run(folder)  # check the input before drawing anything
        if not args.no_figures:
            _make_figures(folder)
        html_path, _ = build_report(folder)
    except ProcsimError as exc:
        print(f"procsim-report: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
    except OSError as exc:
        print(
            f"procsim-report: error: cannot write the report in {folder}: "
            f"{exc.strerror or exc}. Hint: check that the folder is writable",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USER_ERROR) from None
    print(html_path)


def _make_figures(folder: Path) -> None:
    """Redraw the figures with :mod:`procsim.review.figures`; a failure only warns."""
    from procsim.review.figures.run_figures import make_figures as make

    try:
        make(folder)
    except ProcsimError:
        raise
    except Exception as exc:  # a broken figure must not cost the analyst the report
        print(
            f"procsim-report: warning: figures not redrawn ({type(exc).__name__}: {exc}); the "
            "report uses the figures already in the folder",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
