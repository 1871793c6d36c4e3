"""The composed study: the current process and its redesigns as plain mappings, and their
validation into models.

Sits between configuration and the study: :func:`procsim.config.resolve.resolve_study` makes a
:class:`Study`, and :mod:`procsim.study.api` builds it (:meth:`Study.build`) into the validated
models and the one set of run settings that the replications run with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from procsim.errors import Issue, ModelError, ProcsimError
from procsim.model.process import BASELINE, Model, RunSettings
from procsim.model.validate import validate


@dataclass
class Study:
    """A composed study: the current process and its redesigns (if any), as plain mappings.

    Attributes
    ----------
    configs
        Label -> model config (``process, roles, staffing, arrivals, sla, targets, run``);
        ``current`` first, then each redesign labelled by its scenario names joined with ``+``
        (``scenario=`` first, then the ``compare=`` list in order).
    scenarios
        The stacked scenario names (empty for the current process alone).
    descriptions
        Label -> description (process or scenario).
    provenance
        Label -> {config path: scenario} for every path a scenario set.
    overrides
        The command-line overrides, as given.
    rank_by
        The KPI that ranks several redesigns.
    """

    configs: dict[str, dict[str, Any]]
    scenarios: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    rank_by: str = "cycle_time_mean"

    def build(self) -> tuple[dict[str, Model], RunSettings]:
        """Validate every config; one error listing all problems of all of them.

        Returns
        -------
        tuple
            Label -> validated model, and the run settings they all share.

        Raises
        ------
        ProcsimError
            Every problem of every config (a :class:`~procsim.errors.ModelError`'s issues,
            each reported once), and run settings that differ between the models.
        """
        models: dict[str, Model] = {}
        run: RunSettings | None = None
        errors: list[str] = []
        reported: set[Issue] = set()
        for label, config in self.configs.items():
            context = (
                "the current process"
                if label == BASELINE
                else f"scenario '{label}' (applied to the current process)"
            )
            try:
                model, settings = validate(
                    config, provenance=self.provenance.get(label), context=context
                )
            except ModelError as exc:
                # A problem the current process has is not repeated for each redesign.
                fresh = [i for i in exc.issues if i not in reported]
                reported.update(exc.issues)
                if fresh:
                    errors.append(str(ModelError(fresh, exc.context)))
                continue
            models[label] = model
            if run is None:
                run = settings
            elif settings != run:
                # One set of run settings for the whole study: the comparison is paired,
                # replication by replication, on common random numbers.
                differ = [
                    f"run.{f.name}: {getattr(settings, f.name)!r} here, "
                    f"{getattr(run, f.name)!r} for the current process"
                    for f in dataclasses.fields(settings)
                    if getattr(settings, f.name) != getattr(run, f.name)
                ]
                errors.append(
                    f"{context}: its run settings differ from the current process's ("
                    + "; ".join(differ)
                    + "): the current process and every redesign run with the same settings."
                    " Hint: set run.* in the process file or on the command line, not in a"
                    " scenario"
                )
        if errors:
            raise ProcsimError("\n".join(errors))
        assert run is not None
        return models, run
