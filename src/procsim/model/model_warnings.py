"""Model warnings: findings on a valid model that are not errors.

The last step of validation (:mod:`procsim.model.validate` calls it on the assembled
:class:`~procsim.model.process.Model`): a preemptive role with nothing to preempt for, a staffed
role no stage uses, no value-adding stage, a role offered more work than its staff can do. The
warnings travel with the model and are shown before a run.
"""

from __future__ import annotations

from procsim.model.process import Model


def model_warnings(model: Model) -> tuple[str, ...]:
    """What looks wrong in a model that is valid, one sentence each with its config path.

    Parameters
    ----------
    model
        A model that passed every check.

    Returns
    -------
    tuple of str
        The warnings, in the order of the config's sections.
    """
    warnings: list[str] = []
    roles, stages = model.roles, model.stages
    if any(r.preemptive for r in roles) and len({t.priority for t in model.case_types}) < 2:
        warnings.append(
            "roles: preemptive is set but all case types have the same priority, so nothing "
            "is ever interrupted"
        )
    used_roles = {roles[s.role].name for s in stages if s.role is not None}
    for role in roles:
        if role.name not in used_roles:
            warnings.append(
                f"staffing.{role.name}: role is staffed but no stage uses it "
                "(its staff still count in cost)"
            )
    varying = model.arrival_profile is not None or any(r.shifts is not None for r in roles)
    for name, load in model.offered_load().items():
        if load >= 1:
            warnings.append(
                f"staffing.{name}: offered load is {load:.2f} per person (>= 1"
                + (", averaged over the week" if varying else "")
                + "): its queue will grow without bound; results depend on the run length. "
                "Hint: add staff or shorten its stages"
            )
    return tuple(warnings)
