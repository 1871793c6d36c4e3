"""The ``procsim-reproduce`` command: run a saved study again and check its tables match.

Sits at the edge; the work is :func:`procsim.study.reproduce.reproduce`. Exit code 0 when every
table is identical, 1 when one differs, 2 when the folder is not a run folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from procsim.errors import EXIT_USER_ERROR, ProcsimError
from procsim.study.reproduce import reproduce


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-reproduce``."""
    parser = argparse.ArgumentParser(
        prog="procsim-reproduce",
        description="Run a saved procsim study again and check that its tables are identical.",
    )
    parser.add_argument("folder", type=Path, help="a run folder (it holds run.json)")
    parser.add_argument("--into", type=Path, help="where to write the new run (default: a "
                        "temporary folder, removed afterwards)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.into is not None:
            differing, notes = reproduce(args.folder, args.into)
        else:
            with tempfile.TemporaryDirectory(prefix="procsim-reproduce-") as tmp:
                differing, notes = reproduce(args.folder, Path(tmp))
    except ProcsimError as exc:
        print(f"procsim-reproduce: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
    for note in notes:
        print(f"note: {note}")
    if differing:
        print(f"NOT reproduced: {', '.join(differing)} differ from {args.folder}")
        raise SystemExit(1)
    print(f"reproduced: every table of {args.folder} is identical")


if __name__ == "__main__":  # pragma: no cover
    main()
