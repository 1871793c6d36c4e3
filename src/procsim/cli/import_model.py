"""The ``procsim-import`` command: a Prosimos/Simod model (BPMN + JSON) in, a process config out.

Sits at the edge of the import data flow: reads ``key=value`` options (like ``procsim-fit``),
imports with :func:`procsim.mining.model_import.import_model`, writes the config under
``conf/process/`` of the workspace (or ``out=``) and prints what was approximated. Input
errors print one message and exit 2.
"""

from __future__ import annotations

from pathlib import Path

from procsim.cli import keyvalue
from procsim.errors import Issue, ModelError, ProcsimError

USAGE = """\
usage: procsim-import bpmn=PATH json=PATH name=NAME [OPTION=VALUE ...]

Turns a business process simulation model in the format of Prosimos and Simod (a BPMN 2.0
file with the control flow, and a JSON file with its parameters) into a procsim process
config, conf/process/NAME.yaml, commented like a hand-written one. Then
`procsim process=NAME` simulates it.

What it imports: tasks (stages), exclusive gateways (routing probabilities, loops), parallel
gateways (parallel: / join:), intermediate events (delays), resource pools (roles, with the
head count of their people and their mean cost per hour), resource calendars (shifts), task
durations and the arrival distribution and calendar. What procsim cannot express is
approximated and said, in the file's header and here: per-resource durations become the
pool's mix, inclusive gateways exclusive ones, a resource shared by several roles is counted
in each, and batching rules, case attributes and priorities are left out.

Options:
  bpmn=PATH        the BPMN 2.0 model (required)
  json=PATH        the Prosimos/Simod parameter file (required)
  name=NAME        the process name and file name (required; letters, digits, _ and -)
  out=PATH         write the config here instead of conf/process/NAME.yaml
  overwrite=true   replace an existing file

Example:
  procsim-import bpmn=loan.bpmn json=loan.json name=loans
  procsim process=loans run.cases=1000 run.warmup=0
"""

_KEYS = ("bpmn", "json", "name", "out", "overwrite")


def _options(argv: list[str]) -> dict[str, str]:
    opts, issues = keyvalue.parse(
        argv, _KEYS, ("bpmn", "json", "name"), "procsim-import bpmn=m.bpmn json=m.json name=m"
    )
    name = opts.get("name", "x")
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        issues.append(Issue("name", "not a usable name", "letters, digits, _ and -", repr(name)))
    keyvalue.check_yes_no(opts, "overwrite", issues)
    if issues:
        raise ModelError(issues, "the command line")
    return opts


def _target(opts: dict[str, str]) -> Path:
    if opts.get("out"):
        return Path(opts["out"])
    from procsim.config.workspace import find_workspace

    try:
        ws = find_workspace()
        if ws.origin != "bundled examples":
            return ws.conf / "process" / f"{opts['name']}.yaml"
    except ProcsimError:
        pass
    return Path.cwd() / "conf" / "process" / f"{opts['name']}.yaml"


def import_command(opts: dict[str, str]) -> tuple[Path, str, list[str]]:
    """Import from parsed options (see :data:`USAGE`); write the config; return where, its
    text and the notes."""
    from procsim.mining.model_import import import_model

    target = _target(opts)
    if target.exists() and not keyvalue.is_yes(opts.get("overwrite")):
        raise ProcsimError(
            f"{target} exists already. Hint: overwrite=true replaces it, or choose another name="
        )
    setting = "out" if opts.get("out") else "name"
    keyvalue.check_writable(target, setting)
    text, model = import_model(Path(opts["bpmn"]), Path(opts["json"]), opts["name"])
    keyvalue.write_config(target, text, setting)
    return target, text, model.notes


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``procsim-import``."""
    keyvalue.run("procsim-import", USAGE, argv, _command)


def _command(args: list[str]) -> None:
    opts = _options(args)
    target, text, notes = import_command(opts)
    import yaml

    config = yaml.safe_load(text)
    stages = config["process"]["stages"]
    print(
        f"imported {opts['name']}: {len(stages)} stages, {len(config.get('roles') or {})} "
        f"role(s), times in {config['process']['time_unit']}"
    )
    for note in notes:
        print(f"approximated: {note}" if not note.startswith("not imported") else f"note: {note}")
    if not notes:
        print("nothing approximated: every part of the model has a procsim equivalent")
    print(f"wrote {target}")
    print(f"next: procsim process={opts['name']}")


if __name__ == "__main__":
    main()
