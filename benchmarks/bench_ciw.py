"""procsim against Ciw: speed and accuracy on two queueing systems with a known answer.

Ciw (https://ciw.readthedocs.io) is a discrete-event simulator of open queueing networks; this
script runs it and procsim side by side, in one run on the same machine, on two systems:

M/M/5
    Poisson arrivals at rate 4.5, five servers with exponential service of mean 1 (load 0.9).
customer_request
    procsim's bundled 6-stage process (``conf/process/customer_request.yaml``, time unit hours),
    composed by procsim: intake (1 server) -> initial review (1) -> technical assessment (3) ->
    proposal drafting (3) -> customer confirmation (a pure delay, no role: an infinite-server
    node in Ciw; 1 in 4 cases goes back to drafting) -> delivery (3). The bundled lognormal,
    gamma and triangular durations are replaced, in both tools, by exponential ones with the same
    means, so that the network is a Jackson network and its waits are known exactly.

Workload. Each tool simulates exactly N customers (default 200,000 for M/M/5, 100,000 for the
network): arrivals stop after the N-th, and the run goes on until all N have left (procsim: a
run by cases, ``run.cases = N`` without warm-up; Ciw: an exponential arrival distribution that
stops after N draws, and ``simulate_until_max_customers(N, method="Complete")``). The first 10%
of the customers, by arrival order, are the warm-up: both tools discard the same customers from
every mean.

Timing. What is timed is the simulation of the N customers including the records the wait means
need. Ciw: ``ciw.Simulation(network)``, ``simulate_until_max_customers`` and ``get_all_records``
(building the network object is not timed). procsim: ``procsim.sim.engine.simulate(model, run, 0)``,
which draws its variates, runs the events and builds its visit table (``validate`` is not
timed). Computing the means from the records is not timed, for either tool. One untimed warm-up
round at small sizes runs every contender first; then, for K repeats (``--repeats``, default 5),
the four contenders (2 tools x 2 systems) run alternately, the order rotating each repeat, with
``gc.collect()`` before each timed run. Repeat k uses seed ``SEED + k`` for both tools
(``ciw.seed`` and procsim's ``run.seed``), so the K repeats are also K independent replications.

Reported per contender: median wall time, events (arrivals + service completions, the same
definition for both tools), microseconds per event, and per system the ratio Ciw / procsim of
the time per event (median over repeats of the ratio within each repeat). The goal is procsim at
least 10x faster than Ciw; the output says whether it is met (it is not a failure condition).

Accuracy. Per tool and system: the mean wait in queue (per station, per visit) and the mean
sojourn / cycle time, averaged over the K replications with a 95% confidence half-width, against
theory (M/M/5: Erlang C; network: Jackson's theorem, with visit ratios from the routing including
the rework loop). At default sizes a tool more than 10% off theory on any of these fails the run
(exit 1); with ``--quick`` or smaller sizes it is only a warning.

Usage (from the repository root, with ``pip install -e ".[bench]"``)::

    python benchmarks/bench_ciw.py                    # default sizes, 5 repeats (2-3 minutes)
    python benchmarks/bench_ciw.py --quick            # small sizes, a smoke run (~20 seconds)
    python benchmarks/bench_ciw.py --json out.json    # also write every figure as JSON
    python benchmarks/bench_ciw.py --record           # write benchmarks/baseline_ciw.json
    python benchmarks/bench_ciw.py --check            # exit 1 if a ratio fell > 20% below it
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import gc
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common  # benchmarks/_common.py (the script's folder is on the path)
import ciw
import numpy as np
from scipy import stats

import procsim
import procsim.sim.engine
from procsim.model.process import EXIT, Model, RunSettings
from procsim.model.validate import validate

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline_ciw.json"

#: Root seed; repeat k uses SEED + k for both tools (the untimed warm-up round uses SEED - 1).
SEED = 20261201
#: Customers per run (default, --quick) for each system.
SIZES = {"mm5": 200_000, "network": 100_000}
QUICK_SIZES = {"mm5": 20_000, "network": 10_000}
#: Sizes of the untimed warm-up round.
WARMUP_ROUND_SIZES = {"mm5": 5_000, "network": 2_000}
#: Share of the customers (first by arrival) discarded as the warm-up, identically for both.
WARMUP_FRACTION = 0.10
#: A tool further than this from theory fails the run (at default sizes).
ACCURACY_TOLERANCE = 0.10
#: ``--check`` fails when a Ciw / procsim ratio falls by more than this below the baseline's.
REGRESSION_TOLERANCE = 0.20
#: Stated goal: procsim's time per event at least this many times smaller than Ciw's.
SPEED_GOAL = 10.0

SYSTEMS = ("mm5", "network")
TOOLS = ("ciw", "procsim")
CONTENDERS: tuple[tuple[str, str], ...] = tuple((s, t) for s in SYSTEMS for t in TOOLS)
SYSTEM_LABELS = {"mm5": "M/M/5, load 0.9", "network": "customer_request (exponential)"}


# ---------------------------------------------------------------------------------------------
# The systems: a procsim model, and the same network described as plain arrays for Ciw and theory


@dataclass(frozen=True)
class Network:
    """An open network of exponential stations, as Ciw and Jackson's theorem see it.

    ``servers[i]`` is ``math.inf`` for a pure delay; ``routing[i, j]`` is the probability of
    going from station i to station j (the rest of row i leaves the network).
    """

    name: str
    time_unit: str
    stations: tuple[str, ...]
    servers: tuple[float, ...]
    means: tuple[float, ...]
    routing: np.ndarray
    start: int
    arrival_rate: float

    def visit_ratios(self) -> np.ndarray:
        """Expected visits per customer to each station: ``v = e + P^T v``."""
        n = len(self.stations)
        entry = np.zeros(n)
        entry[self.start] = 1.0
        return np.linalg.solve(np.eye(n) - self.routing.T, entry)


def network_of(model: Model) -> Network:
    """The Jackson network of a validated procsim model with exponential durations only."""
    n = len(model.stages)
    routing = np.zeros((n, n))
    for stage in model.stages:
        if stage.duration.to_config().get("dist") != "expon":
            raise ValueError(f"stage {stage.name!r} is not exponential: {stage.duration}")
        total = sum(stage.probabilities)
        for succ, prob in zip(stage.successors, stage.probabilities, strict=True):
            if succ != EXIT:
                routing[stage.id, succ] += prob / total
    if model.interarrival is None or model.interarrival.to_config().get("dist") != "expon":
        raise ValueError("arrivals must be Poisson (exponential interarrival times)")
    return Network(
        name=model.name,
        time_unit=model.time_unit,
        stations=model.stage_names,
        servers=tuple(
            math.inf if s.role is None else float(model.roles[s.role].servers) for s in model.stages
        ),
        means=tuple(float(s.duration.mean) for s in model.stages),
        routing=routing,
        start=model.start,
        arrival_rate=model.arrival_rate,
    )


def mm5_config() -> dict[str, Any]:
    """M/M/5 with lambda = 4.5 and mu = 1 per server (load 0.9)."""
    return {
        "process": {
            "name": "mm5",
            "start": "serve",
            "stages": {"serve": {"role": "server", "duration": {"dist": "expon", "mean": 1.0}}},
        },
        "staffing": {"server": 5},
        "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / 4.5}},
    }


def network_config() -> dict[str, Any]:
    """procsim's bundled customer_request, every duration made exponential with the same mean.

    The process is composed by procsim itself; the means are read from the validated model (so
    ``20min`` and the triangular's ``(low + mode + high) / 3`` come out in hours as procsim
    computes them), then written back as ``{dist: expon, mean: ...}``.
    """
    config = copy.deepcopy(procsim.compose(process="customer_request").configs["current"])
    bundled, _ = validate({**config, "run": {"cases": 1000, "replications": 2}})
    for stage in bundled.stages:
        config["process"]["stages"][stage.name]["duration"] = {
            "dist": "expon",
            "mean": float(stage.duration.mean),
        }
    assert bundled.interarrival is not None
    config["arrivals"] = {"interarrival": {"dist": "expon", "mean": bundled.interarrival.mean}}
    return config


def build_model(config: dict[str, Any], customers: int) -> tuple[Model, RunSettings, Network]:
    """Validate ``config`` as a run of exactly ``customers`` cases (no warm-up of procsim's own:
    the warm-up is discarded afterwards, by customer, identically for both tools)."""
    run = {"cases": customers, "warmup": 0, "replications": 2, "seed": SEED, "workers": 1}
    model, settings = validate({**config, "run": run})
    unstable = [w for w in model.warnings if "offered load" in w]
    if unstable:
        raise SystemExit("the benchmark system is unstable: " + "; ".join(unstable))
    network = network_of(model)
    if not np.allclose(network.visit_ratios(), model.visit_ratios()):
        raise AssertionError("visit ratios of the Ciw network and of procsim's model differ")
    return model, settings, network


# ---------------------------------------------------------------------------------------------
# Theory


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``a`` (< c) erlangs."""
    term, below = 1.0, 0.0
    for k in range(c):  # a^k / k!, summed for k < c
        below += term
        term *= a / (k + 1)
    top = term * c / (c - a)  # a^c / c! * c / (c - a)
    return top / (below + top)


