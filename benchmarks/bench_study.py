"""Study benchmark: a whole study end to end, parallel replications, and start-up time.

The study: the bundled ``customer_request`` process (6 stages) and 9 redesigns of it (staffing,
duration and rework changes; 10 scenarios in all), 30 replications of 5,000 cases each
(``run.cases=5000 run.horizon=null run.warmup=0``), compared with ``compare=[...]``. The
redesigns are written as scenario files (diffs, ``redesigns: customer_request``) into a
temporary workspace holding a copy of the bundled ``conf/``. Four parts, each optional:

cli
    ``procsim compare=[...] run.cases=5000 ...`` in a subprocess, in that workspace: what a user
    waits for, from start-up to the printed table (Hydra composition, replications, metrics,
    statistics, tables, figures, report). Wall time only.
study
    The same study in this process through the public API, timed phase by phase: ``procsim.compose``
    (compose), ``procsim.run`` (replications, collect, statistics), ``Results.save`` (tables),
    ``plots.make_figures`` and ``report.build_report`` (output), as the CLI calls them. Timing
    wrappers around the functions ``procsim.run``'s rounds and ``replication.run_one`` call
    (``replication_rounds.simulate_replications``, ``replication_rounds.collect``,
    ``replication.simulate``, ``replication.to_event_log``, ``replication.compute_kpis``) split
    ``procsim.run``: engine and metrics run inside the worker processes (forked, so they inherit
    the wrappers, which append their times to a file), so they are reported as worker time and,
    divided by the number of workers, as their share of the wall time; the rest of the
    replications phase is pool overhead (start-up, pickling, imbalance). Statistics =
    ``procsim.run`` minus replications and collect. No profiler runs, so the times are those of
    a normal run.
parallel
    The study's replications (``runner.simulate_replications`` of all 10 models) with
    ``run.workers=1`` and with ``run.workers=2``: speedup t1 / t2 (goal >= 1.8 on 2 cores).
    By default both run in this process, one pair after another; with ``--fresh`` each run is
    a fresh process, as the ``procsim`` command is. The control beside each pair: the same
    replications in two separate processes with no pool, what the machine allows for this
    work. The CPU time other processes used meanwhile (from ``/proc/stat``) is reported: a
    speedup measured while others use the cores means little. ``--wait-idle S`` waits (up to S
    seconds) for a 1-minute load average below 0.5 first.
startup
    ``python -X importtime -c "import procsim.cli.main"`` (median of 5: the cumulative time of
    ``procsim.cli.main`` and the total of every import, with the slowest modules), and the wall time
    of ``procsim --help`` in a subprocess (median of 5; goal < 1.5 s). For reference, the wall
    time of a bare ``python -c pass`` and of ``python -c "import procsim.study.api"``.

Goals: study < 60 s on 2 cores; speedup >= 1.8; ``procsim --help`` < 1.5 s.

Usage::

    python benchmarks/bench_study.py                   # all parts (about 4 minutes)
    python benchmarks/bench_study.py --quick           # 10 scenarios x 3 reps x 1,000 cases
    python benchmarks/bench_study.py --parts parallel --wait-idle 600 --repeats 3
    python benchmarks/bench_study.py --parts parallel --fresh --repeats 6 --clean 0.05
    python benchmarks/bench_study.py --json out.json
    python benchmarks/bench_study.py --record          # write benchmarks/baseline_study.json
    python benchmarks/bench_study.py --check           # exit 1 on a > 20% regression
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import _common  # benchmarks/_common.py (the script's folder is on the path)

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline_study.json"

PROCESS = "customer_request"
#: The 9 redesigns (scenario diffs on customer_request); with the current process, 10 models.
#: Every one keeps each role's offered load below 1.
SCENARIOS: dict[str, dict[str, Any]] = {
    "reviewer_2": {"description": "A second reviewer.", "staffing": {"reviewer": 2}},
    "engineer_4": {"description": "A fourth engineer.", "staffing": {"engineer": 4}},
    "sales_4": {"description": "A fourth sales person.", "staffing": {"sales": 4}},
    "delivery_4": {"description": "A fourth delivery person.", "staffing": {"delivery": 4}},
    "intake_2": {"description": "Two at the desk.", "staffing": {"customer_service": 2}},
    "faster_assessment": {
        "description": "A checklist cuts technical assessment to 2.5 h on average.",
        "process": {"stages": {"technical_assessment": {"duration": {"mean": "2.5h"}}}},
    },
    "clear_proposals": {
        "description": "Structured proposals: 1 in 20 comes back instead of 1 in 4.",
        "process": {
            "stages": {
                "proposal_drafting": {"duration": {"mean": "2.25h"}},
                "customer_confirmation": {"next": {"delivery": 0.95, "proposal_drafting": 0.05}},
            }
        },
    },
    "quick_confirmation": {
        "description": "Reminders halve the customer's confirmation time.",
        "process": {"stages": {"customer_confirmation": {"duration": {"mean": "10h"}}}},
    },
    "engineer_4_sales_4": {
        "description": "A fourth engineer and a fourth sales person.",
        "staffing": {"engineer": 4, "sales": 4},
    },
}
FULL = {"scenarios": 10, "replications": 30, "cases": 5000}
QUICK = {"scenarios": 10, "replications": 3, "cases": 1000}

GOAL_STUDY_S = 60.0
GOAL_SPEEDUP = 1.8
GOAL_STARTUP_S = 1.5
#: Allowed regression before ``--check`` fails ...
TOLERANCE = 0.20
#: ... plus, for start-up times (tens of milliseconds), this many seconds of noise.
STARTUP_SLACK_S = 0.02
IDLE_LOAD = 0.5
PARTS = ("startup", "parallel", "study", "cli")

MB = 1024**2


def say(*args: Any, **kwargs: Any) -> None:
    print(*args, **kwargs, flush=True)


# ---------------------------------------------------------------------------------------------
# The workspace and the study


def make_workspace(root: Path, n_scenarios: int) -> tuple[Any, list[str]]:
    """A copy of the bundled ``conf/`` plus the generated scenario files; (workspace, names)."""
    import yaml

    from procsim.config.workspace import Workspace, find_workspace

    bundled = find_workspace(HERE.parent)
    shutil.copytree(bundled.conf, root / "conf")
    (root / "scenarios").mkdir()
    names = list(SCENARIOS)[: max(n_scenarios - 1, 0)]
    for name in names:
        data = {"redesigns": PROCESS, **SCENARIOS[name]}
        (root / "scenarios" / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return Workspace(root, "benchmark"), names


def overrides(params: dict[str, int], workers: int | None = None) -> list[str]:
    out = [
        f"run.cases={params['cases']}",
        "run.horizon=null",
        "run.warmup=0",
        f"run.replications={params['replications']}",
    ]
    if workers is not None:
        out.append(f"run.workers={workers}")
    return out


def compose_study(workspace: Any, names: list[str], params: dict[str, int]) -> Any:
    import procsim

    return procsim.compose(
        process=PROCESS, compare=names or None, overrides=overrides(params), workspace=workspace
    )


# ---------------------------------------------------------------------------------------------
# Machine load


def load1() -> float | None:
    with contextlib.suppress(OSError, AttributeError):
        return round(os.getloadavg()[0], 2)
    return None


def wait_idle(limit_s: float) -> dict[str, Any]:
    """Wait until the 1-minute load average is below IDLE_LOAD, at most ``limit_s`` seconds."""
    t0 = time.perf_counter()
    load = load1()
    if limit_s > 0 and load is not None and load >= IDLE_LOAD:
        say(f"waiting for load < {IDLE_LOAD} (now {load}, at most {limit_s:.0f} s) ...")
        while load is not None and load >= IDLE_LOAD and time.perf_counter() - t0 < limit_s:
            time.sleep(10)
            load = load1()
    return {"load_1min": load, "waited_s": round(time.perf_counter() - t0, 1)}


# ---------------------------------------------------------------------------------------------
# Part: start-up

IMPORTTIME = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def parse_importtime(stderr: str) -> list[dict[str, Any]]:
    rows = []
    for line in stderr.splitlines():
        m = IMPORTTIME.match(line)
        if m:
            rows.append(
                {
                    "module": m.group(4),
                    "self_us": int(m.group(1)),
                    "cumulative_us": int(m.group(2)),
                    "depth": (len(m.group(3)) - 1) // 2,
                }
            )
    return rows


def _wall(cmd: Sequence[str], cwd: Path | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def measure_startup(repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import procsim.cli.main"],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = parse_importtime(proc.stderr)
        cli = next(r for r in rows if r["module"] == "procsim.cli.main" and r["depth"] == 0)
        runs.append((cli["cumulative_us"], sum(r["self_us"] for r in rows), rows))
    runs.sort(key=lambda r: r[0])
    cli_us, total_us, rows = runs[len(runs) // 2]
    top = sorted(rows, key=lambda r: -r["cumulative_us"])[:12]
    procsim_cmd = shutil.which("procsim")
    help_cmd = [procsim_cmd] if procsim_cmd else [sys.executable, "-m", "procsim"]
    _wall([*help_cmd, "--help"])  # warm the file cache
    help_times = [_wall([*help_cmd, "--help"]) for _ in range(repeats)]
    bare = [_wall([sys.executable, "-c", "pass"]) for _ in range(repeats)]
    api = [_wall([sys.executable, "-c", "import procsim.study.api"]) for _ in range(repeats)]
    return {
        "import_procsim_cli_s": cli_us / 1e6,
        "import_total_s": total_us / 1e6,
        "import_modules": len(rows),
        "import_top": top,
        "help_command": " ".join([Path(help_cmd[0]).name, *help_cmd[1:], "--help"]),
        "help_wall_s": statistics.median(help_times),
        "help_wall_all_s": [round(t, 4) for t in help_times],
        "python_pass_wall_s": statistics.median(bare),
        "import_procsim_api_wall_s": statistics.median(api),
    }


# ---------------------------------------------------------------------------------------------
# Part: parallel replications


def run_children(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """Start one ``--child`` process per spec; time them from a common start signal.

    Each child composes the study itself and prepares, says ``ready`` and waits; all then
    start on the same signal. Wall time from that signal to the last child's last output line
    (the interpreter's teardown is not part of the work).
    """
    children = [
        subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for spec in specs
    ]  # fmt: skip
    try:
        for child in children:
            assert child.stdout is not None
            while (line := child.stdout.readline()) and line.strip() != "ready":
                pass
            if not line:
                raise RuntimeError("a --child process ended before it was ready")
        t0 = time.perf_counter()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        own = [json.loads(child.stdout.readline())["wall_s"] for child in children if child.stdout]
        return {"wall_s": time.perf_counter() - t0, "children_wall_s": own}
    finally:
        for child in children:
            # Let each child end (and reap its own workers) before it is reaped, so that all
            # their CPU time counts as this process's children's.
            with contextlib.suppress(OSError):
                if child.stdin:
                    child.stdin.close()
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def measure_split(
    workspace: Any, names: list[str], params: dict[str, int], reps: int, warm: bool = True
) -> dict[str, Any]:
    """The control: the same replications in two separate processes, half of each model's
    replications each (the even ones and the odd ones; every other task if their number is
    odd).

    With ``warm``, each child runs one replication to warm up before the signal, as the pool's
    forked workers inherit a warm parent; not when the pool runs in a fresh process too. If
    this control is no faster than the pool, the pool costs nothing and the rest is the
    machine: two busy cores each running slower than one alone.
    """
    spec = {"root": str(workspace.root), "names": names, "params": params, "reps": reps,
            "warm": warm}  # fmt: skip
    return run_children([{**spec, "part": part} for part in (0, 1)])


def run_child(spec_text: str) -> int:
    """A process started by :func:`run_children` (``bench_study.py --child SPEC``).

    With ``part`` in the spec: half of every model's replications (half of the control). With
    ``workers``: all the replications through ``runner.simulate_replications``, as the
    ``procsim`` command runs them (a fresh process), timing each task into ``log``.
    """
    import procsim.study.local
    import procsim.study.runner
    from procsim.config.workspace import Workspace

    spec = json.loads(spec_text)
    study = compose_study(Workspace(Path(spec["root"]), "benchmark"), spec["names"],
                          spec["params"])  # fmt: skip
    models, run = study.build()
    work: Callable[[], Any]
    if "workers" in spec:
        log = PhaseLog(Path(spec["log"]))
        procsim.study.local.run_one = log.wrap(procsim.study.local.run_one, "task")
        settings = dataclasses.replace(run, workers=spec["workers"])

        def work() -> Any:
            return procsim.study.runner.simulate_replications(models, settings, range(spec["reps"]))
    else:
        # In the runner's order; each half gets as many replications of every model (with an
        # odd number of replications: as many tasks).
        tasks = [
            (label, model, run, r) for r in range(spec["reps"]) for label, model in models.items()
        ]
        if spec["reps"] % 2 == 0:
            tasks = [task for task in tasks if task[3] % 2 == spec["part"]]
        else:
            tasks = tasks[spec["part"] :: 2]
        if spec["warm"]:
            procsim.study.local.run_one(*tasks[0])

        def work() -> Any:
            return [procsim.study.local.run_one(*task) for task in tasks]

    print("ready", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    work()
    print(json.dumps({"wall_s": time.perf_counter() - t0}), flush=True)
    return 0


def measure_parallel(
    workspace: Any,
    names: list[str],
    params: dict[str, int],
    opts: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    """Replications with 1 and with 2 workers, in pairs; two separate processes beside each.

    Each pair runs the same replications (``--chunk-reps`` of every model; default all of
    them) once with ``run.workers=1`` and once with 2, in alternating order. With ``--clean F``
    a pair counts only if other processes used at most the fraction F of the machine during
    both runs, and pairs are tried until ``--repeats`` clean ones are found or the time budget
    of ``--wait-idle`` is spent: on a shared machine, short runs in quiet moments are the only
    meaningful ones.

    A timing wrapper around ``local.run_one`` (inherited by the forked workers) records each
    task's own duration: if tasks take longer when two run at once, the cores are not
    independent (shared physical core, steal, memory bandwidth, other processes); if not, the
    time is lost around the tasks (pool, pickling, the parent).
    """
    import procsim.study.local
    from procsim.study.runner import simulate_replications

    study = compose_study(workspace, names, params)
    models, run = study.build()
    reps = min(opts.chunk_reps or run.replications, run.replications)
    budget = time.perf_counter() + opts.wait_idle
    out: dict[str, Any] = {
        "tasks": len(models) * reps,
        "chunk_reps": reps,
        "clean_limit": opts.clean,
        "fresh_processes": bool(opts.fresh),
        "idle": wait_idle(opts.wait_idle),
    }
    log = PhaseLog(tmp / "tasks.txt")
    wrapped = log.wrap(procsim.study.local.run_one, "task")

    def one(workers: int) -> dict[str, Any]:
        settings = dataclasses.replace(run, workers=workers)
        record: dict[str, Any] = {"workers": workers, "load_1min_before": load1()}
        log.path.write_text("")
        if opts.fresh:
            spec = {"root": str(workspace.root), "names": names, "params": params,
                    "reps": reps, "workers": workers, "log": str(log.path)}  # fmt: skip
            with _common.foreign_cpu(record):
                record["wall_s"] = run_children([spec])["wall_s"]
        else:
            with patched([(procsim.study.local, "run_one", wrapped)]), _common.foreign_cpu(record):
                t0 = time.perf_counter()
                simulate_replications(models, settings, range(reps))
                record["wall_s"] = time.perf_counter() - t0
        record["task_time_sum_s"] = log.totals().get("task", 0.0)
        if workers == 2:
            around: dict[str, Any] = {}
            with _common.foreign_cpu(around):
                record["split"] = measure_split(workspace, names, params, reps, warm=not opts.fresh)
            record["split_other_share"] = around.get("other_share_of_machine")
        return record

    pairs: list[dict[int, dict[str, Any]]] = []
    while True:
        clean = [p for p in pairs if _is_clean(p, opts.clean)]
        if len(clean) >= opts.repeats:
            break
        if len(pairs) >= opts.repeats and (opts.clean is None or time.perf_counter() > budget):
            break
        if pairs and not _is_clean(pairs[-1], opts.clean):
            time.sleep(5)  # let the other work pass
        order = (1, 2) if len(pairs) % 2 == 0 else (2, 1)
        pair = {workers: one(workers) for workers in order}
        pairs.append(pair)
        say(
            f"  pair {len(pairs)}: 1 worker {pair[1]['wall_s']:6.2f} s, 2 workers "
            f"{pair[2]['wall_s']:6.2f} s ({pair[1]['wall_s'] / pair[2]['wall_s']:.2f}x); "
            f"2 separate processes {pair[2]['split']['wall_s']:6.2f} s "
            f"({pair[1]['wall_s'] / pair[2]['split']['wall_s']:.2f}x); others used "
            f"{pair[1].get('other_share_of_machine', 0):.0%} / "
            f"{pair[2].get('other_share_of_machine', 0):.0%} of the machine"
            + ("" if _is_clean(pair, opts.clean) else "  (not clean)")
        )
    used = [p for p in pairs if _is_clean(p, opts.clean)] or pairs
    t1 = statistics.median(p[1]["wall_s"] for p in used)
    t2 = statistics.median(p[2]["wall_s"] for p in used)
    speedup = statistics.median(p[1]["wall_s"] / p[2]["wall_s"] for p in used)
    out.update(
        {
            "pairs_tried": len(pairs),
            "pairs_used": len(used),
            "all_clean": all(_is_clean(p, opts.clean if opts.clean is not None else 0.05)
                             for p in used),
            "t1_s": t1,
            "t2_s": t2,
            "speedup": speedup,
            "efficiency": speedup / 2,
            # The tasks' own durations summed: 2 workers over 1 worker (1.0 = no contention).
            "task_slowdown": statistics.median(
                p[2]["task_time_sum_s"] / p[1]["task_time_sum_s"] for p in used
            ),
            # The same work in two separate processes: what the machine allows without a pool.
            "split_speedup": statistics.median(
                p[1]["wall_s"] / p[2]["split"]["wall_s"] for p in used
            ),
            # Pool over separate processes (1.0 = the pool costs nothing).
            "pool_over_split": statistics.median(
                p[2]["wall_s"] / p[2]["split"]["wall_s"] for p in used
            ),
            "max_other_share": max(
                r.get("other_share_of_machine", 0.0) for p in used for r in p.values()
            ),
            "pairs": [[p[1], p[2]] for p in pairs],
        }
    )  # fmt: skip
    return out


def _is_clean(pair: dict[int, dict[str, Any]], limit: float | None) -> bool:
    if limit is None:
        return True
    return all(r.get("other_share_of_machine", 1.0) <= limit for r in pair.values())


# ---------------------------------------------------------------------------------------------
# Part: the study through the API, phase by phase


class PhaseLog:
    """Timing wrappers that append ``phase seconds`` lines to a file (works across fork)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("")

    def wrap(self, func: Callable[..., Any], phase: str) -> Callable[..., Any]:
        path = self.path

        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                with open(path, "a") as f:
                    f.write(f"{phase} {time.perf_counter() - t0:.6f}\n")

        return timed

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.path.read_text().splitlines():
            phase, secs = line.split()
            out[phase] = out.get(phase, 0.0) + float(secs)
        return out


@contextlib.contextmanager
def patched(targets: list[tuple[Any, str, Callable[..., Any]]]) -> Iterator[None]:
    saved = [(module, name, getattr(module, name)) for module, name, _ in targets]
    for module, name, func in targets:
        setattr(module, name, func)
    try:
        yield
    finally:
        for module, name, func in saved:
            setattr(module, name, func)


def measure_study(
    workspace: Any, names: list[str], params: dict[str, int], folder: Path
) -> dict[str, Any]:
    import procsim
    import procsim.study.replication
    import procsim.study.replication_rounds
    from procsim.review.figures.run_figures import make_figures
    from procsim.review.report.build import build_report
    from procsim.study.runner import resolve_workers

    log = PhaseLog(folder.parent / "phases.txt")
    one, rounds = procsim.study.replication, procsim.study.replication_rounds
    targets = [
        (one, "simulate", log.wrap(one.simulate, "engine")),
        (one, "to_event_log", log.wrap(one.to_event_log, "metrics")),
        (one, "compute_kpis", log.wrap(one.compute_kpis, "metrics")),
        (rounds, "simulate_replications", log.wrap(rounds.simulate_replications, "replications")),
        (rounds, "collect", log.wrap(rounds.collect, "collect")),
    ]  # fmt: skip
    wall: dict[str, float] = {}
    record: dict[str, Any] = {"load_1min_before": load1()}
    with patched(targets), _common.foreign_cpu(record):
        t0 = time.perf_counter()
        study = compose_study(workspace, names, params)
        t1 = time.perf_counter()
        results = procsim.run(study)
        t2 = time.perf_counter()
        results.save(folder, command="bench_study", figures=False, report=False)
        t3 = time.perf_counter()
        make_figures(folder)
        t4 = time.perf_counter()
        build_report(folder)
        table = results.table()
        t5 = time.perf_counter()
    wall = {"compose": t1 - t0, "run": t2 - t1, "tables": t3 - t2, "figures": t4 - t3}
    wall["report"] = t5 - t4
    total = t5 - t0
    inner = log.totals()
    workers = resolve_workers(results.run.workers, len(results.models) * results.run.replications)
    reps_wall = inner.get("replications", 0.0)
    engine_w = inner.get("engine", 0.0) / workers
    metrics_w = inner.get("metrics", 0.0) / workers
    phases = {
        "compose": wall["compose"],
        "engine": engine_w,
        "metrics": metrics_w,
        "pool overhead": reps_wall - engine_w - metrics_w,
        "collect": inner.get("collect", 0.0),
        "stats": wall["run"] - reps_wall - inner.get("collect", 0.0),
        "output: tables": wall["tables"],
        "output: figures": wall["figures"],
        "output: report": wall["report"],
    }
    groups = {
        "engine": phases["engine"],
        "metrics": phases["metrics"],
        "stats": phases["stats"] + phases["collect"],
        "output": wall["tables"] + wall["figures"] + wall["report"],
        "other (compose, pool)": phases["compose"] + phases["pool overhead"],
    }
    return {
        **record,
        "total_s": total,
        "workers": workers,
        "phases_s": phases,
        "groups_s": groups,
        "worker_time_s": {"engine": inner.get("engine", 0.0), "metrics": inner.get("metrics", 0.0)},
        "visits_rows": len(results.visits),
        "cases_rows": len(results.cases),
        "kpi_rows": len(results.kpis),
        "peak_rss_parent_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "table_lines": len(table.splitlines()),
    }


def measure_cli(root: Path, names: list[str], params: dict[str, int]) -> dict[str, Any]:
    procsim_cmd = shutil.which("procsim")
    cmd = [procsim_cmd] if procsim_cmd else [sys.executable, "-m", "procsim"]
    out_dir = root / "cli_run"
    args = [*overrides(params), f"hydra.run.dir={out_dir}"]
    if names:
        args.insert(0, "compare=[" + ",".join(names) + "]")
    record: dict[str, Any] = {
        "command": "procsim " + " ".join(args[:-1]),
        "load_1min_before": load1(),
    }
    with _common.foreign_cpu(record):
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, *args], cwd=root, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"the procsim command failed ({proc.returncode}):\n{proc.stderr}")
    if not (out_dir / "report.html").is_file():
        raise SystemExit(f"the procsim command wrote no report:\n{proc.stdout}\n{proc.stderr}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {**record, "total_s": elapsed, "peak_rss_largest_child_bytes": children}


# ---------------------------------------------------------------------------------------------
# Driver, printing and the regression check


def machine_info() -> dict[str, Any]:
    return {**_common.machine_info(), "procsim": _common.code_version()}


def benchmark(
    parts: Sequence[str], params: dict[str, int], opts: argparse.Namespace
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "benchmark": "bench_study",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "params": {"process": PROCESS, **params},
    }
    with tempfile.TemporaryDirectory(prefix="bench_study_") as tmp:
        root = Path(tmp)
        workspace, names = make_workspace(root / "ws", params["scenarios"])
        res["params"]["redesigns"] = names
        if "startup" in parts:
            say("start-up ...")
            res["startup"] = measure_startup(5)
        if "parallel" in parts:
            say(f"parallel replications ({len(names) + 1} models x {params['replications']}):")
            res["parallel"] = measure_parallel(workspace, names, params, opts, root)
        if "study" in parts:
            say("study through the API ...")
            res["study"] = measure_study(workspace, names, params, root / "api_run")
            say(f"  {res['study']['total_s']:.1f} s")
        if "cli" in parts:
            say("study through the procsim command ...")
            res["cli"] = measure_cli(root / "ws", names, params)
            say(f"  {res['cli']['total_s']:.1f} s")
    return res


def _goal(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def print_report(res: dict[str, Any]) -> None:
    p, m = res["params"], res["machine"]
    print(
        f"\n{p['process']} + {len(p['redesigns'])} redesigns = {p['scenarios']} scenarios x "
        f"{p['replications']} replications x {p['cases']:,} cases  ({m['cpu']}, {m['cores']} "
        f"cores, Python {m['python']}; load at start {m['load_at_start']})"
    )
    if "cli" in res:
        c = res["cli"]
        print(
            f"\nprocsim command, end to end: {c['total_s']:.1f} s (goal < {GOAL_STUDY_S:.0f} s: "
            f"{_goal(c['total_s'] < GOAL_STUDY_S)}); other processes used "
            f"{c.get('other_processes_cpu_s', '?')} CPU-s meanwhile"
        )
    if "study" in res:
        s = res["study"]
        total = s["total_s"]
        print(
            f"\nthe same study through the API, in this process: {total:.1f} s (goal < "
            f"{GOAL_STUDY_S:.0f} s: {_goal(total < GOAL_STUDY_S)}), {s['workers']} workers; "
            f"{s['visits_rows']:,} visit rows, {s['cases_rows']:,} case rows; parent peak RSS "
            f"{s['peak_rss_parent_bytes'] / MB:,.0f} MB"
        )
        print(f"  {'phase':<26}{'wall s':>8}{'share':>8}")
        for name, secs in s["phases_s"].items():
            print(f"  {name:<26}{secs:>8.2f}{secs / total:>8.1%}")
        print(
            f"  (engine and metrics: worker time {s['worker_time_s']['engine']:.1f} s and "
            f"{s['worker_time_s']['metrics']:.1f} s, divided by {s['workers']} workers)"
        )
        print("  grouped: " + ", ".join(f"{k} {v / total:.0%}" for k, v in s["groups_s"].items()))
    if "parallel" in res:
        q = res["parallel"]
        print(
            f"\nparallel replications ({q['tasks']} tasks per run"
            f"{', each run in a fresh process' if q.get('fresh_processes') else ''}, median of "
            f"{q['pairs_used']} "
            f"pair(s) of {q['pairs_tried']} tried): 1 worker "
            f"{q['t1_s']:.2f} s, 2 workers {q['t2_s']:.2f} s, speedup {q['speedup']:.2f}x, "
            f"efficiency {q['efficiency']:.0%} (goal >= {GOAL_SPEEDUP}x: "
            f"{_goal(q['speedup'] >= GOAL_SPEEDUP)})"
        )
        print(
            f"  each task's own time with 2 workers / with 1: {q['task_slowdown']:.2f} (1.00: the "
            f"cores do not slow each other down)"
        )
        print(
            f"  the same replications in 2 separate processes (no pool): "
            f"{q['split_speedup']:.2f}x (what this machine allows); the pool takes "
            f"{q['pool_over_split']:.2f}x as long as they do (1.00: the pool costs nothing)"
        )
        print(
            f"  load before: {q['idle']['load_1min']}; other processes used up to "
            f"{q['max_other_share']:.0%} of the machine during a run"
            + ("" if q["all_clean"] else "  <-- not meaningful under load")
        )
    if "startup" in res:
        u = res["startup"]
        print(
            f"\nstart-up: `{u['help_command']}` {u['help_wall_s']:.3f} s wall (median; goal < "
            f"{GOAL_STARTUP_S} s: {_goal(u['help_wall_s'] < GOAL_STARTUP_S)}); "
            f"`python -c pass` {u['python_pass_wall_s']:.3f} s; "
            f"`python -c 'import procsim.study.api'` {u['import_procsim_api_wall_s']:.3f} s"
        )
        print(
            "  python -X importtime -c 'import procsim.cli.main': procsim.cli.main "
            f"{u['import_procsim_cli_s']:.3f} s cumulative; all {u['import_modules']} imports "
            f"(with site) {u['import_total_s']:.3f} s"
        )
        print("  slowest imports (cumulative):")
        for r in u["import_top"][:10]:
            print(f"    {r['cumulative_us'] / 1000:>7.1f} ms  {'  ' * r['depth']}{r['module']}")


def check(res: dict[str, Any], baseline_path: Path) -> tuple[list[str], set[str]]:
    """Regressions against the baseline: (problems, parts to re-measure)."""
    try:
        base = json.loads(baseline_path.read_text())
    except (OSError, ValueError) as exc:
        return [f"cannot read the baseline {baseline_path}: {exc!r}"], set()
    print(f"\nregression check against {baseline_path.name} ({base.get('date', '?')}):")
    same = all(base["params"].get(k) == res["params"].get(k) for k in FULL)
    if not same:
        print("note: the baseline has another study size; only start-up times are compared")
    problems: list[str] = []
    parts: set[str] = set()
    metrics = [
        ("startup", "help_wall_s", "procsim --help wall time", "lower", STARTUP_SLACK_S),
        ("startup", "import_procsim_cli_s", "import procsim.cli.main", "lower", STARTUP_SLACK_S),
    ]
    if same:
        metrics += [
            ("cli", "total_s", "procsim command, end to end", "lower", 0.0),
            ("study", "total_s", "study through the API", "lower", 0.0),
            ("parallel", "speedup", "parallel speedup", "higher", 0.0),
        ]
    for part, key, label, better, slack in metrics:
        if part not in res or part not in base:
            continue
        now, then = float(res[part][key]), float(base[part][key])
        if better == "lower":
            limit = then * (1 + TOLERANCE) + slack
            bad = now > limit
        else:
            limit = then / (1 + TOLERANCE)
            bad = now < limit
        print(
            f"  {label}: now {now:.3f}, recorded {then:.3f}, limit {limit:.3f}: "
            + ("REGRESSION" if bad else "OK")
        )
        if bad:
            problems.append(f"{label}: {now:.3f} against {then:.3f} recorded")
            parts.add(part)
    return problems, parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 replications of 1,000 cases")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated subset of {','.join(PARTS)} (default: all)",
    )
    parser.add_argument("--scenarios", type=int, help="models, current included (10)")
    parser.add_argument("--replications", type=int, help="replications per scenario (30)")
    parser.add_argument("--cases", type=int, help="cases per replication (5000)")
    parser.add_argument(
        "--repeats", type=int, default=1, help="pairs (1 worker, 2 workers) to measure (1)"
    )
    parser.add_argument(
        "--chunk-reps",
        type=int,
        metavar="R",
        help="parallel part: R replications of every model per run (default: all)",
    )
    parser.add_argument(
        "--clean",
        type=float,
        metavar="F",
        help="parallel part: count only pairs in which other processes used <= F of the "
        "machine (e.g. 0.05); keep trying within the --wait-idle budget",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help=f"parallel part: wait up to S seconds for load < {IDLE_LOAD} first, and (with "
        "--clean) try pairs for up to S seconds",
    )
    _common.add_baseline_options(parser, BASELINE, "exit 1 on a > 20%% regression")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="parallel part: run each measurement in a fresh process, as the procsim command "
        "does (default: in this process, which has run the earlier ones)",
    )
    parser.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args.child)
    parts = [x.strip() for x in args.parts.split(",") if x.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {','.join(PARTS)}")
    params = dict(QUICK if args.quick else FULL)
    for key in FULL:
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    if not 1 <= params["scenarios"] <= len(SCENARIOS) + 1 or params["replications"] < 2:
        parser.error(f"--scenarios 1..{len(SCENARIOS) + 1}, --replications >= 2")

    args.repeats = max(args.repeats, 1)
    res = benchmark(parts, params, args)
    print_report(res)

    status = 0
    if args.check:
        problems, again = check(res, args.baseline)
        if again:
            print(f"re-measuring {', '.join(sorted(again))} once to rule out a slow spell ...")
            rerun = benchmark(sorted(again), params, args)
            res["check_rerun"] = rerun
            merged = {**res, **{k: rerun[k] for k in again}}
            print_report(rerun)
            problems, _ = check(merged, args.baseline)
        res["check"] = problems or "ok"
        status = _common.report_check(problems, "PERFORMANCE REGRESSION", "OK: no regression")
    _common.write_figures(res, args.json, args.baseline if args.record else None)
    return status


if __name__ == "__main__":
    sys.exit(main())
