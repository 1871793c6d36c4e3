"""Speed benchmark of procsim's engine against SimPy, measured side by side in one run.

The contenders simulate the same ``customer_request`` process (defined below) by number of
cases. Three floors make SimPy process as many bare timeout events as procsim's run has real
events (arrivals + completed stage visits), replaying the inter-event gaps of procsim's own run:

timeout loop
    One SimPy process yielding the timeouts one after the other (``for d in gaps: yield
    env.timeout(d)``): a bare SimPy timeout loop, the floor the performance goals are stated
    against (<= 2x on ``customer_request``, <= 3x with shifts, priorities and batching).
timeout chain
    Stricter: a chain of bare ``env.timeout`` events, each one's callback scheduling the next
    (no process, no generator); about 0.8x the loop's time.
procsim's schedule
    The same timeouts scheduled as procsim's run scheduled them, so as many are pending at once
    as in the model (see ``floor_schedule``): the heap cost any engine of this process pays.

and two models:

idiomatic SimPy
    The textbook SimPy model: one process per case, a ``simpy.Resource`` per role with capacity =
    head count, ``with res.request() as req: yield req; yield env.timeout(d)``, pure-delay stages
    as plain timeouts, the same routing probabilities. Variates are drawn with numpy before the
    clock starts, so their cost is not measured.
procsim
    ``procsim.sim.engine.simulate(model, run, 0)``: one replication, including its own variate
    generation and the construction of its visit table.

The contenders run alternately (the order rotates each repeat) after one untimed warm-up round.
Reported per contender: median wall time, real events, events per second, and the ratio of its
time per real event to each floor's (median over repeats of the per-repeat ratio).

Usage::

    python benchmarks/bench_engine.py                      # 20,000 cases, 5 repeats
    python benchmarks/bench_engine.py --cases 50000 --repeats 9 --json out.json
    python benchmarks/bench_engine.py --check              # exit 1 if procsim regressed > 20%
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import itertools
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _common  # benchmarks/_common.py (the script's folder is on the path)
import numpy as np
import simpy

import procsim.sim.engine
import procsim.sim.records
from procsim.model.process import EXIT, Model, RunSettings
from procsim.model.validate import validate

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline.json"

#: Allowed growth of procsim's time per event relative to the floor before ``--check`` fails.
TOLERANCE = 0.20
#: Goals for procsim / timeout loop, on customer_request and on the model with shifts,
#: priorities and batching.
PLAIN_GOAL = 2.0
FEATURES_GOAL = 3.0
#: Allowed relative difference between the mean cycle times of idiomatic SimPy and procsim.
CYCLE_TOLERANCE = 0.10
#: Below this many cases the cycle-time comparison is too noisy to fail on; it only warns.
CYCLE_CHECK_MIN_CASES = 5000
#: Seed of the idiomatic SimPy model's numpy generator (procsim uses its own streams).
SIMPY_SEED = 20240601


def make_config(cases: int) -> dict[str, Any]:
    """The bundled customer_request process (conf/process/customer_request.yaml), run by cases.

    Parameters come from procsim's own composition, so the benchmark measures the model the
    analyst runs; time strings such as ``20min`` are read through the validated model.
    """
    config = procsim.compose(process="customer_request").configs["current"]
    return {**config, "run": {"cases": cases, "replications": 2}}


def make_features_config(cases: int) -> dict[str, Any]:
    """customer_request with the behaviours that take the engine off its fast path.

    Engineers on shifts (three around the clock, a fourth on weekday office hours), two case
    types with priorities (a fifth of the requests urgent) and preemptive-resume at sales,
    and delivery released in batches three times a day or when eight cases wait.
    """
    config = make_config(cases)
    config["staffing"] = {
        **config["staffing"],
        "engineer": {
            "shifts": [
                {"days": "all", "from": "00:00", "to": "24:00", "count": 3},
                {"days": "mon-fri", "from": "09:00", "to": "17:00", "count": 1},
            ]
        },
    }
    config["roles"] = {**config["roles"], "sales": {**config["roles"]["sales"], "preemptive": True}}
    config["case_types"] = {
        "urgent": {"share": 0.2, "priority": 1},
        "normal": {"share": 0.8},
    }
    stages = {**config["process"]["stages"]}
    stages["delivery"] = {
        **stages["delivery"],
        "batch": {"at": ["daily 08:00", "daily 13:00", "daily 18:00"], "size": 8},
    }
    config["process"] = {**config["process"], "stages": stages}
    return config


# ---------------------------------------------------------------------------------------------
# Instrumentation (untimed runs only): procsim.sim.engine is made to build a subclass of
# simpy.Environment, to count the kernel events it schedules and to stop a run that would never
# end (an earlier engine's by-cases loop did not terminate) instead of hanging the benchmark.


class _EngineHangsError(Exception):
    pass


class _Instrumented(simpy.Environment):
    """Remembers the last instance; gives up after absurdly many ``run`` calls."""

    last: _Instrumented | None = None
    max_runs = 100_000

    def __init__(self) -> None:
        super().__init__()
        self.runs = 0
        _Instrumented.last = self

    def run(self, until: Any = None) -> Any:
        self.runs += 1
        if self.runs > self.max_runs:
            raise _EngineHangsError
        return super().run(until)


class _SimpyShim:
    """Stands in for the ``simpy`` module inside procsim.sim.engine, with another Environment."""

    def __init__(self, environment: type[simpy.Environment]) -> None:
        self.Environment = environment

    def __getattr__(self, name: str) -> Any:
        return getattr(simpy, name)


@contextlib.contextmanager
def instrumented_engine() -> Iterator[None]:
    """Make procsim.sim.engine build :class:`_Instrumented` instead of ``simpy.Environment``."""
    saved = procsim.sim.engine.simpy
    procsim.sim.engine.simpy = _SimpyShim(_Instrumented)  # type: ignore[assignment,unused-ignore]
    try:
        yield
    finally:
        procsim.sim.engine.simpy = saved


def probe_engine(model: Model, run: RunSettings) -> tuple[procsim.sim.records.SimLog, int]:
    """One untimed replication: its log and the number of SimPy events it scheduled."""
    try:
        with instrumented_engine():
            log = procsim.sim.engine.simulate(model, run, 0)
    except _EngineHangsError:
        raise SystemExit(
            "\n*** procsim.sim.engine.simulate does not terminate on this by-cases run "
            f"(> {_Instrumented.max_runs:,} env.run slices); nothing to benchmark ***"
        ) from None
    assert _Instrumented.last is not None
    return log, int(next(_Instrumented.last._eid))


# ---------------------------------------------------------------------------------------------
# Contenders. Each returns a dict with at least "events" (real events: arrivals + completed
# stage visits); the SimPy ones also "kernel_events" (events SimPy scheduled).


def _visit_ends(log: procsim.sim.records.SimLog) -> np.ndarray:
    """End times of the completed visits.

    A visit whose case completed is complete even where the log shows no end (the engine blanks
    ends at exactly ``end_time``, which in a by-cases run is the last completion); such a visit is
    the case's last, and ends at the case's completion.
    """
    ends = log.visits[:, 5].copy()
    missing = np.isnan(ends)
    ends[missing] = log.completion[log.visits[missing, 0].astype(np.int64)]
    finished: np.ndarray = ends[np.isfinite(ends)]
    return finished


def real_events(log: procsim.sim.records.SimLog) -> int:
    """Arrivals + completed stage visits."""
    return int(len(log.arrival) + len(_visit_ends(log)))


def run_procsim(model: Model, run: RunSettings) -> dict[str, Any]:
    log = procsim.sim.engine.simulate(model, run, 0)
    if log.truncated:
        raise RuntimeError("procsim's run was truncated by max_events")
    cycle = log.completion - log.arrival
    return {
        "events": real_events(log),
        "cycle_time_mean": float(np.nanmean(cycle)),
        "open_cases": int(np.isnan(cycle).sum()),
    }


def floor_delays(log: procsim.sim.records.SimLog) -> list[float]:
    """Gaps between consecutive real events of procsim's run (arrivals and visit ends)."""
    times = np.sort(np.concatenate([log.arrival, _visit_ends(log)]))
    delays: list[float] = np.diff(times, prepend=0.0).tolist()
    return delays


