"""Run settings: the ``run`` section -> :class:`~procsim.model.process.RunSettings`.

Part of validation (:mod:`procsim.model.validate` calls it beside the model): how many
replications, how long (a horizon or a number of cases) and with what warm-up, where the
replications run, and the precision to reach (relative half-width, confidence level, the KPIs
it is judged on). Every problem is collected with its path and a hint with the valid range;
the settings feed the study runner.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from procsim.errors import did_you_mean
from procsim.model.issues import Collector, short
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.model.process import INTERNAL_RUN_FIELDS, RunSettings

#: Where replications can run (run.backend).
BACKENDS = ("processes", "dask", "ray")

#: Hints for the whole-number run settings: the range and an example.
RUN_HINTS = {
    "replications": "a whole number >= 2, e.g. run.replications=20",
    "seed": "a whole number >= 0, e.g. run.seed=7",
    "workers": "a whole number >= 0 (0 = one per CPU core), e.g. run.workers=4",
    "max_events": "a whole number >= 1, e.g. run.max_events=50000000",
    "max_replications": "a whole number >= 2, e.g. run.max_replications=200",
    "cases": "a whole number >= 1, e.g. run.cases=5000",
}

RUN_KEYS = tuple(
    f.name for f in dataclasses.fields(RunSettings) if f.name not in INTERNAL_RUN_FIELDS
)


def build_run_settings(value: object, c: Collector, unit: str) -> RunSettings:
    """The ``run`` section -> run settings (the defaults where a setting is not given).

    Parameters
    ----------
    value
        The ``run`` mapping of the config (None: all defaults, which then lack a length).
    c
        Collects every problem found.
    unit
        The process time unit, for a horizon or warm-up given as a plain number.

    Returns
    -------
    RunSettings
        Only the settings that passed their checks differ from the defaults.
    """
    raw = c.mapping(value, "run", required=False, allowed=RUN_KEYS)
    values: dict[str, Any] = {}
    _counts(raw, values, c)
    raw = _auto_warmup(raw, values, c)
    _run_length(raw, values, unit, c)
    _where_to_run(raw, values, c)
    _precision(raw, values, c)
    has_h, has_c = raw.get("horizon") is not None, raw.get("cases") is not None
    if has_h == has_c:
        c.add(
            "run",
            "set exactly one of run.horizon and run.cases",
            "a horizon (e.g. run.horizon=30d) or a number of cases (run.cases=5000)",
            "both" if has_h else "neither",
            "pick a horizon for a period ('a four-week pilot'), cases for a fixed workload",
        )
    return dataclasses.replace(RunSettings(), **values)


def _counts(raw: dict[str, Any], values: dict[str, Any], c: Collector) -> None:
    """The whole-number settings: replications, seed, workers, the limits and cases."""
    minimums = {"replications": 2, "seed": 0, "workers": 0, "max_events": 1, "max_replications": 2}
    for key, minimum in minimums.items():
        if raw.get(key) is not None:
            got = c.number(raw[key], f"run.{key}", minimum=minimum, integer=True, what="an integer",
                           hint=RUN_HINTS[key])  # fmt: skip
            if got is not None:
                values[key] = int(got)
    if raw.get("cases") is not None:
        got = c.number(raw["cases"], "run.cases", minimum=1, integer=True, what="an integer",
                       hint=RUN_HINTS["cases"])  # fmt: skip
        if got is not None:
            values["cases"] = int(got)


def _auto_warmup(raw: dict[str, Any], values: dict[str, Any], c: Collector) -> dict[str, Any]:
    """``run.warmup=auto``: estimate the warm-up from a run over a horizon.

    Returns the run mapping without the ``auto`` warm-up, for the checks of lengths that follow.
    """
    if isinstance(raw.get("warmup"), str) and raw["warmup"].strip().lower() == "auto":
        values["auto_warmup"] = True
        raw = {k: v for k, v in raw.items() if k != "warmup"}
        if raw.get("horizon") is None:
            c.add(
                "run.warmup",
                "an automatic warm-up needs a horizon",
                "run.horizon=<time> with run.warmup=auto",
                "run.cases",
                "give a fixed warm-up with run.cases, or simulate a horizon",
            )
    return raw


def _run_length(raw: dict[str, Any], values: dict[str, Any], unit: str, c: Collector) -> None:
    """The horizon and the warm-up, as numbers or times with a unit."""
    for key in ("horizon", "warmup"):
        if raw.get(key) is not None:
            hint = (
                f"a length in {unit} or a time with a unit (30min, 8h, 2d, 4w), "
                + ("e.g. run.horizon=4w" if key == "horizon" else
                   "e.g. run.warmup=1w; 0 for none, auto to estimate it")
            )  # fmt: skip
            got = c.number(
                raw[key], f"run.{key}", minimum=0, strict=key == "horizon", time_unit=unit,
                hint=hint,
            )  # fmt: skip
            if got is not None:
                values[key] = got


def _where_to_run(raw: dict[str, Any], values: dict[str, Any], c: Collector) -> None:
    """The backend, a cluster's address, and the time allowed."""
    if raw.get("backend") is not None:
        backend = str(raw["backend"]).strip().lower()
        if backend not in BACKENDS:
            c.add("run.backend", "unknown backend", " or ".join(BACKENDS), repr(raw["backend"]),
                  did_you_mean(backend, BACKENDS))  # fmt: skip
        else:
            values["backend"] = backend
    if raw.get("address") is not None:
        values["address"] = str(raw["address"]).strip()
    if raw.get("max_seconds") is not None:
        got = c.number(raw["max_seconds"], "run.max_seconds", minimum=0, strict=True,
                       what="seconds")  # fmt: skip
        if got is not None:
            values["max_seconds"] = float(got)


def _precision(raw: dict[str, Any], values: dict[str, Any], c: Collector) -> None:
    """The precision to reach: a relative half-width, a confidence level, the KPIs judged."""
    if raw.get("precision") is not None:
        got = c.number(raw["precision"], "run.precision", minimum=0, strict=True, what="a share")
        if got is not None and got >= 1:
            c.add(
                "run.precision",
                "a relative half-width of 1 or more asks for nothing",
                "a share such as 0.05 (5% of the mean)",
                f"{got:g}",
            )
        elif got is not None:
            values["precision"] = got
    if raw.get("confidence") is not None:
        got = c.number(raw["confidence"], "run.confidence", minimum=0.5, what="a level")
        if got is not None and got >= 1:
            c.add("run.confidence", "must be below 1", "a level such as 0.95", f"{got:g}")
        elif got is not None:
            values["confidence"] = got
    kpis = raw.get("precision_kpis")
    if kpis is not None:
        items = [kpis] if isinstance(kpis, str) else kpis
        if not isinstance(items, list | tuple) or not all(isinstance(k, str) for k in items):
            c.add(
                "run.precision_kpis",
                "must be a list of KPI names",
                "e.g. [cycle_time_mean, 'sla_attainment:resolution_24h']",
                short(kpis),
            )
        else:
            for item in items:
                metric = item.partition(":")[0]
                if metric not in CATALOGUE:
                    c.add(
                        "run.precision_kpis",
                        "unknown KPI",
                        "a KPI name, or metric:entity",
                        repr(item),
                        did_you_mean(metric, CATALOGUE),
                    )
            values["precision_kpis"] = tuple(items)