def theory(net: Network) -> dict[str, float]:
    """Per-visit mean wait in queue at each station and the mean sojourn (cycle) time.

    Jackson's theorem: with Poisson arrivals, exponential service and Markov routing, each
    station behaves as an M/M/c queue with arrival rate ``lambda * v_i``.
    """
    visits = net.visit_ratios()
    out: dict[str, float] = {}
    cycle = 0.0
    for i, name in enumerate(net.stations):
        lam_i = net.arrival_rate * visits[i]
        c = net.servers[i]
        if math.isinf(c):
            wq = 0.0
        else:
            a = lam_i * net.means[i]
            if a >= c:
                raise ValueError(f"station {name} is unstable (load {a / c:.3f})")
            wq = erlang_c(int(c), a) / (c / net.means[i] - lam_i)
        out[f"wq/{name}"] = wq
        cycle += visits[i] * (wq + net.means[i])
    out["cycle"] = cycle
    return out


# ---------------------------------------------------------------------------------------------
# The contenders. Each run returns its wall time, its events and the means (post warm-up).


@dataclass
class Outcome:
    seconds: float
    events: int
    means: dict[str, float]


class CappedExponential(ciw.dists.Exponential):  # type: ignore[misc]
    """Ciw's exponential distribution that stops after ``n`` draws (then never again).

    As an arrival distribution, it makes exactly ``n`` customers arrive (Ciw's first draw is the
    first arrival time, each later one the gap to the next arrival).
    """

    def __init__(self, rate: float, n: int) -> None:
        super().__init__(rate)
        self.left = n

    def sample(self, t: float | None = None, ind: Any = None) -> float:
        self.left -= 1
        if self.left < 0:
            return math.inf
        return random.expovariate(self.rate)


