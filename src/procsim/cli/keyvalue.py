"""``key=value`` command lines of the log commands (``procsim-fit``, ``procsim-validate``).

Sits at the edge, like :mod:`procsim.cli.main`: the same Hydra-style notation as ``procsim``
without Hydra (these commands compose no config), the same all-at-once messages and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from procsim.errors import EXIT_USER_ERROR, Issue, ProcsimError, clip, did_you_mean
from procsim.mining.read_limits import MAX_BYTES, MAX_ROWS, ReadLimits, parse_bound
from procsim.versions import __version__

#: Column options shared by the commands that read an event log.
LOG_KEYS = ("log", "case", "activity", "start", "end", "resource", "role", "attributes",
            "timezone", "skip_bad_rows", "max_rows", "max_bytes")  # fmt: skip


def parse(
    argv: Sequence[str], keys: Sequence[str], required: Sequence[str], example: str
) -> tuple[dict[str, str], list[Issue]]:
    """Options as a mapping, and the problems found (unknown or missing keys, no ``=``)."""
    issues: list[Issue] = []
    opts: dict[str, str] = {}
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            issues.append(Issue(clip(arg), "not an option", f"key=value, e.g. {example}",
                                repr(clip(arg))))  # fmt: skip
        elif key not in keys:
            issues.append(Issue(clip(key), "unknown option", ", ".join(keys), repr(clip(key)),
                                did_you_mean(key, keys)))  # fmt: skip
        else:
            opts[key] = value
    for key in required:
        if key not in opts:
            issues.append(Issue(key, "missing", f"{key}=...", "", f"e.g. {example}"))
    return opts, issues


def is_yes(value: str | None) -> bool:
    """``true``/``yes``/``1`` (any case)."""
    return (value or "").strip().lower() in ("true", "yes", "1")


def check_yes_no(opts: dict[str, str], key: str, issues: list[Issue]) -> None:
    """Record a problem when ``key`` is given and is not a yes/no."""
    if key in opts and opts[key].strip().lower() not in ("true", "false", "yes", "no", "1", "0"):
        issues.append(Issue(key, "not a yes/no", "true or false", repr(opts[key])))


def check_log_options(opts: dict[str, str], issues: list[Issue]) -> None:
    """Record the problems of the options every log command shares (``timezone``,
    ``skip_bad_rows``, ``max_rows``, ``max_bytes``), before any file is read."""
    from procsim.mining.timestamps import timezone_issue

    check_yes_no(opts, "skip_bad_rows", issues)
    bad_zone = timezone_issue(opts.get("timezone"))
    if bad_zone is not None:
        issues.append(bad_zone)
    for key in ("max_rows", "max_bytes"):
        if key in opts and _bound(opts[key]) is None:
            unit = "events" if key == "max_rows" else "bytes, after decompression"
            issues.append(Issue(key, "not a positive count", f"a count of {unit}, e.g. "
                                "10000000, 10M or 4GB", repr(clip(opts[key]))))  # fmt: skip


def read_limits(opts: dict[str, str]) -> ReadLimits:
    """The bounds on reading a log that the options set (checked by
    :func:`check_log_options`), the defaults elsewhere."""
    rows = _bound(opts.get("max_rows", ""))
    size = _bound(opts.get("max_bytes", ""))
    return ReadLimits(rows or MAX_ROWS, size or MAX_BYTES)


def check_writable(path: Path, setting: str) -> None:
    """Fail, naming the setting and the path, unless a file can be written at ``path``:
    the folder is made if needed and a scratch file created in it and removed."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=True):
            pass
    except OSError as exc:
        raise unwritable(path, setting, exc) from None


def write_config(path: Path, text: str, setting: str) -> None:
    """Write a config's text atomically; a failure names the setting and the path."""
    from procsim.files import write_text

    try:
        write_text(path, text)
    except OSError as exc:
        raise unwritable(path, setting, exc) from None


def unwritable(path: Path, setting: str, exc: OSError) -> ProcsimError:
    """The error for a file that cannot be written: the setting, the path and why."""
    reason = exc.strerror or type(exc).__name__
    return ProcsimError(
        f"{setting}={path}: cannot write the file there ({reason}). Hint: choose a folder "
        "you can write to (out=PATH), and check that the disk is not full"
    )


def _bound(text: str) -> int | None:
    return parse_bound(text) if text else None


def run(
    name: str, usage: str, argv: list[str] | None, command: Callable[[list[str]], None]
) -> None:
    """Help, version, and the command with input errors as one message and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage)
        return
    if args[0] == "--version":
        print(f"{name} {__version__}")
        return
    try:
        command(args)
    except ProcsimError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
    except OSError as exc:
        print(f"{name}: error: {exc}. Hint: check the paths and that the folder is writable",
              file=sys.stderr)  # fmt: skip
        raise SystemExit(EXIT_USER_ERROR) from None