def run_floor(delays: list[float]) -> dict[str, Any]:
    """Bare timeouts, one pending at a time: each one's callback schedules the next."""
    env = simpy.Environment()
    timeout = env.timeout
    following = iter(delays)

    def chain(_event: simpy.events.Event) -> None:
        d = next(following, None)
        if d is not None:
            timeout(d).callbacks.append(chain)

    chain(None)  # type: ignore[arg-type]
    env.run()
    return {"events": len(delays), "kernel_events": next(env._eid)}


Schedule = tuple[list[list[tuple[float, int]]], list[tuple[float, int]]]


def floor_schedule(log: procsim.sim.records.SimLog) -> tuple[Schedule, int]:
    """procsim's own event schedule, for the schedule floor: who scheduled which event.

    Each real event (an arrival, the end of a visit) is scheduled by the event at whose moment
    it was created: an arrival by the previous arrival, a visit's end by the event at the
    visit's start (the case's arrival or previous visit, or the visit that freed its server).
    A visit that started at no real event (at a shift change or a batch release) is scheduled
    by the last real event before its start, so it is pending about as long as in the model.
    Returns the children (delay, event) of every event with the roots (scheduled at time 0),
    and how many visits started at no real event (0 on a plain process).
    """
    arrivals = log.arrival
    n_arr = len(arrivals)
    visits = log.visits
    ends = visits[:, 5].copy()
    missing = np.isnan(ends)
    ends[missing] = log.completion[visits[missing, 0].astype(np.int64)]
    keep = np.isfinite(ends) & np.isfinite(visits[:, 4])
    starts, ends = visits[keep, 4].tolist(), ends[keep].tolist()
    at: dict[float, int] = {}
    for k, t in enumerate(arrivals.tolist()):
        at.setdefault(t, k)
    for j, t in enumerate(ends):
        at.setdefault(t, n_arr + j)
    times = np.concatenate([arrivals, np.asarray(ends)])
    order = np.argsort(times, kind="stable")
    sorted_times = times[order]
    children: list[list[tuple[float, int]]] = [[] for _ in range(n_arr + len(ends))]
    roots: list[tuple[float, int]] = [(float(arrivals[0]), 0)] if n_arr else []
    arr = arrivals.tolist()
    for i in range(n_arr - 1):
        children[i].append((arr[i + 1] - arr[i], i + 1))
    orphans = 0
    for j, (s, e) in enumerate(zip(starts, ends, strict=True)):
        cause = at.get(s)
        if cause is None or cause == n_arr + j:
            orphans += 1
            at_or_before = int(np.searchsorted(sorted_times, s, side="right")) - 1
            while at_or_before >= 0 and order[at_or_before] == n_arr + j:
                at_or_before -= 1
            if at_or_before < 0:
                roots.append((e, n_arr + j))
            else:
                parent = int(order[at_or_before])
                children[parent].append((e - float(sorted_times[at_or_before]), n_arr + j))
        else:
            children[cause].append((e - s, n_arr + j))
    return (children, roots), orphans