def ciw_network(net: Network, customers: int) -> Any:
    """The Ciw network of ``net`` with exactly ``customers`` arrivals."""
    n = len(net.stations)
    return ciw.create_network(
        arrival_distributions=[
            CappedExponential(net.arrival_rate, customers) if i == net.start else None
            for i in range(n)
        ],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / m) for m in net.means],
        number_of_servers=[c if math.isinf(c) else int(c) for c in net.servers],
        routing=net.routing.tolist(),
    )


def run_ciw(net: Network, customers: int, seed: int) -> Outcome:
    network = ciw_network(net, customers)
    ciw.seed(seed)
    gc.collect()
    t0 = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Complete")
    records = sim.get_all_records()
    seconds = time.perf_counter() - t0

    arrived = sim.nodes[0].number_of_individuals
    done = sim.nodes[-1].number_of_completed_individuals
    if arrived != customers or done != customers:
        raise RuntimeError(f"Ciw: {arrived} arrived and {done} completed, not {customers}")
    ids = np.fromiter((r.id_number for r in records), np.int64, len(records)) - 1  # 0-based
    node = np.fromiter((r.node for r in records), np.int64, len(records)) - 1
    wait = np.fromiter((r.waiting_time for r in records), np.float64, len(records))
    arrival = np.full(customers, np.inf)
    np.minimum.at(arrival, ids, np.fromiter((r.arrival_date for r in records), np.float64))
    leave = np.full(customers, -np.inf)
    np.maximum.at(leave, ids, np.fromiter((r.exit_date for r in records), np.float64))
    found = means(net, customers, ids, node, wait, leave - arrival)
    return Outcome(seconds, customers + len(records), found)


def run_procsim(model: Model, settings: RunSettings, net: Network, seed: int) -> Outcome:
    settings = dataclasses.replace(settings, seed=seed)
    customers = settings.cases
    assert customers is not None
    gc.collect()
    t0 = time.perf_counter()
    log = procsim.sim.engine.simulate(model, settings, 0)
    seconds = time.perf_counter() - t0

    if log.truncated or len(log.arrival) != customers or np.isnan(log.completion).any():
        raise RuntimeError(f"procsim did not complete exactly {customers} cases")
    visits = log.visits
    if np.isnan(visits[:, 4]).any():
        raise RuntimeError("procsim left visits unstarted in a run by cases")
    ids = visits[:, 0].astype(np.int64)
    node = visits[:, 1].astype(np.int64)
    wait = visits[:, 4] - visits[:, 3]
    found = means(net, customers, ids, node, wait, log.completion - log.arrival)
    return Outcome(seconds, customers + len(visits), found)


