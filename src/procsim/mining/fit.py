"""Fitting: a checked event log in, the text of a current-process config out.

Sits at the end of the mining data flow: :mod:`procsim.mining.log_files` (reading) ->
:mod:`procsim.mining.discover` -> :mod:`procsim.mining.yaml_writer`, then checks that the
written config validates. Writes no file: the ``procsim-fit`` command
(:mod:`procsim.cli.fit`) decides where the config and its report go.
"""

from __future__ import annotations

import dataclasses

from procsim.errors import FitError, ModelError
from procsim.mining.discover import discover
from procsim.mining.eventlog import RealLog
from procsim.mining.process_fit import ProcessFit
from procsim.mining.yaml_writer import write_config


def fit_process(
    log: RealLog, name: str, digest: str, criterion: str = "aic", where: str = ""
) -> tuple[str, ProcessFit]:
    """The fitted config's text and the discovered process.

    Parameters
    ----------
    log
        A log read by :func:`procsim.mining.log_files.read_log`.
    name
        The process name.
    digest
        The log file's SHA-256, written into the config (which log it came from).
    criterion
        ``aic`` or ``bic``: how duration families are chosen.
    where
        Where the config will be written, for messages.

    Raises
    ------
    FitError
        When the written config does not validate: a bug of the fit, not of the log.
    """
    fit = discover(log, name, criterion=criterion)
    text = _stamp(write_config(fit), digest)
    if fit.parallel:
        try:
            _check_config(text, where)
        except FitError as exc:
            # A parallel block the routing around it does not allow: model it in sequence.
            notes = [*fit.notes, f"parallel work not modelled: {str(exc).splitlines()[-1]}"]
            fit = dataclasses.replace(fit, parallel=[], notes=notes)
            text = _stamp(write_config(fit), digest)
    _check_config(text, where)
    return text, fit


def _stamp(text: str, digest: str) -> str:
    """The config with the log's SHA-256 under its first comment (which log it came from)."""
    head, _, rest = text.partition("\n# Fitted by")
    line, _, tail = rest.partition("\n")
    return f"{head}\n# Fitted by{line}\n# log SHA-256: {digest}\n{tail}"


def _check_config(text: str, target: str) -> None:
    """The written config must validate; if it does not, that is a bug in the fit."""
    import yaml

    from procsim.model.validate import validate_model

    try:
        validate_model(yaml.safe_load(text))
    except ModelError as exc:
        raise FitError(
            f"the fitted config for {target} does not validate; this is a bug in procsim-fit, "
            f"please report it with the log's shape. {exc}"
        ) from None