def run_floor_schedule(schedule: Schedule) -> dict[str, Any]:
    """Bare timeouts replaying procsim's schedule: each one's callback schedules the timeouts
    its event scheduled in procsim's run, so as many are pending at once as in the model."""
    children, roots = schedule
    env = simpy.Environment()
    timeout = env.timeout

    def fire(event: simpy.events.Event) -> None:
        for d, k in children[event._value]:
            timeout(d, k).callbacks.append(fire)

    for d, k in roots:
        timeout(d, k).callbacks.append(fire)
    env.run()
    return {"events": len(children), "kernel_events": next(env._eid)}


def run_floor_process(delays: list[float]) -> dict[str, Any]:
    """The floor of the goals: the same timeouts yielded by a single SimPy process."""
    env = simpy.Environment()

    def loop(env: simpy.Environment) -> Any:
        timeout = env.timeout
        for d in delays:
            yield timeout(d)

    env.process(loop(env))
    env.run()
    return {"events": len(delays), "kernel_events": next(env._eid)}


def _numpy_sampler(
    spec: dict[str, Any], rng: np.random.Generator, expected_mean: float
) -> Callable[[int], np.ndarray]:
    """numpy's native sampler for a procsim distribution spec (checked against its mean)."""
    family = spec["dist"]
    draw: Callable[[int], np.ndarray]
    if family == "lognormal":
        sigma = math.sqrt(math.log1p(spec["cv"] ** 2))
        mu = math.log(spec["mean"]) - sigma**2 / 2
        mean = math.exp(mu + sigma**2 / 2)
        draw = lambda n: rng.lognormal(mu, sigma, n)  # noqa: E731
    elif family == "gamma":
        shape, scale = 1 / spec["cv"] ** 2, spec["mean"] * spec["cv"] ** 2
        mean = shape * scale
        draw = lambda n: rng.gamma(shape, scale, n)  # noqa: E731
    elif family == "expon":
        mean = spec["mean"]
        draw = lambda n: rng.exponential(mean, n)  # noqa: E731
    elif family == "triangular":
        low, mode, high = spec["low"], spec["mode"], spec["high"]
        mean = (low + mode + high) / 3
        draw = lambda n: rng.triangular(low, mode, high, n)  # noqa: E731
    elif family == "constant":
        mean = spec["value"]
        draw = lambda n: np.full(n, float(mean))  # noqa: E731
    else:
        raise ValueError(f"no numpy sampler for {family!r} in this benchmark")
    if not math.isclose(mean, expected_mean, rel_tol=1e-9):
        raise AssertionError(
            f"numpy parameters of {spec} give mean {mean}, procsim {expected_mean}"
        )
    return draw


