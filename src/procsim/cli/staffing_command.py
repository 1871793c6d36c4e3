"""``procsim optimize=staffing``: the staffing search as one job of the command.

Sits where a run would be, in one job of ``procsim`` (:mod:`procsim.cli.job`): the search is
:func:`procsim.study.staffing_search.search_staffing`; this module checks the request, writes
what the search evaluated and found into the job's folder and prints the outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procsim.config.composed_study import Study
    from procsim.study.staffing_search import StaffingSearch


def run_staffing_search(
    study: Study, container: dict[str, Any], out_dir: Path, overrides: list[str]
) -> None:
    """``optimize=staffing``: the staffing search on the redesign (or the current process).

    Parameters
    ----------
    study
        The resolved study; the search runs on its last model (the redesign, if any).
    container
        The job's composed config (``optimize``, ``optimize_roles``).
    out_dir
        The job's folder: ``tables/staffing_search.*`` and ``staffing_search.txt`` go there.
    overrides
        The job's overrides, recorded with its outcome.

    Raises
    ------
    ModelError
        When ``optimize`` names another search.
    """
    from procsim.errors import Issue, ModelError
    from procsim.files import write_table, write_text
    from procsim.study.staffing_search import search_staffing

    if container.get("optimize") != "staffing":
        raise ModelError(
            [Issue("optimize", "unknown search", "staffing", repr(container.get("optimize")),
                   "use optimize=staffing")],
            "the command line",
        )  # fmt: skip
    label = list(study.configs)[-1]
    roles = list(container.get("optimize_roles") or []) or None
    print(f"staffing search on {label}: analytic bounds, then simulation")
    search = search_staffing(study.configs[label], roles, progress=print)
    if len(search.evaluated):
        write_table(search.evaluated, out_dir / "tables", "staffing_search")
    text = "\n".join(_outcome(search))
    write_text(out_dir / "staffing_search.txt", text + "\n")
    print("\n" + text + f"\nresults: {out_dir}")
    from procsim.study.sweep import record_job

    record_job(out_dir, "ok", overrides)


def _outcome(search: StaffingSearch) -> list[str]:
    """The lines that say what the search found: bounds, proposal, the choice and runners-up."""
    lines = [
        f"lower bounds (offered load < 1): {search.lower_bounds}",
        f"analytic proposal: {search.analytic_start}",
    ]
    if search.chosen is None:
        lines.append(search.reason)
    else:
        best = search.evaluated.iloc[0]
        lines.append(
            f"cheapest staffing meeting every target: {search.chosen} "
            f"(staff cost {best['staff_cost_per_day']:,.0f} per day)"
        )
        for row in search.runners_up().to_dict("records"):
            staffing = {r: int(row[r]) for r in search.chosen}
            lines.append(f"  runner-up: {staffing} ({row['staff_cost_per_day']:,.0f} per day)")
    return lines
