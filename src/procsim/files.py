"""Writing results into the run folder: tidy tables (CSV and Parquet), logs, resolved configs.

Sits at the end of the data flow. Every file is written to a temporary name and renamed, so an
interrupted run never leaves a half-written table.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` then rename ``tmp`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; results are for sharing
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(frame: pd.DataFrame, folder: Path, name: str, *, csv: bool = True) -> None:
    """``<name>.parquet`` (and ``<name>.csv``) in ``folder``."""
    atomic_write(folder / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False))
    if csv:
        atomic_write(
            folder / f"{name}.csv", lambda p: frame.to_csv(p, index=False, float_format="%.10g")
        )


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def write_yaml(path: Path, data: Mapping[str, Any]) -> None:
    """Write a mapping as YAML atomically."""
    write_text(path, yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True))


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write a mapping as JSON atomically."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read in chunks."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