def _routing_sampler(
    rng: np.random.Generator, successors: np.ndarray, probabilities: np.ndarray
) -> Callable[[int], np.ndarray]:
    """Successor ids drawn with the routing probabilities."""

    def draw(n: int) -> np.ndarray:
        return rng.choice(successors, size=n, p=probabilities)

    return draw


class _Predrawn:
    """``n`` values drawn up front (untimed); each run reads them from the start again.

    Should a run need more, further blocks are drawn on demand (not expected: ``n`` has a
    margin over the expected number of visits).
    """

    def __init__(self, draw: Callable[[int], np.ndarray], n: int, block: int = 4096) -> None:
        self.draw, self.block = draw, block
        self.values = draw(n).tolist()

    def _more(self) -> Iterator[list[Any]]:
        while True:
            yield self.draw(self.block).tolist()

    def stream(self) -> Iterator[Any]:
        return itertools.chain(self.values, itertools.chain.from_iterable(self._more()))


class IdiomaticSimpy:
    """The textbook SimPy model of the process, built from the same dict and validated model."""

    def __init__(self, config: dict[str, Any], model: Model, cases: int, seed: int) -> None:
        self.model = model
        self.cases = cases
        self.seed = seed
        self.config = config

    def prepare(self) -> None:
        """Draw every variate and routing choice (untimed)."""
        rng = np.random.default_rng(self.seed)
        model, cases = self.model, self.cases
        visits = model.visit_ratios()
        self.durations: list[_Predrawn] = []
        self.routes: list[_Predrawn | int] = []
        for stage in model.stages:
            draw = _numpy_sampler(stage.duration.to_config(), rng, stage.duration.mean)
            n = int(cases * visits[stage.id] * 1.05) + 1000
            self.durations.append(_Predrawn(draw, n))
            if len(stage.successors) == 1:
                self.routes.append(stage.successors[0])
            else:
                succ = np.asarray(stage.successors)
                probs = np.asarray(stage.probabilities) / sum(stage.probabilities)
                self.routes.append(_Predrawn(_routing_sampler(rng, succ, probs), n))
        draw = _numpy_sampler(model.interarrival.to_config(), rng, model.interarrival.mean)
        self.interarrival = draw(cases).tolist()

    def run(self) -> dict[str, Any]:
        model = self.model
        env = simpy.Environment()
        resources = [simpy.Resource(env, capacity=r.servers) for r in model.roles]
        stage_resource = [resources[s.role] if s.role is not None else None for s in model.stages]
        durations = [d.stream() for d in self.durations]
        routes = [r if isinstance(r, int) else r.stream() for r in self.routes]
        start = model.start
        cycle_times: list[float] = []
        completed_visits = 0

        def case(env: simpy.Environment) -> Any:
            nonlocal completed_visits
            arrived = env.now
            stage = start
            while stage != EXIT:
                resource = stage_resource[stage]
                if resource is None:
                    yield env.timeout(next(durations[stage]))
                else:
                    with resource.request() as req:
                        yield req
                        yield env.timeout(next(durations[stage]))
                completed_visits += 1
                route = routes[stage]
                stage = route if isinstance(route, int) else next(route)
            cycle_times.append(env.now - arrived)

        def source(env: simpy.Environment) -> Any:
            for gap in self.interarrival:
                yield env.timeout(gap)
                env.process(case(env))

        env.process(source(env))
        env.run()
        return {
            "events": len(self.interarrival) + completed_visits,
            "kernel_events": next(env._eid),
            "cycle_time_mean": statistics.fmean(cycle_times),
            "open_cases": len(self.interarrival) - len(cycle_times),
        }


