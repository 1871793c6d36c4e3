"""Coverage experiment: do procsim's 95% confidence intervals contain the true value 95% of
the time?

For systems with a known answer (M/M/1 and M/M/c, FIFO), the experiment runs the same study
with many seeds and counts how often the reported 95% CI of the mean wait and of the service
level P(Wq <= t) contains the value from theory. Usage::

    python benchmarks/ci_coverage.py               # 200 seeds per system (about a minute)
    python benchmarks/ci_coverage.py --seeds 40    # the short form the test suite runs
    python benchmarks/ci_coverage.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    results = [coverage(system, args.seeds) for system in SYSTEMS]
    for r in results:
        for metric in ("wait_mean", "sla_attainment"):
            c = r[metric]
            print(f"{r['system']:<16} {metric:<15} coverage {c['coverage']:.1%} "
                  f"(95% CI {c['ci'][0]:.1%}-{c['ci'][1]:.1%}; {r['seeds']} seeds x "
                  f"{r['replications']} replications)")  # fmt: skip
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
