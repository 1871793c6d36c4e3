"""Process discovery: a checked event log -> the parts of a current-process model.

Sits between :mod:`procsim.mining.log_files` (reading) and :mod:`procsim.mining.yaml_writer`
(writing the config): activities and their routing from the directly-follows relation, the arrival
rate by hour of week, roles (from a role column, or by grouping resources that do the same work),
head counts on duty by hour of week, processing times (fitted by :mod:`procsim.mining.durations`)
and the waiting that is not queueing for staff (waiting for the customer, working hours of someone
else), so the model does not blame staff for time nobody worked.

Everything here works on plain pandas tables and returns plain dataclasses: no SimPy, no
Hydra.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from procsim.errors import FitError
from procsim.mining.durations import DurationFit, fit_durations
from procsim.mining.eventlog import RealLog
from procsim.mining.start_times import identifies_people

WEEK_HOURS = 168
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Activities seen fewer times than this get a constant duration (their median) and a note.
MIN_FIT = 5
#: A delay stage is added before an activity when the waiting that is not queueing has a mean
#: above this many hours and above this share of the activity's whole mean wait.
DELAY_MIN_HOURS = 1 / 60
DELAY_MIN_SHARE = 0.1
#: Waiting shorter than this (hours; one second) counts as none.
DELAY_EPS = 1 / 3600
#: An activity is a batch when its instances end at fewer distinct moments than this share of
#: them, and a few weekly times (at most BATCH_MAX_TIMES) hold BATCH_COVER of them.
BATCH_DISTINCT = 0.1
BATCH_COVER = 0.85
BATCH_MAX_TIMES = 14
#: Two resources belong to one role when their activity mixes are at least this similar
#: (cosine similarity of their activity counts).
ROLE_SIMILARITY = 0.7
#: Average head count on duty from which an hour of week is staffed (rounded half up above).
STAFF_FLOOR = 0.25


#: Words YAML 1.1 reads as booleans or null.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})


def slug(name: str) -> str:
    """A config key from an activity or role name: ``"W_Nabellen offertes"`` ->
    ``w_nabellen_offertes``."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower()
    if not text:
        text = "activity"
    if text[0].isdigit():
        text = "a_" + text
    if text in _YAML_WORDS:  # "yes", "null", ... would not read back as text
        text += "_"
    return text


