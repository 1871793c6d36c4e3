"""The ``procsim`` command: Hydra at the edge, the plain-object core behind it.

Sits at the top of the data flow. Before Hydra sees the command line it finds the workspace,
picks the current process a scenario redesigns, and checks override keys so that a typo gets a
``did you mean`` hint (:mod:`procsim.cli.prepare`); then Hydra runs the jobs
(:mod:`procsim.cli.hydra_run`). Errors caused by the input are printed without a traceback and
exit 2.
"""

from __future__ import annotations

import os
import sys

from procsim.cli.completion import complete, completion_query, print_candidates
from procsim.cli.help_text import help_text
from procsim.cli.hydra_run import run_hydra
from procsim.cli.prepare import prepare_command_line
from procsim.config.workspace import find_workspace
from procsim.errors import EXIT_USER_ERROR, ProcsimError
from procsim.versions import __version__


def _fail(message: str) -> None:
    print(f"procsim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USER_ERROR)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``procsim`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args:
        print(f"procsim {__version__}")
        return
    if args[:1] == ["schema"]:
        from procsim.cli.schema_command import schema_command

        try:
            print(schema_command(args[1:]))
        except ProcsimError as exc:
            _fail(str(exc))
        return
    if args[:1] == ["init"]:
        from procsim.cli.init_workspace import init_command

        try:
            print(init_command(args[1:]))
        except ProcsimError as exc:
            _fail(str(exc))
        return
    try:
        workspace = find_workspace()
    except ProcsimError as exc:
        if "-h" in args or "--help" in args:
            print(help_text(None))
            return
        _fail(str(exc))
        return
    if "-h" in args or "--help" in args:
        print(help_text(workspace))
        return
    shell = completion_query(args)
    if shell is not None:
        candidates = complete(workspace, os.environ.get("COMP_LINE", ""))
        if candidates is not None:
            print_candidates(candidates, shell)
            return
    try:
        args = prepare_command_line(workspace, args)
    except ProcsimError as exc:
        _fail(str(exc))
    run_hydra(workspace, args)
