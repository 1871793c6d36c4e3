"""procsim against Prosimos on the same model: the loan application, imported by procsim-import.

Prosimos simulates the model from its own files (BPMN + JSON); procsim simulates what
``procsim-import`` made of them. Both run R replications of N cases from empty (Prosimos:
``run_simulation(total_cases=N)`` seeded by numpy; procsim: ``run.cases=N run.warmup=0``), and
for each KPI the benchmark reports both means with their 95% CIs and the Welch CI of the
difference, which should contain 0: cycle time, waiting per task visit and utilization of the
pool (procsim gets 2R replications: R studies of two, each with its own seed). The speed ratio
is the median of Prosimos' wall time per replication (its own simulation call) over procsim's
(composition included; one core each), measured alternately, run by run, since the machine is
shared.

Prosimos pins pandas < 3, so it runs in an environment of its own, in a child process:

    python -m venv .venv-prosimos && .venv-prosimos/bin/pip install ".[prosimos]"
    python benchmarks/bench_prosimos.py [--cases 1000] [--reps 10] \
        [--python .venv-prosimos/bin/python]

Reads the model from ``/work/shared/data/models`` (or ``--models``); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path("/work/shared/data/models")

#: Runs one Prosimos replication in the Prosimos environment: seed, files, cases, outputs.
PROSIMOS_RUN = """
import sys, time, numpy as np, random
from prosimos.simulation_engine import run_simulation
seed, bpmn, params, cases, stats_out, log_out = sys.argv[1:7]
np.random.seed(int(seed)); random.seed(int(seed))
t0 = time.perf_counter()
run_simulation(bpmn, params, int(cases), stats_out, log_out, "2024-01-01T00:00:00+00:00")
print(time.perf_counter() - t0)
"""


def prosimos_replication(python: str, models: Path, seed: int, cases: int, out: Path) -> dict:
    """One Prosimos run: its KPIs from the log and the statistics file, and its wall time."""
    log, st = out / f"log_{seed}.csv", out / f"stats_{seed}.csv"
    done = subprocess.run(
        [python, "-c", PROSIMOS_RUN, str(seed), str(models / "loanapp_prosimos.bpmn"),
         str(models / "loanapp_prosimos.json"), str(cases), str(st), str(log)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = float(done.stdout.strip().splitlines()[-1])
    ev = pd.read_csv(log)
    for c in ("enable_time", "start_time", "end_time"):
        ev[c] = pd.to_datetime(ev[c], format="ISO8601", utc=True)
    work = ev[~ev["activity"].isin(["start", "end"])]
    case = ev.groupby("case_id").agg(a=("enable_time", "min"), e=("end_time", "max"))
    minutes = pd.Timedelta(minutes=1)
    util = _prosimos_utilization(st)
    return {
        "wall_s": wall,
        "cycle_time_mean": float(((case["e"] - case["a"]) / minutes).mean()),
        "wait_per_visit": float(((work["start_time"] - work["enable_time"]) / minutes).mean()),
        "utilization": util,
    }


def _prosimos_utilization(path: Path) -> float:
    """Worked over available time of the pool's people (the start/end markers left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Resource ID"))
    rows = []
    for line in lines[head + 1 :]:
        if not line.strip() or line.startswith('""'):
            break
        rows.append(line.split(","))
    frame = pd.DataFrame(rows, columns=lines[head].split(","))
    frame = frame[~frame["Resource ID"].isin(["start", "end"])]
    worked = frame["Worked Time (seconds)"].astype(float).sum()
    return float(worked / frame["Available Time (seconds)"].astype(float).sum())


def import_loan(models: Path, work: Path) -> None:
    """``procsim-import`` of the loan model into a workspace at ``work``."""
    from procsim.cli.import_model import import_command

    conf = work / "conf"
    (conf / "process").mkdir(parents=True, exist_ok=True)
    (conf / "config.yaml").write_text(
        "defaults:\n  - procsim_defaults\n  - process: loan\n  - _self_\n", encoding="utf-8"
    )
    import_command({"bpmn": str(models / "loanapp_prosimos.bpmn"), "name": "loan",
                    "json": str(models / "loanapp_prosimos.json"), "overwrite": "true",
                    "out": str(conf / "process" / "loan.yaml")})  # fmt: skip


def procsim_replications(work: Path, cases: int, reps: int, seed: int) -> tuple[dict, float]:
    """procsim on the imported model: KPIs per replication, and the wall time per replication
    (composition included)."""
    from procsim.config.compose import compose
    from procsim.config.workspace import Workspace
    from procsim.study.api import run

    t0 = time.perf_counter()
    study = compose(
        process="loan",
        overrides=[f"run.cases={cases}", "run.warmup=0", f"run.replications={reps}",
                   "run.workers=1", f"run.seed={seed}"],
        workspace=Workspace(work, "bench"),
    )  # fmt: skip
    results = run(study)
    wall = (time.perf_counter() - t0) / reps
    k = results.kpis
    per_rep: dict[str, list[float]] = {}
    ct = k[k["metric"] == "cycle_time_mean"].sort_values("replication")
    per_rep["cycle_time_mean"] = ct["value"].tolist()
    util = k[k["metric"] == "utilization"].sort_values("replication")
    per_rep["utilization"] = util["value"].tolist()
    # Waiting per task visit, from the simulated log (routing stages have no role).
    v = results.visits[results.visits["role"].astype(str) != ""]
    wait = (v["start_time"] - v["enabled_time"]).groupby(v["replication"]).mean()
    per_rep["wait_per_visit"] = wait.sort_index().tolist()
    return per_rep, wall


def ci(values: list[float]) -> tuple[float, float]:
    """Mean and 95% t half-width."""
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(
        stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    )


def welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Difference of means (a - b) with its Welch 95% CI."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    diff = float(x.mean() - y.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    h = float(stats.t.ppf(0.975, dof) * se)
    return diff, diff - h, diff + h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--python", default=str(ROOT / ".venv-prosimos" / "bin" / "python"))
    parser.add_argument("--models", type=Path, default=MODELS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pros: list[dict] = []
        t_procsim: list[float] = []
        sim: dict[str, list[float]] = {}
        import_loan(args.models, work / "ws")
        # Alternately (the machine is shared): a Prosimos run, then a procsim study of two
        # replications with its own seed, and so on.
        for r in range(args.reps):
            pros.append(prosimos_replication(args.python, args.models, r + 1, args.cases, work))
            per_rep, wall = procsim_replications(work / "ws", args.cases, 2, r + 1)
            for k, v in per_rep.items():
                sim.setdefault(k, []).extend(v)
            t_procsim.append(wall)
    out: dict[str, object] = {"cases": args.cases, "replications": args.reps, "kpis": {}}
    for kpi in ("cycle_time_mean", "wait_per_visit", "utilization"):
        p = [x[kpi] for x in pros]
        m_p, h_p = ci(p)
        m_s, h_s = ci(sim[kpi])
        _, lo, hi = welch(sim[kpi], p)
        out["kpis"][kpi] = {  # type: ignore[index]
            "prosimos": [round(m_p, 4), round(h_p, 4)],
            "procsim": [round(m_s, 4), round(h_s, 4)],
            "difference_ci": [round(lo, 4), round(hi, 4)],
            "agree": bool(lo <= 0 <= hi),
        }
    pw = float(np.median([x["wall_s"] for x in pros]))
    sw = float(np.median(t_procsim))
    out["wall_per_replication_s"] = {"prosimos": round(pw, 3), "procsim": round(sw, 3)}
    out["speed_ratio"] = round(pw / sw, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
