"""Reading a Prosimos/Simod parameter file (JSON): resources, calendars, durations, arrivals.

The second step of importing a model (:mod:`procsim.mining.model_import`), beside the BPMN
control flow of :mod:`procsim.mining.bpmn_model`: the resource pools and their people (with
amount, cost per hour and calendar), each calendar's weekly periods, every task's duration
distribution per resource, the arrival distribution and calendar, gateway branching
probabilities and intermediate-event delays, as plain records. Sections procsim has no use
for (batching rules, case attributes, priorities, ...) are listed so the import can say they
were left out. Distributions keep Prosimos' own parameters (seconds; ``norm`` is mean, sd,
min, max): :mod:`procsim.mining.duration_mix` turns them into procsim's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procsim.errors import Issue, ModelError, clip

#: Prosimos distribution names and how many parameters each takes.
ARITY = {"fix": 1, "expon": 3, "uniform": 2, "norm": 4, "lognorm": 4, "gamma": 4}
NAMES = {
    "fixed": "fix",
    "exponential": "expon",
    "normal": "norm",
    "lognormal": "lognorm",
    "log_normal": "lognorm",
    "default": "uniform",
}
#: Sections procsim does not model, with what they are (for the notes).
UNMODELLED = {
    "batch_processing": "batch processing rules",
    "case_attributes": "case attributes",
    "event_attributes": "event attributes",
    "global_attributes": "global attributes",
    "prioritisation_rules": "prioritisation rules",
    "branch_rules": "branching conditions (the probabilities are used instead)",
    "multitask": "multitasking",
}
MAX_JSON_BYTES = 50_000_000
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True)
class Spec:
    """A Prosimos distribution: its name and parameter values (seconds)."""

    name: str
    params: tuple[float, ...]


@dataclass(frozen=True)
class Period:
    """A weekly working period: days ``first``..``last`` (0 = Monday), ``begin``..``end`` in
    hours of the day (``end`` 24 for midnight)."""

    first: int
    last: int
    begin: float
    end: float


@dataclass(frozen=True)
class Resource:
    """One resource line of a pool: ``amount`` identical people."""

    id: str
    name: str
    amount: int
    cost_per_hour: float
    calendar: str
    pool: str


@dataclass
class ProsimosParams:
    """What the parameter file says, by BPMN element id."""

    resources: dict[str, Resource] = field(default_factory=dict)
    calendars: dict[str, list[Period]] = field(default_factory=dict)
    durations: dict[str, list[tuple[str, Spec]]] = field(default_factory=dict)
    arrival: Spec | None = None
    arrival_calendar: list[Period] | None = None
    branching: dict[str, dict[str, float]] = field(default_factory=dict)
    events: dict[str, Spec] = field(default_factory=dict)
    unmodelled: list[str] = field(default_factory=list)


def read_params(path: Path) -> ProsimosParams:
    """Read and check a Prosimos JSON parameter file; every problem reported at once.

    Raises
    ------
    ModelError
        Naming the file and the JSON path of each problem.
    """
    where = str(path)
    if not path.is_file():
        raise ModelError(
            [Issue(where, "no such file", "a Prosimos parameter file (.json)")], "the model"
        )
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ModelError(
            [Issue(where, "too large", f"at most {MAX_JSON_BYTES:,} bytes")], "the model"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(
            [Issue(where, "is not valid JSON", "a Prosimos parameter file", clip(exc, 160))],
            "the model",
        ) from None
    issues: list[Issue] = []
    if not isinstance(data, dict):
        raise ModelError(
            [Issue(where, "not a JSON object", "{resource_profiles: ...}")], "the model"
        )
    out = ProsimosParams()
    _Reader(where, issues, out).read(data)
    if issues:
        raise ModelError(issues, f"the parameter file {where}")
    return out


class _Reader:
    def __init__(self, where: str, issues: list[Issue], out: ProsimosParams) -> None:
        self.where, self.issues, self.out = where, issues, out

    def add(self, path: str, message: str, expected: str, got: object = "") -> None:
        self.issues.append(Issue(path, message, expected, clip(repr(got)) if got != "" else ""))

    def items(self, data: dict[str, Any], key: str, required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.add(key, "missing or not a list", "a JSON list", value if value else "nothing")
            return []
        return [v for v in value if self.is_object(v, key)]

    def is_object(self, value: object, path: str) -> bool:
        if not isinstance(value, dict):
            self.add(path, "not a JSON object", "an object", value)
            return False
        return True

    def read(self, data: dict[str, Any]) -> None:
        for k, p in enumerate(self.items(data, "resource_calendars")):
            self.out.calendars[str(p.get("id"))] = self.periods(
                p.get("time_periods"), f"resource_calendars[{k}].time_periods"
            )
        for k, pool in enumerate(self.items(data, "resource_profiles")):
            self.pool(pool, f"resource_profiles[{k}]")
        for k, task in enumerate(self.items(data, "task_resource_distribution")):
            self.task(task, f"task_resource_distribution[{k}]")
        arrival = data.get("arrival_time_distribution")
        if not isinstance(arrival, dict):
            self.add(
                "arrival_time_distribution",
                "missing or not an object",
                "{distribution_name, distribution_params}",
                arrival or "nothing",
            )
        if isinstance(arrival, dict) and self.is_object(arrival, "arrival_time_distribution"):
            self.out.arrival = self.spec(arrival, "arrival_time_distribution")
        if data.get("arrival_time_calendar") is not None:
            self.out.arrival_calendar = self.periods(
                data["arrival_time_calendar"], "arrival_time_calendar"
            )
        for k, g in enumerate(self.items(data, "gateway_branching_probabilities", False)):
            path = f"gateway_branching_probabilities[{k}]"
            probs = {}
            for j, p in enumerate(g.get("probabilities") or []):
                value = self.number(p.get("value"), f"{path}.probabilities[{j}].value")
                if value is not None:
                    probs[str(p.get("path_id"))] = value
            self.out.branching[str(g.get("gateway_id"))] = probs
        for k, e in enumerate(self.items(data, "event_distribution", False)):
            spec = self.spec(e, f"event_distribution[{k}]")
            if spec is not None:
                self.out.events[str(e.get("event_id"))] = spec
        self.out.unmodelled = [what for key, what in UNMODELLED.items() if data.get(key)]
        if str(data.get("model_type", "CRISP")).upper() == "FUZZY":
            self.out.unmodelled.append("fuzzy (probabilistic) calendars, read as crisp ones")
        for r in self.out.resources.values():
            if r.calendar not in self.out.calendars:
                self.add(
                    f"resource {clip(r.id)}.calendar",
                    "unknown calendar",
                    "an id of resource_calendars",
                    r.calendar,
                )

    def pool(self, pool: dict[str, Any], path: str) -> None:
        name = str(pool.get("name") or pool.get("id") or "pool")
        for j, r in enumerate(pool.get("resource_list") or []):
            rpath = f"{path}.resource_list[{j}]"
            if not self.is_object(r, rpath):
                continue
            amount = self.number(r.get("amount", 1), f"{rpath}.amount")
            cost = self.number(r.get("cost_per_hour", 0), f"{rpath}.cost_per_hour")
            if amount is None or cost is None or amount != int(amount) or amount < 1:
                if amount is not None and (amount != int(amount) or amount < 1):
                    self.add(f"{rpath}.amount", "not a head count", "a whole number >= 1", amount)
                continue
            rid = str(r.get("id"))
            self.out.resources[rid] = Resource(
                rid, str(r.get("name") or rid), int(amount), cost, str(r.get("calendar")), name
            )

    def task(self, task: dict[str, Any], path: str) -> None:
        specs: list[tuple[str, Spec]] = []
        for j, r in enumerate(task.get("resources") or []):
            rpath = f"{path}.resources[{j}]"
            if not self.is_object(r, rpath):
                continue
            rid = str(r.get("resource_id"))
            if rid not in self.out.resources:
                self.add(
                    f"{rpath}.resource_id",
                    "unknown resource",
                    "an id of a resource_profiles resource",
                    rid,
                )
                continue
            spec = self.spec(r, rpath)
            if spec is not None:
                specs.append((rid, spec))
        self.out.durations[str(task.get("task_id"))] = specs

    def spec(self, value: dict[str, Any], path: str) -> Spec | None:
        raw = str(value.get("distribution_name", ""))
        name = NAMES.get(raw, raw)
        params = value.get("distribution_params") or []
        if name not in ARITY:
            self.add(f"{path}.distribution_name", "unknown distribution", ", ".join(ARITY), raw)
            return None
        values = [
            self.number(
                p.get("value") if isinstance(p, dict) else p, f"{path}.distribution_params[{i}]"
            )
            for i, p in enumerate(params)
        ]
        if len(values) < ARITY[name] or any(v is None for v in values[: ARITY[name]]):
            self.add(
                f"{path}.distribution_params",
                f"{name} needs {ARITY[name]} values",
                f"{ARITY[name]} numbers",
                len(values),
            )
            return None
        return Spec(name, tuple(float(v) for v in values[: ARITY[name]] if v is not None))

    def number(self, value: object, path: str) -> float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(float(value))
        ):
            self.add(path, "not a number", "a finite number", value)
            return None
        return float(value)

    def periods(self, value: object, path: str) -> list[Period]:
        out: list[Period] = []
        if not isinstance(value, list):
            self.add(path, "not a list of periods", "[{from, to, beginTime, endTime}]", value)
            return out
        for k, p in enumerate(value):
            ppath = f"{path}[{k}]"
            if not self.is_object(p, ppath):
                continue
            days = [str(p.get(key, "")).upper() for key in ("from", "to")]
            times = [_clock(p.get(key)) for key in ("beginTime", "endTime")]
            if any(d not in DAYS for d in days) or None in times:
                self.add(
                    ppath,
                    "not a working period",
                    "from/to MONDAY..SUNDAY, beginTime/endTime HH:MM:SS",
                    p,
                )
                continue
            begin, end = float(times[0]), float(times[1])  # type: ignore[arg-type]
            end = 24.0 if end >= 23.99 else end  # 23:59:59.999 is midnight
            if end <= begin:
                self.add(ppath, "ends before it begins", "beginTime < endTime", p)
                continue
            out.append(Period(DAYS.index(days[0]), DAYS.index(days[1]), begin, end))
        return out


def _clock(value: object) -> float | None:
    """``"09:30:00.000"`` -> 9.5 hours; None when unreadable."""
    parts = str(value or "").split(":")
    try:
        h, m = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        s = float(parts[2]) if len(parts) > 2 else 0.0
    except ValueError:
        return None
    if not (0 <= h <= 24 and 0 <= m < 60 and 0 <= s < 60):
        return None
    return h + m / 60 + s / 3600