# ---------------------------------------------------------------------------------------------
# Measurement


def timed(fn: Callable[[], dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def machine_info() -> dict[str, Any]:
    return _common.machine_info(simpy=simpy.__version__, numpy=np.__version__)


CONTENDERS = ("floor_process", "floor", "floor_schedule", "idiomatic", "procsim")
#: The floors: (contender, name, suffix of the ratio keys ``ratio_to_*`` and ``procsim_to_*``).
FLOORS = (
    ("floor_process", "timeout loop", "loop"),
    ("floor", "timeout chain", "floor"),
    ("floor_schedule", "procsim's schedule", "schedule_floor"),
)
LABELS = {
    "floor": "SimPy floor: timeout chain",
    "floor_schedule": "SimPy floor: procsim's schedule",
    "floor_process": "SimPy floor: timeout loop",
    "idiomatic": "idiomatic SimPy",
    "procsim": "procsim simulate",
}


def paired_ratio(times: list[float], reference: list[float], scale: float = 1.0) -> float:
    """Median over repeats of ``time / reference time`` within each repeat (times ``scale``,
    e.g. a ratio of event counts): pairing within a repeat cancels part of the machine's drift."""
    return round(statistics.median(t / r * scale for t, r in zip(times, reference, strict=True)), 4)


def check_floors(info: dict[str, dict[str, Any]]) -> None:
    """Each floor must process as many events as procsim's run."""
    for floor in ("floor_process", "floor", "floor_schedule"):
        if info[floor]["events"] != info["procsim"]["events"]:
            raise AssertionError(f"{floor} does not process as many events as procsim")


def benchmark(cases: int, repeats: int, verbose: bool = True) -> dict[str, Any]:
    def say(*a: Any) -> None:
        if verbose:
            print(*a, flush=True)

    machine = machine_info()
    config = make_config(cases)
    model, run = validate(config)
    load_warnings = [w for w in model.warnings if "offered load" in w]
    if load_warnings:
        raise SystemExit("the benchmark process is unstable: " + "; ".join(load_warnings))

    say(f"warm-up: {cases:,} cases, {len(model.stages)} stages ...")
    log, procsim_kernel = probe_engine(model, run)
    delays = floor_delays(log)
    schedule, _ = floor_schedule(log)
    open_cases = int(np.isnan(log.completion).sum())
    del log
    if open_cases:
        raise RuntimeError(f"procsim left {open_cases} cases open in a by-cases run")
    idiomatic = IdiomaticSimpy(config, model, cases, SIMPY_SEED)
    idiomatic.prepare()

    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "floor": lambda: run_floor(delays),
        "floor_schedule": lambda: run_floor_schedule(schedule),
        "floor_process": lambda: run_floor_process(delays),
        "idiomatic": idiomatic.run,
        "procsim": lambda: run_procsim(model, run),
    }
    info: dict[str, dict[str, Any]] = {}
    for name in CONTENDERS:  # untimed warm-up round, also collects the counts
        info[name] = jobs[name]()
    info["procsim"]["kernel_events"] = procsim_kernel
    check_floors(info)
    for name in ("idiomatic", "procsim"):
        if info[name]["open_cases"]:
            raise RuntimeError(f"{name} left cases open in a by-cases run")

    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for k in range(repeats):
        order = CONTENDERS[k % len(CONTENDERS) :] + CONTENDERS[: k % len(CONTENDERS)]
        for name in order:
            elapsed, out = timed(jobs[name])
            times[name].append(elapsed)
            if out["events"] != info[name]["events"]:
                raise AssertionError(f"{name}: event count changed between runs")
            out.clear()
        say(
            f"repeat {k + 1}/{repeats}: "
            + "  ".join(f"{name} {times[name][-1]:.3f}s" for name in CONTENDERS)
        )

    floor_events = info["floor"]["events"]
    results: dict[str, Any] = {}
    for name in CONTENDERS:
        events = info[name]["events"]
        median = statistics.median(times[name])
        results[name] = {
            "label": LABELS[name].strip(),
            "times_s": [round(t, 6) for t in times[name]],
            "median_s": round(median, 6),
            "events": events,
            "kernel_events": info[name]["kernel_events"],
            "events_per_s": round(events / median),
            "us_per_event": round(median / events * 1e6, 4),
            # Time per event over the floor's time per event, paired within each repeat.
            **{
                f"ratio_to_{suffix}": paired_ratio(times[name], times[floor], floor_events / events)
                for floor, _, suffix in FLOORS
            },
        }
    ct_b = info["idiomatic"]["cycle_time_mean"]
    ct_c = info["procsim"]["cycle_time_mean"]
    rel = abs(ct_c - ct_b) / ct_b
    return {
        "benchmark": "bench_engine",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine,
        "params": {
            "process": model.name,
            "cases": cases,
            "repeats": repeats,
            "interarrival_mean_h": model.interarrival.mean,
            "procsim_replication": 0,
            "procsim_seed": run.seed,
            "simpy_seed": SIMPY_SEED,
        },
        "contenders": results,
        "ratios": {
            **{
                f"{who}_to_{suffix}": results[who][f"ratio_to_{suffix}"]
                for who in ("procsim", "idiomatic")
                for _, _, suffix in FLOORS
            },
            "idiomatic_to_procsim": paired_ratio(
                times["idiomatic"],
                times["procsim"],
                info["procsim"]["events"] / info["idiomatic"]["events"],
            ),
        },
        "cycle_time_mean_h": {
            "idiomatic": round(ct_b, 4),
            "procsim": round(ct_c, 4),
            "rel_diff": round(rel, 4),
            "tolerance": CYCLE_TOLERANCE,
            "ok": rel <= CYCLE_TOLERANCE,
        },
    }


def benchmark_features(cases: int, repeats: int, verbose: bool = True) -> dict[str, Any]:
    """procsim against the floor on the model with shifts, priorities and batching."""
    model, run = validate(make_features_config(cases))
    log, kernel = probe_engine(model, run)
    delays = floor_delays(log)
    schedule, unscheduled = floor_schedule(log)
    del log
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "floor_process": lambda: run_floor_process(delays),
        "floor": lambda: run_floor(delays),
        "floor_schedule": lambda: run_floor_schedule(schedule),
        "procsim": lambda: run_procsim(model, run),
    }
    info = {name: job() for name, job in jobs.items()}
    check_floors(info)
    times: dict[str, list[float]] = {name: [] for name in jobs}
    names = list(jobs)
    for k in range(repeats):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            elapsed, _ = timed(jobs[name])
            times[name].append(elapsed)
        if verbose:
            print(
                f"features repeat {k + 1}/{repeats}: "
                + "  ".join(f"{n} {times[n][-1]:.3f}s" for n in names),
                flush=True,
            )
    events = info["procsim"]["events"]
    # The floors process exactly procsim's events: time ratios are ratios per event.
    return {
        "cases": cases,
        "events": events,
        "kernel_events": kernel,
        "floor_median_s": round(statistics.median(times["floor"]), 6),
        "procsim_median_s": round(statistics.median(times["procsim"]), 6),
        "procsim_us_per_event": round(statistics.median(times["procsim"]) / events * 1e6, 4),
        "schedule_floor_median_s": round(statistics.median(times["floor_schedule"]), 6),
        "loop_median_s": round(statistics.median(times["floor_process"]), 6),
        **{
            f"ratio_to_{suffix}": paired_ratio(times["procsim"], times[floor])
            for floor, _, suffix in FLOORS
        },
        "visits_started_at_no_real_event": unscheduled,
        "cycle_time_mean_h": round(info["procsim"]["cycle_time_mean"], 4),
        "times_s": {n: [round(t, 6) for t in ts] for n, ts in times.items()},
    }


