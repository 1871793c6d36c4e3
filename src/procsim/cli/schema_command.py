"""``procsim schema [folder]``: the JSON Schemas of process, scenario and experiment files.

Sits at the command-line edge, before Hydra (:mod:`procsim.cli.main` calls it for the
``schema`` word). Writes the schemas of :mod:`procsim.config.file_schema` into the folder (the
workspace by default) for editors: with the YAML language server, a first line
``# yaml-language-server: $schema=../procsim-process.schema.json`` in a process file checks
keys, types and distributions while the file is typed.
"""

from __future__ import annotations

import json
from pathlib import Path

from procsim.config.file_schema import SCHEMAS
from procsim.errors import ProcsimError
from procsim.files import write_text

USAGE = "usage: procsim schema [folder]   (the folder defaults to the current one)"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` (created if missing); existing schemas are replaced.

    Parameters
    ----------
    folder
        Where the ``procsim-*.schema.json`` files go.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ProcsimError
        When the folder cannot be written.
    """
    if folder.exists() and not folder.is_dir():
        raise ProcsimError(f"{folder}: is a file, not a folder. Hint: procsim schema <folder>")
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, build in SCHEMAS.items():
            path = folder / name
            write_text(path, json.dumps(build(), indent=2, ensure_ascii=False) + "\n")
            written.append(path)
    except OSError as exc:
        raise ProcsimError(
            f"{folder}: cannot write the schemas ({exc.strerror or exc}). Hint: choose a "
            "folder you can write to"
        ) from None
    return written


def schema_command(args: list[str]) -> str:
    """Run ``procsim schema [folder]`` and say what was written and how editors use it."""
    if any(a.startswith("-") for a in args) or len(args) > 1:
        if "-h" in args or "--help" in args:
            return USAGE
        raise ProcsimError(f"unexpected arguments {' '.join(args)}. Hint: {USAGE}")
    folder = Path(args[0]) if args else Path.cwd()
    files = write_schemas(folder)
    lines = [f"wrote {p}" for p in files]
    lines.append(
        "To check a file while you type it (VS Code YAML extension, or any editor with the "
        "YAML language server), make its first line e.g.\n"
        f"  # yaml-language-server: $schema={files[0].resolve()}"
    )
    return "\n".join(lines)