def means(
    net: Network,
    customers: int,
    ids: np.ndarray,
    node: np.ndarray,
    wait: np.ndarray,
    sojourn: np.ndarray,
) -> dict[str, float]:
    """Mean wait per station visit and mean sojourn, over the customers after the warm-up.

    ``ids`` (0-based arrival order), ``node`` and ``wait`` are per visit; ``sojourn`` per customer.
    """
    first = warmup_customers(customers)
    kept = ids >= first
    out: dict[str, float] = {}
    for i, name in enumerate(net.stations):
        sel = kept & (node == i)
        out[f"wq/{name}"] = float(wait[sel].mean()) if sel.any() else math.nan
    out["cycle"] = float(sojourn[first:].mean())
    return out


def warmup_customers(customers: int) -> int:
    return int(customers * WARMUP_FRACTION)


# ---------------------------------------------------------------------------------------------
# Measurement


def machine_info() -> dict[str, Any]:
    return _common.machine_info(
        ciw=ciw.__version__, procsim=procsim.__version__, numpy=np.__version__
    )


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def half_width(values: list[float], confidence: float = 0.95) -> float:
    """Student t confidence half-width of the mean of ``values`` (NaN with fewer than 2)."""
    if len(values) < 2:
        return math.nan
    t = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1))
    return t * statistics.stdev(values) / math.sqrt(len(values))


def benchmark(sizes: dict[str, int], repeats: int, verbose: bool = True) -> dict[str, Any]:
    def say(*a: Any) -> None:
        if verbose:
            print(*a, flush=True)

    load_start = load_average()
    configs = {"mm5": mm5_config(), "network": network_config()}
    built = {s: build_model(configs[s], sizes[s]) for s in SYSTEMS}
    nets = {s: built[s][2] for s in SYSTEMS}
    truth = {s: theory(nets[s]) for s in SYSTEMS}

    def job(system: str, tool: str, customers: int, seed: int) -> Outcome:
        model, settings, net = built[system]
        if tool == "ciw":
            return run_ciw(net, customers, seed)
        return run_procsim(model, dataclasses.replace(settings, cases=customers), net, seed)

    say(
        f"warm-up round (untimed): {', '.join(f'{s} {n:,}' for s, n in WARMUP_ROUND_SIZES.items())}"
        " customers ..."
    )
    for system, tool in CONTENDERS:
        job(system, tool, WARMUP_ROUND_SIZES[system], SEED - 1)

    runs: dict[tuple[str, str], list[Outcome]] = {c: [] for c in CONTENDERS}
    for k in range(repeats):
        shift = k % len(CONTENDERS)
        order = CONTENDERS[shift:] + CONTENDERS[:shift]
        for system, tool in order:
            runs[(system, tool)].append(job(system, tool, sizes[system], SEED + k))
        say(
            f"repeat {k + 1}/{repeats} (seed {SEED + k}): "
            + "  ".join(f"{s}/{t} {runs[(s, t)][-1].seconds:.2f}s" for s, t in CONTENDERS)
            + f"  load {load_average()}"
        )
    load_end = load_average()

    results: dict[str, Any] = {}
    ratios: dict[str, float] = {}
    accuracy: dict[str, Any] = {}
    for system in SYSTEMS:
        per_event = {tool: [o.seconds / o.events for o in runs[(system, tool)]] for tool in TOOLS}
        results[system] = {}
        for tool in TOOLS:
            outs = runs[(system, tool)]
            results[system][tool] = {
                "times_s": [round(o.seconds, 4) for o in outs],
                "median_s": round(statistics.median(o.seconds for o in outs), 4),
                "events_median": int(statistics.median(o.events for o in outs)),
                "us_per_event": round(statistics.median(per_event[tool]) * 1e6, 3),
            }
        # Paired within each repeat: Ciw's time per event over procsim's.
        ratios[system] = round(
            statistics.median(
                c / p for c, p in zip(per_event["ciw"], per_event["procsim"], strict=True)
            ),
            3,
        )
        rows = {}
        for quantity, value in truth[system].items():
            row: dict[str, Any] = {"theory": value}
            for tool in TOOLS:
                estimates = [o.means[quantity] for o in runs[(system, tool)]]
                mean = statistics.fmean(estimates)
                row[tool] = {
                    "mean": mean,
                    "half_width": half_width(estimates),
                    "rel_error": (mean - value) / value if value > 0 else None,
                }
            rows[quantity] = row
        accuracy[system] = rows

    return {
        "benchmark": "bench_ciw",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**machine_info(), "load_start": load_start, "load_end": load_end},
        "params": {
            "customers": dict(sizes),
            "warmup_customers": {s: warmup_customers(sizes[s]) for s in SYSTEMS},
            "repeats": repeats,
            "seeds": [SEED + k for k in range(repeats)],
            "time_unit": {s: nets[s].time_unit for s in SYSTEMS},
            "visit_ratios": {
                s: dict(
                    zip(nets[s].stations, nets[s].visit_ratios().round(6).tolist(), strict=True)
                )
                for s in SYSTEMS
            },
        },
        "contenders": results,
        "ratios": ratios,
        "accuracy": accuracy,
    }


