"""Coverage experiment: do procsim's 95% confidence intervals contain the true value 95% of
the time?

Two experiments, each running the same study with many seeds and counting how often the
reported 95% CI contains the exact value:

* steady state: M/M/1 and M/M/c (FIFO), long runs after a warm-up; the mean wait and the
  service level P(Wq <= t) from theory;
* a short pilot from empty: M/M/1 at rho = 0.9 over 20 hours, no warm-up, 10 replications
  (what the README suggests for a four-week pilot); the exact transient time-average work in
  progress and utilization, from the M/M/1 Markov chain (``scipy.linalg.expm`` of its
  generator, truncated far beyond reach). The replications are skewed there, and the
  bootstrap-t interval is used where they are (the count is reported).

Usage::

    python benchmarks/ci_coverage.py               # 200 seeds per system (a few minutes)
    python benchmarks/ci_coverage.py --seeds 40    # the short form the test suite runs
    python benchmarks/ci_coverage.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.linalg import expm

from procsim.measure.stats import summarize
from procsim.model.validate import validate
from procsim.study.runner import run_study


@dataclass(frozen=True)
class System:
    """An M/M/c queue with its theoretical mean wait and service level."""

    name: str
    servers: int
    lam: float
    mu: float
    within: float

    def erlang_c(self) -> float:
        a, c = self.lam / self.mu, self.servers
        below = sum(a**k / math.factorial(k) for k in range(c))
        top = a**c / math.factorial(c) * c / (c - a)
        return top / (below + top)

    def wait(self) -> float:
        """Wq = C(c, a) / (c mu - lam)."""
        return self.erlang_c() / (self.servers * self.mu - self.lam)

    def service_level(self) -> float:
        """P(Wq <= t) = 1 - C(c, a) exp(-(c mu - lam) t)."""
        rate = self.servers * self.mu - self.lam
        return 1 - self.erlang_c() * math.exp(-rate * self.within)

    def config(self, seed: int, replications: int, horizon: float, warmup: float) -> dict[str, Any]:
        return {
            "process": {"start": "serve", "stages": {"serve": {
                "role": "server", "duration": {"dist": "expon", "mean": 1 / self.mu}}}},
            "staffing": {"server": self.servers},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1 / self.lam}},
            "sla": {"level": {"within": self.within, "to": "start:serve"}},
            "run": {"horizon": horizon, "warmup": warmup, "replications": replications,
                    "seed": seed, "workers": 1},
        }  # fmt: skip


SYSTEMS = (
    System("M/M/1 rho=0.7", 1, 0.7, 1.0, 1.0),
    System("M/M/3 rho=0.8", 3, 2.4, 1.0, 0.5),
)


def coverage(
    system: System, seeds: int, replications: int = 10, horizon: float = 3000, warmup: float = 300
) -> dict[str, Any]:
    """Share of seeds whose 95% CI contains the theoretical mean wait and service level."""
    truth = {("wait_mean", "serve"): system.wait(), ("sla_attainment", "level"):
             system.service_level()}  # fmt: skip
    hits = dict.fromkeys(truth, 0)
    for seed in range(seeds):
        model, run = validate(system.config(seed, replications, horizon, warmup))
        summary = summarize(run_study({"s": model}, run).kpis)
        for (metric, entity), value in truth.items():
            row = summary[(summary["metric"] == metric) & (summary["entity"] == entity)]
            hits[(metric, entity)] += int(row["ci_low"].item() <= value <= row["ci_high"].item())
    out: dict[str, Any] = {"system": system.name, "seeds": seeds, "replications": replications}
    for (metric, _), count in hits.items():
        low, high = stats.binomtest(count, seeds).proportion_ci(0.95)
        out[metric] = {"coverage": count / seeds, "ci": [low, high], "truth": truth[(metric, _)]}
    return out


@dataclass(frozen=True)
class Pilot:
    """A short M/M/1 run from empty: its exact transient time averages."""

    name: str
    lam: float
    mu: float
    horizon: float
    replications: int = 10
    states: int = 200

    def truth(self) -> dict[str, float]:
        """Exact ``wip_mean`` = (1/T) int_0^T E[N(t)] dt and ``utilization`` = (1/T) int_0^T
        P(N(t) > 0) dt from empty, by the block-matrix exponential whose corner is
        ``int_0^T exp(Q t) dt`` (Van Loan 1978), Q the birth-death generator on 0..states."""
        k = self.states
        q = np.zeros((k + 1, k + 1))
        idx = np.arange(k)
        q[idx, idx + 1] = self.lam
        q[idx + 1, idx] = self.mu
        q -= np.diag(q.sum(axis=1))
        block = np.zeros((2 * (k + 1), 2 * (k + 1)))
        block[: k + 1, : k + 1] = q
        block[: k + 1, k + 1 :] = np.eye(k + 1)
        occupancy = expm(block * self.horizon)[0, k + 1 :] / self.horizon
        return {
            "wip_mean": float(occupancy @ np.arange(k + 1)),
            "utilization": float(1 - occupancy[0]),
        }

    def config(self, seed: int) -> dict[str, Any]:
        system = System(self.name, 1, self.lam, self.mu, 1.0)
        return system.config(seed, self.replications, self.horizon, 0)


PILOT = Pilot("M/M/1 rho=0.9, 20 h from empty", 0.9, 1.0, 20.0)


def pilot_coverage(pilot: Pilot, seeds: int) -> dict[str, Any]:
    """Share of seeds whose 95% CI contains the exact transient value, and how often the
    bootstrap-t interval was chosen."""
    truth = pilot.truth()
    hits = dict.fromkeys(truth, 0)
    boot = dict.fromkeys(truth, 0)
    entity = {"wip_mean": "", "utilization": "server"}
    for seed in range(seeds):
        model, run = validate(pilot.config(seed))
        summary = summarize(run_study({"s": model}, run).kpis)
        for metric, value in truth.items():
            row = summary[(summary["metric"] == metric) & (summary["entity"] == entity[metric])]
            hits[metric] += int(row["ci_low"].item() <= value <= row["ci_high"].item())
            boot[metric] += int(row["interval"].item() == "bootstrap-t")
    out: dict[str, Any] = {"system": pilot.name, "seeds": seeds,
                           "replications": pilot.replications}  # fmt: skip
    for metric, count in hits.items():
        low, high = stats.binomtest(count, seeds).proportion_ci(0.95)
        out[metric] = {"coverage": count / seeds, "ci": [low, high], "truth": truth[metric],
                       "bootstrap_t_share": boot[metric] / seeds}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    results = [coverage(system, args.seeds) for system in SYSTEMS]
    results.append(pilot_coverage(PILOT, args.seeds))
    for r in results:
        for metric in [m for m in r if isinstance(r[m], dict)]:
            c = r[metric]
            print(f"{r['system']:<16} {metric:<15} coverage {c['coverage']:.1%} "
                  f"(95% CI {c['ci'][0]:.1%}-{c['ci'][1]:.1%}; {r['seeds']} seeds x "
                  f"{r['replications']} replications"
                  + (f"; bootstrap-t in {c['bootstrap_t_share']:.0%}" if "bootstrap_t_share" in c
                     else "") + ")")  # fmt: skip
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