def print_features(res: dict[str, Any]) -> None:
    print(
        f"\nwith shifts, priorities (preemptive at sales) and batching: {res['events']:,} real "
        f"events, procsim {res['procsim_median_s']:.3f} s ({res['procsim_us_per_event']:.2f} "
        f"µs/event); timeout loop {res['loop_median_s']:.3f} s: "
        f"**{res['ratio_to_loop']:.2f}x** (goal: at most {FEATURES_GOAL:g}x: "
        f"{'met' if res['ratio_to_loop'] <= FEATURES_GOAL else 'MISSED'}); timeout chain "
        f"{res['floor_median_s']:.3f} s: {res['ratio_to_floor']:.2f}x; procsim's schedule "
        f"{res['schedule_floor_median_s']:.3f} s: {res['ratio_to_schedule_floor']:.2f}x"
    )


def print_table(res: dict[str, Any]) -> None:
    p = res["params"]
    m = res["machine"]
    print()
    print(
        f"{p['process']}: {p['cases']:,} cases, median of {p['repeats']} alternating repeats"
        f"  ({m['cpu']}, {m['cores']} cores, Python {m['python']}, SimPy {m['simpy']})"
    )
    head = (
        f"{'contender':<34}{'median s':>9}{'events':>9}{'kernel ev':>10}"
        f"{'events/s':>10}{'us/event':>9}{'x loop':>8}{'x chain':>8}{'x sched':>8}"
    )
    print(head)
    print("-" * len(head))
    for name in CONTENDERS:
        r = res["contenders"][name]
        print(
            f"{LABELS[name]:<34}{r['median_s']:>9.3f}{r['events']:>9,}"
            f"{r['kernel_events']:>10,}{r['events_per_s']:>10,}{r['us_per_event']:>9.3f}"
            f"{r.get('ratio_to_loop', float('nan')):>8.2f}{r['ratio_to_floor']:>8.2f}"
            f"{r['ratio_to_schedule_floor']:>8.2f}"
        )
    ratios = res["ratios"]
    loop = ratios["procsim_to_loop"]
    print(
        f"procsim / timeout loop (time per event): **{loop:.2f}x** (goal: at most "
        f"{PLAIN_GOAL:g}x: {'met' if loop <= PLAIN_GOAL else 'MISSED'})"
    )
    print(f"idiomatic SimPy / procsim (time per event): {ratios['idiomatic_to_procsim']:.2f}x")
    ct = res["cycle_time_mean_h"]
    verdict = "OK" if ct["ok"] else "MISMATCH"
    print(
        f"mean cycle time: idiomatic SimPy {ct['idiomatic']:.2f} h, procsim "
        f"{ct['procsim']:.2f} h, difference {ct['rel_diff']:.1%} "
        f"(tolerance {ct['tolerance']:.0%}): {verdict}"
    )