# ---------------------------------------------------------------------------------------------
# Output and checks


def print_report(res: dict[str, Any]) -> None:
    p, m = res["params"], res["machine"]
    print()
    print(
        f"procsim {m['procsim']} vs Ciw {m['ciw']}: median of {p['repeats']} alternating repeats"
        f"  ({m['cpu']}, {m['cores']} cores, Python {m['python']};"
        f" load average {m['load_start']} at start, {m['load_end']} at end)"
    )
    head = (
        f"{'system':<32}{'tool':<9}{'customers':>10}{'median s':>10}{'events':>10}"
        f"{'us/event':>10}{'Ciw/procsim':>13}"
    )
    print(head)
    print("-" * len(head))
    for system in SYSTEMS:
        for tool in TOOLS:
            r = res["contenders"][system][tool]
            ratio = f"{res['ratios'][system]:.2f}x" if tool == "procsim" else ""
            print(
                f"{SYSTEM_LABELS[system]:<32}{tool:<9}{p['customers'][system]:>10,}"
                f"{r['median_s']:>10.3f}{r['events_median']:>10,}{r['us_per_event']:>10.2f}"
                f"{ratio:>13}"
            )
    for system in SYSTEMS:
        ratio = res["ratios"][system]
        verdict = "met" if ratio >= SPEED_GOAL else "NOT met"
        print(
            f"{SYSTEM_LABELS[system]}: procsim is {ratio:.2f}x faster than Ciw per event "
            f"(goal: >= {SPEED_GOAL:g}x faster: {verdict})"
        )

    print()
    print(
        f"accuracy vs theory: mean of {p['repeats']} replications (seeds {p['seeds'][0]}..), "
        f"each of N customers with the first {WARMUP_FRACTION:.0%} discarded; "
        "+- 95% half-width; (relative error)"
    )
    head = f"{'system':<10}{'quantity':<30}{'theory':>10}{'Ciw':>27}{'procsim':>27}"
    print(head)
    print("-" * len(head))
    for system in SYSTEMS:
        # M/M/5 is in abstract time units (mean service 1); the network in the process's unit.
        unit = p["time_unit"][system][:1] if system == "network" else ""
        for quantity, row in res["accuracy"][system].items():
            label = "mean cycle (sojourn) time" if quantity == "cycle" else quantity
            cells = []
            for tool in TOOLS:
                c = row[tool]
                err = "n/a" if c["rel_error"] is None else f"{c['rel_error']:+.1%}"
                hw = "" if math.isnan(c["half_width"]) else f"+-{c['half_width']:.3f}"
                cells.append(f"{c['mean']:.3f}{hw} ({err})")
            print(
                f"{system:<10}{label:<30}{row['theory']:>9.3f}{unit:1}{cells[0]:>27}{cells[1]:>27}"
            )


def accuracy_failures(res: dict[str, Any]) -> list[str]:
    """Every (system, quantity, tool) further than the tolerance from theory."""
    out = []
    for system in SYSTEMS:
        for quantity, row in res["accuracy"][system].items():
            for tool in TOOLS:
                err = row[tool]["rel_error"]
                if err is not None and abs(err) > ACCURACY_TOLERANCE:
                    out.append(
                        f"{tool} {system} {quantity}: {row[tool]['mean']:.4f} vs theory "
                        f"{row['theory']:.4f} ({err:+.1%})"
                    )
    return out


