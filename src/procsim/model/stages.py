"""Stages: ``process.stages`` and ``process.start`` -> the stages and where cases start.

Part of validation: :mod:`procsim.model.validate` reads the stage table here, then hands each
stage's mapping back with the stage and role ids to become a
:class:`~procsim.model.process.Stage`. A stage's role, duration, value class, cost, impatience
(patience, queue capacity) and batching are checked here; its ``next`` goes to
:mod:`procsim.model.routing`. Every problem is collected with its path; the stages built feed
the case types (:mod:`procsim.model.case_types`) and the whole-process checks
(:mod:`procsim.model.flow_checks`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from procsim.errors import did_you_mean
from procsim.model.calendar import Calendar
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.issues import Collector, short
from procsim.model.process import VALUE_CLASSES, Batch, Stage, ValueClass
from procsim.model.routing import EXIT_NAMES, Handoffs, build_next
from procsim.model.time_of_week import parse_clock, parse_days

STAGE_KEYS = (
    "role",
    "duration",
    "next",
    "value",
    "cost",
    "description",
    "patience",
    "queue_capacity",
    "batch",
)
BATCH_KEYS = ("at", "size")


def read_stages(proc: dict[str, Any], c: Collector) -> dict[str, Any]:
    """``process.stages``: stage name -> its mapping, in the order given (the stages' ids).

    Parameters
    ----------
    proc
        The ``process`` mapping.
    c
        Collects every problem found: no stages, or a stage named like the exit.

    Returns
    -------
    dict
        The stages, without those set to null (a scenario's way to remove one).
    """
    stages = c.mapping(
        proc.get("stages"),
        "process.stages",
        example="{intake: {role: clerk, duration: {dist: expon, mean: 1}}}",
    )
    stages = {k: v for k, v in stages.items() if v is not None}  # null removes a stage
    if not stages and "stages" in proc:
        c.add("process.stages", "the process has no stages", "at least one stage", "none")
    for name in stages:
        if name in EXIT_NAMES:
            c.add(
                f"process.stages.{name}",
                f"'{name}' is reserved for leaving the process",
                "another stage name",
                repr(name),
            )
    return stages


def start_stage(value: object, sid: dict[str, int], c: Collector) -> int:
    """The id of ``process.start``, the stage cases start at (0 when not given or wrong).

    Parameters
    ----------
    value
        ``process.start``: a stage name; it may be left out when there is only one stage.
    sid
        Stage ids by name.
    c
        Collects every problem found.

    Returns
    -------
    int
    """
    stage_names = list(sid)
    if value is None:
        if len(stage_names) > 1:
            c.add(
                "process.start",
                "missing: which stage do cases start at?",
                "a stage name",
                "nothing",
                f"add process.start: {stage_names[0]}",
            )
    elif not isinstance(value, str) or value not in sid:
        c.unknown("process.start", "unknown stage", stage_names, repr(value), value)
    else:
        return sid[value]
    return 0


def build_stage(
    name: str,
    raw_value: object,
    sid: dict[str, int],
    rid_of: dict[str, int],
    unit: str,
    calendar: Calendar,
    handoffs: Handoffs,
    c: Collector,
    removed: Collection[str] = (),
) -> Stage | None:
    """One stage from its config mapping (None when it has problems, all reported).

    ``removed`` names roles whose head count is null, for a hint that says so.
    """
    path = f"process.stages.{name}"
    raw = c.mapping(
        raw_value,
        path,
        allowed=STAGE_KEYS,
        example="{role: reviewer, duration: {dist: expon, mean: 2}, next: {...}}",
    )
    n_before = len(c.issues)
    role = _role(raw.get("role"), path, rid_of, removed, c)
    duration = _duration(raw, path, unit, c)
    routing = build_next(raw.get("next"), name, path, sid, unit, handoffs, c)
    value = raw.get("value", "necessary")
    if value not in VALUE_CLASSES:
        c.unknown(f"{path}.value", "unknown value class", VALUE_CLASSES, short(value), value)
    cost = 0.0
    if raw.get("cost") is not None:
        cost = c.number(raw["cost"], f"{path}.cost", minimum=0) or 0.0
    description = c.text(raw.get("description"), f"{path}.description")
    patience, capacity = _impatience(raw, path, unit, c)
    batch = _build_batch(raw.get("batch"), f"{path}.batch", calendar, c)
    if len(c.issues) > n_before or duration is None or not routing.ok:
        return None
    return Stage(
        sid[name],
        name,
        role,
        duration,
        routing.successors,
        routing.probabilities,
        cast(ValueClass, value),
        cost,
        description,
        split=routing.split,
        join=routing.join,
        patience=patience,
        queue_capacity=capacity,
        batch=batch,
    )


def _role(
    role_name: object, path: str, rid_of: dict[str, int], removed: Collection[str], c: Collector
) -> int | None:
    """The id of the stage's role; None for a pure delay (no role) or an unknown role."""
    if role_name is None:
        return None
    if not isinstance(role_name, str) or role_name not in rid_of:
        hint = did_you_mean(str(role_name), rid_of) if rid_of else ""
        hint = hint or f"add staffing.{role_name}=1"
        if isinstance(role_name, str) and role_name in removed:
            hint = (
                f"staffing.{role_name} is null, which removes the role; a role needs a head "
                f"count (e.g. staffing.{role_name}=1), or give this stage another role"
            )
        c.add(
            f"{path}.role",
            "role has no head count under staffing",
            "a role listed under staffing (or null for a pure delay)",
            short(role_name),
            hint,
        )
        return None
    return rid_of[role_name]


def _duration(raw: dict[str, Any], path: str, unit: str, c: Collector) -> Distribution | None:
    if "duration" not in raw or raw["duration"] is None:
        c.add(
            f"{path}.duration",
            "missing",
            "a distribution such as {dist: expon, mean: 2}",
            "nothing",
        )
        return None
    return parse_distribution(raw["duration"], f"{path}.duration", unit, c.issues)


def _impatience(
    raw: dict[str, Any], path: str, unit: str, c: Collector
) -> tuple[Distribution | None, int | None]:
    """How long a waiting case stays (patience) and how many may wait (queue capacity)."""
    patience = None
    if raw.get("patience") is not None:
        patience = parse_distribution(raw["patience"], f"{path}.patience", unit, c.issues)
    capacity = None
    if raw.get("queue_capacity") is not None:
        got = c.number(
            raw["queue_capacity"],
            f"{path}.queue_capacity",
            minimum=0,
            integer=True,
            what="a number of waiting cases",
        )
        capacity = int(got) if got is not None else None
    if (patience is not None or capacity is not None) and raw.get("role") is None:
        c.add(
            path,
            "patience and queue_capacity need a role (a pure delay has no queue)",
            "a role",
            "none",
        )
    return patience, capacity


def _build_batch(value: object, path: str, calendar: Calendar, c: Collector) -> Batch | None:
    if value is None:
        return None
    raw = c.mapping(
        value, path, allowed=BATCH_KEYS, example="{at: ['mon 17:00', 'thu 17:00']} or {size: 20}"
    )
    if not raw:
        return None
    size = None
    if raw.get("size") is not None:
        got = c.number(raw["size"], f"{path}.size", minimum=1, integer=True, what="a batch size")
        size = int(got) if got is not None else None
    times: list[float] = []
    at = raw.get("at")
    if at is not None:
        released = _release_times(at, path, c)
        if released is None:
            return None
        times = released
    if size is None and not times:
        if at is None:
            c.add(
                path,
                "a batch needs release times, a size, or both",
                "at: ['mon 17:00'] and/or size: 20",
                "neither",
            )
        return None
    del calendar  # release days are checked against it by the engine (closed days skipped)
    return Batch(tuple(sorted(set(times))), size)


def _release_times(at: object, path: str, c: Collector) -> list[float] | None:
    """``batch.at`` -> release moments in hours since Monday 00:00 (None: no list at all)."""
    items = [at] if isinstance(at, str) else at
    if not isinstance(items, list) or not items:
        c.add(
            f"{path}.at",
            "a batch schedule with no release times",
            "a list such as ['mon 17:00', 'thu 17:00'] or 'daily 17:00'",
            short(at),
        )
        return None
    times: list[float] = []
    for i, item in enumerate(items):
        ipath = f"{path}.at[{i}]"
        if not isinstance(item, str) or not item.split():
            c.add(ipath, "not a release time", "'<days> HH:MM', e.g. 'mon-fri 17:00'", short(item))
            continue
        *day_words, clock = item.split()
        days = parse_days(" ".join(day_words) or "all", ipath, c.issues)
        hour = parse_clock(clock, ipath, c.issues)
        if days is None or hour is None:
            continue
        if hour >= 24:
            c.add(ipath, "a release time must be before midnight", "HH:MM < 24:00", clock)
            continue
        times += [day * 24.0 + hour for day in days]
    return times