def check(res: dict[str, Any], baseline_path: Path) -> str:
    """Compare procsim's ratios to the floors with the baseline: "ok", "regression" or "error".

    Checked: procsim / timeout loop, / timeout chain and / procsim's schedule on
    ``customer_request``, and the same three on the featured model, each against its recorded
    value (a ratio missing from an older baseline is skipped).
    """
    try:
        base = json.loads(baseline_path.read_text())
        recorded_ratios = base["ratios"]
        _ = float(recorded_ratios["procsim_to_floor"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"\n*** CHECK FAILED: cannot read the baseline {baseline_path}: {exc!r} ***")
        return "error"
    print(
        f"\nregression check against {baseline_path.name} ({base.get('date', '?')}, "
        f"{base['params']['cases']:,} cases), allowed +{TOLERANCE:.0%}:"
    )
    if base["params"]["cases"] != res["params"]["cases"]:
        print(
            f"warning: the baseline was measured with {base['params']['cases']:,} cases, "
            f"this run with {res['params']['cases']:,}; the ratios compare only roughly"
        )
    pairs = [
        (f"procsim / {name}", res["ratios"], recorded_ratios, f"procsim_to_{suffix}")
        for _, name, suffix in FLOORS
    ]
    features, recorded_features = res.get("features"), base.get("features")
    if features is not None and recorded_features is not None:
        pairs += [
            (f"featured: procsim / {name}", features, recorded_features, f"ratio_to_{suffix}")
            for _, name, suffix in FLOORS
        ]
    verdict = "ok"
    for label, now_figures, recorded_figures, key in pairs:
        if key not in recorded_figures or key not in now_figures:
            continue
        now, recorded = float(now_figures[key]), float(recorded_figures[key])
        limit = recorded * (1 + TOLERANCE)
        over = now > limit
        print(
            f"  {label}: now {now:.2f}, recorded {recorded:.2f}, limit {limit:.2f} "
            f"({now / recorded - 1:+.1%}){'  REGRESSION' if over else ''}"
        )
        if over:
            verdict = "regression"
    if verdict == "ok":
        print(f"OK: every ratio within +{TOLERANCE:.0%} of the baseline")
    return verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000, help="cases per run (20000)")
    parser.add_argument("--repeats", type=int, default=5, help="alternating repeats (5)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures to OUT")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a ratio of procsim to a floor is more than 20%% above the baseline's",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=BASELINE,
        help="baseline for --check (default: benchmarks/baseline.json)",
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeats < 1:
        parser.error("--cases and --repeats must be >= 1")

    res = benchmark(args.cases, args.repeats)
    print_table(res)
    res["features"] = benchmark_features(args.cases, args.repeats)
    print_features(res["features"])

    status = 0
    ct = res["cycle_time_mean_h"]
    if not ct["ok"]:
        if args.cases >= CYCLE_CHECK_MIN_CASES:
            print(
                "\n*** SANITY CHECK FAILED: idiomatic SimPy and procsim disagree on the mean "
                "cycle time; they are not simulating the same process ***"
            )
            status = 1
        else:
            print(
                f"\nwarning: mean cycle times differ by more than {CYCLE_TOLERANCE:.0%}; with "
                f"fewer than {CYCLE_CHECK_MIN_CASES:,} cases that can be noise"
            )

    if args.check:
        verdict = check(res, args.baseline)
        if verdict == "regression":
            # Shared machines have slow spells; a real regression shows up twice.
            print("re-measuring once to rule out a slow spell of the machine ...")
            again = benchmark(args.cases, args.repeats, verbose=False)
            print_table(again)
            again["features"] = benchmark_features(args.cases, args.repeats, verbose=False)
            print_features(again["features"])
            verdict = check(again, args.baseline)
            res["check_rerun_ratios"] = again["ratios"]
        res["check"] = verdict
        if verdict != "ok":
            status = 1
        if verdict == "regression":
            bar = "#" * 78
            print(
                f"\n{bar}\n# PERFORMANCE REGRESSION: a ratio of procsim to a SimPy floor (marked "
                f"above)\n# is more than +{TOLERANCE:.0%} over the recorded baseline "
                f"(confirmed by a second measurement).\n{bar}"
            )

    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