def check(res: dict[str, Any], baseline_path: Path) -> tuple[str, list[str]]:
    """Compare the Ciw / procsim ratios with the baseline.

    Returns ("ok" | "regression" | "error", the systems that regressed).
    """
    try:
        base = json.loads(baseline_path.read_text())
        recorded = {s: float(base["ratios"][s]) for s in SYSTEMS}
        base_sizes = base["params"]["customers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"\n*** CHECK FAILED: cannot read the baseline {baseline_path}: {exc!r} ***")
        return "error", []
    print(f"\nregression check against {baseline_path.name} ({base.get('date', '?')}):")
    if base_sizes != res["params"]["customers"]:
        print(
            f"warning: the baseline was measured with {base_sizes}, this run with "
            f"{res['params']['customers']} customers; the ratios compare only roughly"
        )
    regressed = []
    for system in SYSTEMS:
        now, then = res["ratios"][system], recorded[system]
        limit = then * (1 - REGRESSION_TOLERANCE)
        status = "OK" if now >= limit else "REGRESSION"
        print(
            f"  {system:<8} Ciw/procsim now {now:.2f}x, recorded {then:.2f}x, "
            f"limit {limit:.2f}x ({now / then - 1:+.1%}): {status}"
        )
        if now < limit:
            regressed.append(system)
    return ("regression" if regressed else "ok"), regressed


def banner(lines: list[str]) -> None:
    width = max(len(line) for line in lines) + 4
    print("\n" + "*" * width)
    for line in lines:
        print(f"* {line:<{width - 4}} *")
    print("*" * width)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="alternating repeats (5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes for a smoke run ({QUICK_SIZES}); accuracy only warns",
    )
    parser.add_argument(
        "--customers",
        type=int,
        nargs=2,
        metavar=("MM5", "NETWORK"),
        help=f"customers per run for each system (default {SIZES['mm5']} {SIZES['network']})",
    )
    _common.add_baseline_options(
        parser, BASELINE, "exit 1 if a Ciw/procsim ratio is more than 20%% below the baseline's"
    )
    args = parser.parse_args(argv)
    sizes = dict(QUICK_SIZES if args.quick else SIZES)
    if args.customers:
        sizes = dict(zip(SYSTEMS, args.customers, strict=True))
    if args.repeats < 1 or min(sizes.values()) < 100:
        parser.error("--repeats must be >= 1 and --customers >= 100")
    # The accuracy check is strict when the replications pool at least the default customers.
    strict = not args.quick and all(sizes[s] * args.repeats >= SIZES[s] * 5 for s in SYSTEMS)

    started = time.perf_counter()
    res = benchmark(sizes, args.repeats)
    res["params"]["quick"] = args.quick
    print_report(res)

    status = 0
    failures = accuracy_failures(res)
    res["accuracy_ok"] = not failures
    if failures and strict:
        banner([f"ACCURACY CHECK FAILED: more than {ACCURACY_TOLERANCE:.0%} off theory", *failures])
        status = 1
    elif failures:
        print(
            f"\nwarning: more than {ACCURACY_TOLERANCE:.0%} off theory (not a failure at these "
            "sizes, where it can be noise):\n  " + "\n  ".join(failures)
        )
    else:
        print(f"\naccuracy: both tools within {ACCURACY_TOLERANCE:.0%} of theory everywhere")

    if args.check:
        verdict, regressed = check(res, args.baseline)
        if verdict == "regression":
            print("over the limit; measuring once more (a slow spell of the machine can do this)")
            again = benchmark(sizes, args.repeats, verbose=False)
            print_report(again)
            verdict, regressed = check(again, args.baseline)
            res["check_retry"] = again
        if verdict == "regression":
            banner(
                [
                    "PERFORMANCE REGRESSION: procsim lost ground against Ciw",
                    f"Ciw/procsim ratio fell by more than {REGRESSION_TOLERANCE:.0%} for: "
                    + ", ".join(regressed),
                ]
            )
            status = 1
        elif verdict == "error":
            status = 1
        res["check"] = verdict

    res["elapsed_s"] = round(time.perf_counter() - started, 1)
    print(f"\ntotal time {res['elapsed_s']:.0f} s")
    _common.write_figures(res, args.json, args.baseline if args.record else None)
    return status


if __name__ == "__main__":
    sys.exit(main())
