"""``key=value`` command lines of the log commands (``procsim-fit``, ``procsim-validate``).

Sits at the edge, like :mod:`procsim.cli.main`: the same Hydra-style notation as ``procsim``
without Hydra (these commands compose no config), the same all-at-once messages and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from procsim.errors import EXIT_USER_ERROR, Issue, ProcsimError, did_you_mean
from procsim.versions import __version__

#: Column options shared by the commands that read an event log.
LOG_KEYS = ("log", "case", "activity", "start", "end", "resource", "role", "attributes",
            "timezone", "skip_bad_rows")  # fmt: skip


def parse(
    argv: Sequence[str], keys: Sequence[str], required: Sequence[str], example: str
) -> tuple[dict[str, str], list[Issue]]:
    """Options as a mapping, and the problems found (unknown or missing keys, no ``=``)."""
    issues: list[Issue] = []
    opts: dict[str, str] = {}
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            issues.append(Issue(arg, "not an option", f"key=value, e.g. {example}", repr(arg)))
        elif key not in keys:
            issues.append(Issue(key, "unknown option", ", ".join(keys), repr(key),
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
