"""``procsim init [folder]``: a new workspace that runs as it is.

Sits at the command-line edge, before Hydra (:mod:`procsim.cli.main` calls it for the ``init``
word). Copies the commented template shipped with procsim (``workspace_template/``: the
workspace config, one process, one scenario, one experiment) into the folder, never over an
existing file.
"""

from __future__ import annotations

from pathlib import Path

from procsim.errors import ProcsimError

TEMPLATE = Path(__file__).with_name("workspace_template")

USAGE = "usage: procsim init [folder]   (the folder defaults to the current one)"


def init_workspace(folder: Path) -> list[Path]:
    """Write the template workspace into ``folder`` (created if missing).

    Parameters
    ----------
    folder
        Where the workspace goes: ``conf/``, ``scenarios/`` and ``experiments/`` are made in it.

    Returns
    -------
    list of pathlib.Path
        The files written, in order.

    Raises
    ------
    ProcsimError
        When ``folder`` is a file, or any of the files would overwrite one that exists (then
        nothing is written).
    """
    if folder.exists() and not folder.is_dir():
        raise ProcsimError(f"{folder}: is a file, not a folder. Hint: procsim init <new folder>")
    files = sorted(p for p in TEMPLATE.rglob("*.yaml") if p.is_file())
    targets = [folder / p.relative_to(TEMPLATE) for p in files]
    existing = [t for t in targets if t.exists()]
    if existing:
        shown = ", ".join(str(t) for t in existing[:3]) + (", ..." if len(existing) > 3 else "")
        raise ProcsimError(
            f"{folder}: already has {shown}; nothing was written. Hint: procsim init "
            "<new folder>, or move those files away first"
        )
    try:
        for source, target in zip(files, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        raise ProcsimError(
            f"{folder}: cannot write the workspace ({exc.strerror or exc}). Hint: choose a "
            "folder you can write to"
        ) from None
    return targets


def init_command(args: list[str]) -> str:
    """Run ``procsim init`` with the words after ``init``; return what to print."""
    if len(args) > 1 or any(a.startswith("-") for a in args):
        raise ProcsimError(f"procsim init: unexpected {' '.join(args)!r}. {USAGE}")
    folder = Path(args[0]) if args else Path.cwd()
    written = init_workspace(folder)
    lines = [f"workspace written in {folder}:"]
    lines += [f"  {p.relative_to(folder)}" for p in written]
    lines += [
        "",
        "try it:",
        *([f"  cd {folder}"] if args else []),
        "  procsim                                  the current process",
        "  procsim scenario=extra_reviewer          a redesign against it",
        "  procsim experiment=reviewer_staffing     a sweep of the reviewer head count",
    ]
    return "\n".join(lines)