def _unique_slugs(names: list[str], taken: set[str] | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    used = set(taken or ())
    for n in names:
        base = slug(n)
        key, k = base, 2
        while key in used:
            key, k = f"{base}_{k}", k + 1
        used.add(key)
        out[n] = key
    return out


@dataclass(frozen=True)
class ActivityFit:
    """What the log says about one activity.

    Attributes
    ----------
    name, key
        The name in the log and the stage key in the config.
    count
        Instances in the log.
    role
        Key of the role that does it (None when nobody is recorded: a pure delay).
    duration
        Fitted processing time in hours (None: too few instances, see ``constant``).
    constant
        Median duration in hours, used when there were too few instances to fit.
    delay
        Fitted waiting before the activity that is not queueing for staff (None: negligible).
    wait_mean, delay_mean
        Mean wait before the activity (from the end of the previous one) and the part of it
        that is not queueing for staff, in hours.
    delay_share
        Share of the instances with such waiting at all; ``delay`` is fitted to those only, so
        a case goes through the delay with this probability.
    observed
        The processing times seen in the log (hours), for the fit report.
    batch, batch_note
        Weekly release times (``"mon 17:30"``) when the activity ends in batches (most of its
        instances end at a few recurring moments), and how that was seen.
    next
        Successor key (``"end"`` for the end of the case) -> probability.
    """

    name: str
    key: str
    count: int
    role: str | None
    duration: DurationFit | None
    constant: float
    delay: DurationFit | None
    wait_mean: float
    delay_mean: float
    next: dict[str, float]
    delay_share: float = 0.0
    batch: tuple[str, ...] = ()
    batch_note: str = ""
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


@dataclass(frozen=True)
class RoleFit:
    """A role discovered in the log.

    Attributes
    ----------
    key
        Config key.
    members
        Resources in the role.
    activities
        Keys of the activities it does.
    on_duty
        Mean head count on duty per hour of week (168 values, Monday 00:00 first).
    staffing
        Head count per hour of week as modelled (rounded; 168 integers).
    source
        How the role was found: ``"role column"`` or ``"grouped by activity mix"``.
    """

    key: str
    members: tuple[str, ...]
    activities: tuple[str, ...]
    on_duty: np.ndarray
    staffing: np.ndarray
    source: str


@dataclass(frozen=True)
class ParallelBlock:
    """Two activities done at the same time: after ``split`` both start, ``join`` waits for
    both.

    Attributes
    ----------
    split, branches, join
        Activity keys.
    overlap
        Share of the cases with both activities in which they overlapped in time.
    cases
        Cases with both activities.
    """

    split: str
    branches: tuple[str, str]
    join: str
    overlap: float
    cases: int


@dataclass(frozen=True)
class ProcessFit:
    """Everything discovered in a log, ready to be written as a process config.

    Attributes
    ----------
    name
        Process name.
    source
        The log file.
    cases, events
        Sizes of the log.
    first, last
        Period of the log (local time).
    start
        Start activity key -> probability (the share of cases that begin with it).
    activities
        Per activity, in order of first appearance in the cases.
    roles
        Per role.
    arrivals
        Mean arrivals per hour by hour of week (168 values).
    trend
        Relative change of weekly arrivals per week over the period (least squares), e.g.
        0.01 is +1% a week; None with fewer than three weeks.
    notes
        What the analyst should know (estimated starts, dropped rare edges, ...).
    """

    name: str
    source: str
    cases: int
    events: int
    first: pd.Timestamp
    last: pd.Timestamp
    start: dict[str, float]
    activities: list[ActivityFit]
    roles: list[RoleFit]
    arrivals: np.ndarray
    trend: float | None
    notes: list[str] = field(default_factory=list)
    starts_estimated: bool = False
    parallel: list[ParallelBlock] = field(default_factory=list)


def _hours(delta: pd.Series) -> np.ndarray:
    return np.asarray(delta.dt.total_seconds().to_numpy(dtype=float) / 3600.0)


def _hour_of_week(t: pd.Series) -> np.ndarray:
    return np.asarray(t.dt.day_of_week * 24 + t.dt.hour, dtype=int)


def _weekday_counts(first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    """How many of each weekday (Mon..Sun) the period covers (at least 1)."""
    days = pd.date_range(first.normalize(), last.normalize(), freq="D")
    counts = np.bincount(days.day_of_week, minlength=7).astype(float)
    return np.asarray(np.maximum(counts, 1.0))


def rounded_probabilities(counts: Mapping[str, float], digits: int = 4) -> dict[str, float]:
    """Probabilities from counts (or weights), rounded, summing to exactly 1 (the largest
    absorbs the rounding), largest first; zeros after rounding are dropped."""
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    probs = {k: round(v / total, digits) for k, v in ordered}
    probs = {k: p for k, p in probs.items() if p > 0}
    top = next(iter(probs))
    probs[top] = round(1.0 - sum(p for k, p in probs.items() if k != top), digits)
    return probs


def discover(
    log: RealLog,
    name: str,
    *,
    criterion: str = "aic",
    role_similarity: float = ROLE_SIMILARITY,
) -> ProcessFit:
    """Discover a process model from an event log.

    Parameters
    ----------
    log
        A log read by :func:`procsim.mining.log_files.read_log` (local times).
    name
        The process name.
    criterion
        ``aic`` or ``bic`` for choosing duration families.
    role_similarity
        Cosine similarity of activity mixes above which resources share a role (used only
        when the log has no role column).

    Returns
    -------
    ProcessFit

    Raises
    ------
    FitError
        When the log is too small to say anything (fewer than two cases).
    """
    ev = log.events.sort_values(["case_id", "start_time", "end_time"], kind="stable")
    ev = ev.reset_index(drop=True)
    if ev["case_id"].nunique() < 2:
        raise FitError(f"{log.source}: fewer than two cases; a fit needs a log of many cases")
    notes: list[str] = list(log.notes)
    first, last = ev["start_time"].min(), ev["end_time"].max()
    order = list(dict.fromkeys(ev["activity"]))
    keys = _unique_slugs(order, {"end", "arrival"})
    ev["key"] = ev["activity"].map(keys)

    # Routing: the directly-follows relation within each case, plus the case's exit.
    nxt = ev.groupby("case_id", sort=False)["key"].shift(-1).fillna("end")
    # A case whose last event ends close to the end of the log may still be running: its
    # "exit" is not evidence of the end of the process (right censoring). Close means within
    # the 99th percentile of the time from one completion of a case to its next.
    next_end = ev.groupby("case_id", sort=False)["end_time"].shift(-1)
    gaps = _hours(next_end - ev["end_time"])
    gaps = gaps[np.isfinite(gaps)]
    tail = float(np.quantile(np.clip(gaps, 0, None), 0.99)) if gaps.size else 0.0
    censored = (nxt == "end").to_numpy() & (_hours(last - ev["end_time"]) < tail)
    if censored.any():
        notes.append(
            f"{int(censored.sum()):,} case(s) whose last event is within {tail:.3g} h of the "
            "end of the log may still be running: their last step is not counted as an exit"
        )
    edges: dict[str, Counter[str]] = {k: Counter() for k in keys.values()}
    for a, b, cut in zip(ev["key"].to_numpy(), nxt.to_numpy(), censored, strict=True):
        if not cut:
            edges[a][b] += 1
    firsts = ev.groupby("case_id", sort=False)["key"].first()
    start = rounded_probabilities(Counter(firsts.to_numpy().tolist()))

    # Arrivals: the first event of each case, by hour of week.
    arrival = ev.groupby("case_id", sort=False)["start_time"].min()
    per_day = _weekday_counts(first, last)
    counts = np.bincount(_hour_of_week(arrival), minlength=WEEK_HOURS).astype(float)
    arrivals = counts / np.repeat(per_day, 24)
    trend = _trend(arrival)

    roles, role_of = _roles(ev, keys, role_similarity, first, last, notes)
    estimated_starts = "start_estimated" in ev and bool(ev["start_estimated"].any())

    # Waiting: from the end of the case's previous activity (its arrival for the first one).
    enabled = ev.groupby("case_id", sort=False)["end_time"].shift(1)
    enabled = enabled.fillna(ev["start_time"])
    wait = np.clip(_hours(ev["start_time"] - enabled), 0, None)
    not_queueing = _extraneous(ev, enabled)
    processing = np.clip(_hours(ev["end_time"] - ev["start_time"]), 0, None)
    # Work that spans hours when its role has nobody on duty (a case picked up at 16:50 and
    # closed at 09:10 the next day) did not take those hours: the model's shifts add them.
    role_keys = ev["key"].map(role_of)
    off_total = 0.0
    for role in roles:
        in_role = (role_keys == role.key).to_numpy() & (processing > 0)
        if in_role.any() and (role.staffing == 0).any():
            off = _off_duty_hours(ev["start_time"][in_role], ev["end_time"][in_role], role.staffing)
            processing[in_role] = np.clip(processing[in_role] - off, 0, None)
            off_total += float(off.sum())
    processing[processing < 1e-9] = 0.0  # rounding noise of the subtraction, not work
    if off_total > 0:
        notes.append(
            f"{off_total:,.0f} h of recorded work fell in hours when its role had nobody on "
            "duty and was left out of the durations (the shifts in the model add it back)"
        )
    roles, role_of = _check_load(ev, roles, role_of, processing, first, last, notes)
    # Activities left without a role are delays: from the end of the case's previous step.
    no_role = ~ev["key"].isin(list(role_of)).to_numpy()
    if no_role.any() and estimated_starts:
        processing[no_role] = np.clip(_hours(ev["end_time"] - enabled), 0, None)[no_role]

    activities: list[ActivityFit] = []
    for act in order:
        key = keys[act]
        mask = (ev["activity"] == act).to_numpy()
        n = int(mask.sum())
        durations = processing[mask]
        fitted: DurationFit | None = None
        if n >= MIN_FIT and np.ptp(durations) > 0:
            try:
                fitted = fit_durations(durations, criterion=criterion)
            except FitError as exc:
                notes.append(f"{act}: {exc}; its median duration is used")
        elif n < MIN_FIT:
            notes.append(
                f"{act}: only {n} instance(s), too few to fit a distribution; its median "
                "duration is used as a constant"
            )
        batch, batch_note = _batch_times(ev.loc[mask, "end_time"])
        gaps = not_queueing[mask] if not batch else np.zeros(n)
        w = wait[mask]
        delay: DurationFit | None = None
        delay_mean = float(gaps.mean()) if n else 0.0
        wait_mean = float(w.mean()) if n else 0.0
        positive = gaps[gaps > DELAY_EPS]
        if (
            positive.size >= MIN_FIT
            and delay_mean > DELAY_MIN_HOURS
            and delay_mean > DELAY_MIN_SHARE * wait_mean
        ):
            try:
                delay = fit_durations(positive, criterion=criterion)
            except FitError:
                delay = None
        activities.append(
            ActivityFit(
                name=act,
                key=key,
                count=n,
                role=role_of.get(key),
                duration=fitted,
                constant=float(np.median(durations)) if n else 0.0,
                delay=delay,
                wait_mean=wait_mean,
                delay_mean=delay_mean,
                next=rounded_probabilities(edges[key] or Counter({"end": 1})),
                delay_share=positive.size / n if delay is not None else 0.0,
                batch=batch,
                batch_note=batch_note,
                observed=durations,
            )
        )
    return ProcessFit(
        name=name,
        source=log.source,
        cases=int(ev["case_id"].nunique()),
        events=len(ev),
        first=first,
        last=last,
        start=start,
        activities=activities,
        roles=roles,
        arrivals=arrivals,
        trend=trend,
        notes=notes,
        starts_estimated=log.starts_estimated,
        parallel=_parallel_blocks(ev, edges, notes),
    )


#: Two activities are parallel when they overlap in time in at least this share of the cases
#: that have both (and in at least PARALLEL_MIN_CASES cases).
PARALLEL_OVERLAP = 0.5
PARALLEL_MIN_CASES = 10
#: A parallel block is modelled when this share of the work around it follows the block.
PARALLEL_SUPPORT = 0.8


#: Offered load (recorded work over head count on duty) above which a role's figures cannot
#: both be right; what is done about it depends on whether start times were recorded.
MAX_LOAD = 0.95
#: Load a role's head counts are scaled to when recorded work exceeds them.
TARGET_LOAD = 0.85


def _check_load(
    ev: pd.DataFrame,
    roles: list[RoleFit],
    role_of: dict[str, str],
    processing: np.ndarray,
    first: pd.Timestamp,
    last: pd.Timestamp,
    notes: list[str],
) -> tuple[list[RoleFit], dict[str, str]]:
    """Roles whose recorded work exceeds their head count on duty.

    With estimated start times the estimates include waiting (the person's previous event was
    long before): the role's activities become delays. With recorded start times the head
    counts are too low (people also work outside the spans the log shows): they are scaled up
    so that the role's load is :data:`TARGET_LOAD`.
    """
    weeks = max((last - first) / pd.Timedelta(days=7), 1 / 7)
    estimated = "start_estimated" in ev and bool(ev["start_estimated"].any())
    keys = ev["key"].map(role_of).to_numpy()
    kept: list[RoleFit] = []
    for role in roles:
        work = float(processing[keys == role.key].sum()) / weeks
        on_duty = float(role.staffing.sum())
        load = work / on_duty if on_duty > 0 else math.inf
        if load <= MAX_LOAD:
            kept.append(role)
        elif on_duty == 0:
            notes.append(
                f"role {role.key}: too rarely seen to estimate a head count on duty; its "
                "activities are modelled as delays"
            )
            role_of = {k: r for k, r in role_of.items() if r != role.key}
        elif estimated:
            notes.append(
                f"role {role.key}: the estimated work ({work:,.0f} h a week) exceeds its time on "
                f"duty ({on_duty:,.0f} h a week), so the estimated start times include waiting; "
                "its activities are modelled as delays"
            )
            role_of = {k: r for k, r in role_of.items() if r != role.key}
        else:
            factor = load / TARGET_LOAD
            scaled = np.ceil(role.staffing * factor).astype(int)
            notes.append(
                f"role {role.key}: recorded work ({work:,.0f} h a week) exceeds the head count "
                f"seen on duty ({on_duty:,.0f} h a week, load {load:.2f}); head counts scaled by "
                f"{factor:.2f} (people also work outside the spans the log shows)"
            )
            kept.append(dataclasses.replace(role, staffing=scaled))
    return kept, role_of


def _parallel_blocks(
    ev: pd.DataFrame, edges: dict[str, Counter[str]], notes: list[str]
) -> list[ParallelBlock]:
    """Pairs of activities whose intervals overlap systematically, with the activity before
    them (the split) and after them (the join) when the log's routing supports it."""
    cols = ["case_id", "key", "start_time", "end_time"]
    work = ev.loc[ev["end_time"] > ev["start_time"], cols]
    pairs = work.merge(work, on="case_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["key_a"] < pairs["key_b"]]
    if pairs.empty:
        return []
    pairs = pairs.assign(
        overlap=(pairs["start_time_a"] < pairs["end_time_b"])
        & (pairs["start_time_b"] < pairs["end_time_a"])
    )
    both: dict[tuple[str, str], int] = {
        (str(k[0]), str(k[1])): int(v)  # type: ignore[index]
        for k, v in pairs.groupby(["key_a", "key_b"])["case_id"].nunique().items()
    }
    counted = pairs[pairs["overlap"]].groupby(["key_a", "key_b"])["case_id"].nunique()
    over = sorted(
        (((str(k[0]), str(k[1])), int(v)) for k, v in counted.items()),  # type: ignore[index]
        key=lambda kv: -kv[1],
    )
    blocks: list[ParallelBlock] = []
    used: set[str] = set()
    for (a, b), n_over in over:
        n_both = both[(a, b)]
        share = n_over / n_both
        if n_over < PARALLEL_MIN_CASES or share < PARALLEL_OVERLAP or {a, b} & used:
            continue
        into = Counter[str]()
        for p, out in edges.items():
            if p not in (a, b):
                into[p] = out[a] + out[b]
        split = into.most_common(1)[0][0] if into and into.most_common(1)[0][1] else None
        after = edges[a] + edges[b]
        join = next((k for k, _ in after.most_common() if k not in (a, b, "end")), None)
        text = f"{a} and {b} overlap in time in {share:.0%} of the {n_both:,} cases with both"
        if split is None or join is None:
            notes.append(text + "; no common step before and after them: modelled in sequence")
            continue
        split_share = into[split] / max(sum(edges[split].values()), 1)
        join_share = (after[join] + after[a] + after[b]) / max(sum(after.values()), 1)
        if split_share < PARALLEL_SUPPORT or join_share < PARALLEL_SUPPORT:
            notes.append(
                text + f"; the steps around them vary too much ({split_share:.0%} of {split} "
                f"goes to them, {join_share:.0%} of their work goes on to {join}): modelled "
                "in sequence"
            )
            continue
        notes.append(
            text + f": modelled as parallel work after {split}, joined at {join} "
            f"(every {split} starts both; {1 - split_share:.0%} of its other routing is dropped)"
        )
        blocks.append(ParallelBlock(split, (str(a), str(b)), join, share, n_both))
        used |= {str(a), str(b), split, join}
    return blocks


def _batch_times(ends: pd.Series) -> tuple[tuple[str, ...], str]:
    """Weekly release times of an activity whose instances end at a few recurring moments."""
    n = len(ends)
    if n < 50 or ends.nunique() > BATCH_DISTINCT * n:
        return (), ""
    moment = ends.dt.round("5min")
    slots = (moment.dt.day_of_week.astype(str) + " " + moment.dt.strftime("%H:%M")).value_counts()
    share = slots / n
    cumulative = share.cumsum()
    k = int(np.searchsorted(cumulative.to_numpy(), BATCH_COVER) + 1)
    if k > BATCH_MAX_TIMES or k > len(slots):
        return (), ""
    chosen = sorted(slots.index[:k], key=lambda s: (int(s.split()[0]), s.split()[1]))
    times = tuple(f"{DAY_NAMES[int(d)]} {hm}" for d, hm in (c.split() for c in chosen))
    note = (
        f"{n:,} instances end at {ends.nunique():,} distinct moments; "
        f"{cumulative.iloc[k - 1]:.0%} of them at these weekly times"
    )
    return times, note


def _trend(arrival: pd.Series) -> float | None:
    """Relative weekly change of arrivals (least-squares slope over the mean)."""
    weeks = (arrival - arrival.min()).dt.days // 7
    per_week = np.bincount(weeks.to_numpy(dtype=int)).astype(float)
    full = per_week[:-1] if len(per_week) > 1 else per_week  # the last week is partial
    if len(full) < 3 or full.mean() <= 0:
        return None
    slope = np.polyfit(np.arange(len(full)), full, 1)[0]
    return float(slope / full.mean())


def _roles(
    ev: pd.DataFrame,
    keys: dict[str, str],
    similarity: float,
    first: pd.Timestamp,
    last: pd.Timestamp,
    notes: list[str],
) -> tuple[list[RoleFit], dict[str, str]]:
    """Roles, and which role does each activity (the one that did most of its instances)."""
    staffed = ev[ev["resource"] != ""]
    estimated = "start_estimated" in ev and bool(ev["start_estimated"].any())
    if estimated and not identifies_people(ev):
        notes.append(
            "the log records completions only and does not say who did the work (its resource "
            "column names no people): waiting and working cannot be told apart, so every "
            "activity is modelled as a delay from the end of the case's previous activity to its "
            "own end. Add roles and staffing by hand to study staffing"
        )
        return [], {}
    if "role" in ev and (ev["role"] != "").any():
        group = ev["role"].where(ev["role"] != "", "")
        member_role = group
        source = "role column"
        names = _unique_slugs(sorted(set(group[group != ""])), {"end", "arrival"})
        member_role = group.map(names)
    elif len(staffed):
        member_role, names = _group_resources(staffed, similarity, keys)
        member_role = member_role.reindex(ev.index).fillna("")
        source = "grouped by activity mix"
    else:
        notes.append("the log names no resources: every activity is modelled as a pure delay")
        return [], {}
    role_of: dict[str, str] = {}
    done_by = pd.DataFrame({"key": ev["key"], "role": member_role})
    done_by = done_by[done_by["role"].notna() & (done_by["role"] != "")]
    for act_key, performers in done_by.groupby("key", sort=False)["role"]:
        counts = performers.value_counts()
        if len(counts):
            role_of[str(act_key)] = str(counts.index[0])
    roles: list[RoleFit] = []
    per_day = _weekday_counts(first, last)
    for role_key in sorted(set(role_of.values())):
        in_role = (member_role == role_key).to_numpy()
        sub = ev.loc[in_role]
        on_duty = _on_duty(sub, per_day)
        staffing = np.where(on_duty >= STAFF_FLOOR, np.maximum(1, np.floor(on_duty + 0.5)), 0)
        roles.append(
            RoleFit(
                key=role_key,
                members=tuple(sorted(set(sub["resource"]) - {""})),
                activities=tuple(k for k, r in role_of.items() if r == role_key),
                on_duty=on_duty,
                staffing=staffing.astype(int),
                source=source,
            )
        )
    unused = sorted(set(names.values()) - set(role_of.values())) if names else []
    if unused:
        notes.append(
            f"{len(unused)} group(s) of resources do no activity mostly and are left out: "
            + ", ".join(unused[:6])
        )
    return roles, role_of


def _group_resources(
    staffed: pd.DataFrame, similarity: float, keys: dict[str, str]
) -> tuple[pd.Series, dict[str, str]]:
    """Roles from resources doing the same mix of activities (average-linkage clustering)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    mix = pd.crosstab(staffed["resource"], staffed["key"]).astype(float)
    resources = list(mix.index)
    if len(resources) == 1:
        labels = np.array([1])
    else:
        norm = mix.to_numpy() / np.linalg.norm(mix.to_numpy(), axis=1, keepdims=True)
        # Condensed distances: a square observation matrix would be mistaken for distances.
        tree = linkage(pdist(norm, metric="cosine"), method="average")
        labels = fcluster(tree, t=1 - similarity, criterion="distance")
    # Name each group after the activity it does most.
    names: dict[int, str] = {}
    taken: set[str] = {"end", "arrival"}
    for label in sorted(set(labels.tolist())):
        rows = mix.to_numpy()[labels == label].sum(axis=0)
        main = str(mix.columns[int(np.argmax(rows))])
        base = f"{main}_team"
        key, k = base, 2
        while key in taken:
            key, k = f"{base}_{k}", k + 1
        taken.add(key)
        names[label] = key
    by_resource = {r: names[int(lab)] for r, lab in zip(resources, labels, strict=True)}
    return staffed["resource"].map(by_resource), {str(k): v for k, v in names.items()}


def _on_duty(sub: pd.DataFrame, per_day: np.ndarray) -> np.ndarray:
    """Mean head count on duty per hour of week: each resource is on duty, each day it
    worked, from its first start to its last end of that day (whole hours it touched)."""
    if sub.empty:
        return np.zeros(WEEK_HOURS)
    day = sub["start_time"].dt.normalize()
    spans = sub.groupby([sub["resource"], day]).agg(
        begin=("start_time", "min"), finish=("end_time", "max")
    )
    total = np.zeros(WEEK_HOURS)
    begin_h = spans["begin"].dt.hour.to_numpy()
    finish = spans["finish"]
    same_day = (finish.dt.normalize() == spans["begin"].dt.normalize()).to_numpy()
    finish_h = np.where(same_day, finish.dt.hour.to_numpy(), 23)
    dow = spans["begin"].dt.day_of_week.to_numpy()
    for d, b, f in zip(dow, begin_h, finish_h, strict=True):
        total[d * 24 + b : d * 24 + f + 1] += 1
    return np.asarray(total / np.repeat(per_day, 24))


def _extraneous(ev: pd.DataFrame, enabled: pd.Series) -> np.ndarray:
    """Hours of each activity's wait that are not queueing for staff.

    The wait runs from ``enabled`` (the end of the case's previous activity) to the start.
    The time the person who did the activity spent on other work in between is queueing: the
    model's queues produce it from the staffing. What is left is waiting for something else:
    the customer, a document, a call-back date, a batch. It is measured in calendar time, so it
    includes nights: the delay stage then plays that part of the wait, and the model's shifts
    only add the time until the next shift starts.
    """
    out = np.zeros(len(ev))
    wait = np.clip(_hours(ev["start_time"] - enabled), 0, None)
    base = ev["start_time"].min()
    start_h = _hours(ev["start_time"] - base)
    end_h = _hours(ev["end_time"] - base)
    enabled_h = _hours(enabled - base)
    named = (ev["resource"] != "").to_numpy()
    for rows in ev[named].groupby("resource", sort=False).indices.values():
        idx = np.flatnonzero(named)[rows]
        order = np.argsort(start_h[idx], kind="stable")
        idx = idx[order]
        s, e = start_h[idx], np.maximum(end_h[idx], start_h[idx])
        cum = np.r_[0.0, np.cumsum(e - s)]

        def busy_until(
            t: np.ndarray, s: np.ndarray = s, e: np.ndarray = e, cum: np.ndarray = cum
        ) -> np.ndarray:
            i = np.searchsorted(s, t, side="left")  # work started strictly before t
            last = np.maximum(i - 1, 0)
            partial = np.where(i > 0, np.clip(np.minimum(t, e[last]) - s[last], 0, None), 0)
            full = np.where(i > 0, cum[last], 0.0)
            return np.asarray(full + partial)

        busy = busy_until(start_h[idx]) - busy_until(enabled_h[idx])
        out[idx] = np.clip(wait[idx] - busy, 0, None)
    return out


def _off_duty_hours(a: pd.Series, b: pd.Series, staffing: np.ndarray) -> np.ndarray:
    """Hours in ``[a, b]`` during which a weekly head-count profile has nobody on duty."""
    off = (np.asarray(staffing) == 0).astype(float)
    cum = np.r_[0.0, np.cumsum(off)]  # off-duty hours from Monday 00:00 to each hour
    monday = pd.Timestamp("2000-01-03")  # a Monday: weeks are counted from it

    def upto(t: pd.Series) -> np.ndarray:
        h = _hours(t - monday)
        weeks = np.floor(h / WEEK_HOURS)
        r = h - weeks * WEEK_HOURS
        whole = np.minimum(np.floor(r).astype(int), WEEK_HOURS - 1)
        return np.asarray(weeks * cum[-1] + cum[whole] + (r - whole) * off[whole])

    return np.asarray(np.clip(upto(b) - upto(a), 0, None))


def staffing_runs(staffing: np.ndarray) -> list[tuple[str, int, int, int]]:
    """A 168-hour head-count profile as shift rows ``(days, from_hour, to_hour, count)``.

    Days with the same 24-hour pattern share rows (``mon-fri``); each row is a run of hours
    with the same head count.
    """
    by_pattern: dict[tuple[int, ...], list[int]] = {}
    for d in range(7):
        pattern = tuple(int(x) for x in staffing[d * 24 : (d + 1) * 24])
        if any(pattern):
            by_pattern.setdefault(pattern, []).append(d)
    rows: list[tuple[str, int, int, int]] = []
    for pattern, days in by_pattern.items():
        text = _days_text(days)
        h = 0
        while h < 24:
            count = pattern[h]
            end = h
            while end < 24 and pattern[end] == count:
                end += 1
            if count:
                rows.append((text, h, end, count))
            h = end
    return rows


def _days_text(days: list[int]) -> str:
    """``[0, 1, 2, 3, 4]`` -> ``mon-fri``; ``[0, 2]`` -> ``mon,wed``."""
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{DAY_NAMES[days[i]]}-{DAY_NAMES[days[j]]}")
        else:
            parts += [DAY_NAMES[d] for d in days[i : j + 1]]
        i = j + 1
    return ",".join(parts)


def mean_or_nan(x: np.ndarray) -> float:
    """Mean of a possibly empty array."""
    return float(x.mean()) if x.size else math.nan
