"""Scale benchmark: one replication of ``customer_request`` by number of cases, time and memory.

For each size N (``run.cases = N``, warm-up 0, replication 0) a fresh Python subprocess validates
the bundled ``customer_request`` model and runs one replication exactly as a runner worker does
(:func:`procsim.study.replication.run_one`: ``engine.simulate``, then the event log and the KPIs of
that replication). Measured in the child, so that the peak memory is this size's alone:

* wall time of ``engine.simulate`` (a timing wrapper around the function ``run_one`` calls),
  and of the rest of ``run_one`` (event log + KPIs: "metrics");
* peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) after the imports and
  validation (the floor every run pays), after ``simulate`` and at the end;
* with ``--tracemalloc``, in a second child per size: the peak of memory allocated through
  Python's allocators (objects and numpy buffers) inside ``simulate`` and inside the metrics.

Then a least-squares line through the points gives the time per case and the memory per case,
and the marginal cost between consecutive sizes shows whether the growth is linear.

Goal: 1,000,000 cases within 1 GB peak memory; time and memory linear in cases.

Usage::

    python benchmarks/bench_scale.py                     # 10k, 30k, 100k, 300k, 1M cases
    python benchmarks/bench_scale.py --quick             # 10k, 30k, 100k (seconds)
    python benchmarks/bench_scale.py --sizes 10000,100000 --tracemalloc --json out.json
    python benchmarks/bench_scale.py --record --repeats 3 --tracemalloc   # the baseline
    python benchmarks/bench_scale.py --check             # exit 1 on regression or 1M > 1 GB
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import _common  # benchmarks/_common.py (the script's folder is on the path)

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline_scale.json"
DEFAULT_PLOT = HERE / "scale.png"

DEFAULT_SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)
QUICK_SIZES = (10_000, 30_000, 100_000)
#: The memory goal: this many cases ...
GOAL_CASES = 1_000_000
#: ... within this peak resident memory (bytes).
GOAL_PEAK_BYTES = 1024**3
#: Allowed growth of time per case and memory per case before ``--check`` fails.
TOLERANCE = 0.20
#: Marginal cost per case of the last interval between sizes over the median of the earlier
#: intervals above this: "not linear" (the intercept, i.e. fixed costs, cancels out).
LINEARITY_LIMIT = 1.25

MB = 1024**2


# ---------------------------------------------------------------------------------------------
# Child: one size, one replication, fresh process.


def _rss_now() -> int:
    """Current resident set size in bytes (Linux; 0 elsewhere)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    return 0


def _peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One replication of ``spec["config"]`` with ``spec["cases"]`` cases, measured."""
    import tracemalloc

    import numpy as np

    import procsim.study.replication
    from procsim.model.validate import validate

    trace = bool(spec.get("tracemalloc"))
    config = {**spec["config"], "run": {"cases": spec["cases"], "replications": 2, "warmup": 0}}
    model, run = validate(config)
    gc.collect()
    out: dict[str, Any] = {
        "cases": spec["cases"],
        "tracemalloc": trace,
        "rss_floor_bytes": _rss_now(),
        "peak_rss_floor_bytes": _peak_rss(),
    }

    real_simulate = procsim.study.replication.simulate

    def timed_simulate(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        log = real_simulate(*args, **kwargs)
        out["engine_s"] = time.perf_counter() - t0
        out["peak_rss_after_engine_bytes"] = _peak_rss()
        out["visits"] = len(log.visits)
        out["truncated"] = bool(log.truncated)
        out["simlog_bytes"] = sum(a.nbytes for a in vars(log).values() if isinstance(a, np.ndarray))
        if trace:
            out["traced_peak_engine_bytes"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
        return log

    procsim.study.replication.simulate = timed_simulate  # type: ignore[assignment]
    try:
        if trace:
            tracemalloc.start()
        t0 = time.perf_counter()
        result = procsim.study.replication.run_one("current", model, run, 0)
        total = time.perf_counter() - t0
        if trace:
            out["traced_peak_metrics_bytes"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        procsim.study.replication.simulate = real_simulate
    out["run_one_s"] = total
    out["metrics_s"] = total - out["engine_s"]
    out["peak_rss_bytes"] = _peak_rss()
    out["eventlog_bytes"] = int(
        result.log.visits.memory_usage(deep=True).sum()
        + result.log.cases.memory_usage(deep=True).sum()
    )
    out["kpi_rows"] = len(result.kpis)
    return out


def run_child(config: dict[str, Any], cases: int, trace: bool) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter; the spec goes in on stdin, JSON comes out.

    Also records the CPU time that other processes used meanwhile (machine busy time minus
    the child's own), as a share of the machine: a timing taken while others ran is suspect.
    """
    spec = json.dumps({"config": config, "cases": cases, "tracemalloc": trace})
    record: dict[str, Any] = {}
    with _common.foreign_cpu(record):
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child"],
            input=spec,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise SystemExit(f"child for {cases:,} cases failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(record)
    return result


# ---------------------------------------------------------------------------------------------
# Parent.


def make_config() -> dict[str, Any]:
    """The bundled customer_request process, as ``procsim.compose`` resolves it."""
    import procsim

    config: dict[str, Any] = procsim.compose(process="customer_request").configs["current"]
    return config


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float]:
    """Least-squares line ``y = intercept + slope * x`` and its R²."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return {"slope": slope, "intercept": intercept, "r2": 1 - ss_res / ss_tot if ss_tot else 1.0}


def marginal(xs: Sequence[float], ys: Sequence[float]) -> list[float]:
    """Cost per extra case between consecutive sizes."""
    return [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)]


def machine_info() -> dict[str, Any]:
    versions: dict[str, str] = {}
    for name in ("simpy", "numpy", "pandas", "scipy"):
        with contextlib.suppress(ImportError):
            versions[name] = str(__import__(name).__version__)
    return {**_common.machine_info(**versions), "procsim": _common.code_version()}


def benchmark(
    sizes: Sequence[int], trace: bool, repeats: int = 1, say: Callable[..., None] = print
) -> dict[str, Any]:
    config = make_config()
    machine = machine_info()
    rows: list[dict[str, Any]] = []
    for n in sizes:
        say(f"{n:>9,} cases ...", end=" ")
        runs = [run_child(config, n, trace=False) for _ in range(repeats)]
        # The run with the median total time; the largest peak memory of all.
        runs.sort(key=lambda r: r["run_one_s"])
        row = dict(runs[len(runs) // 2])
        row["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in runs)
        row["run_one_all_s"] = [round(r["run_one_s"], 4) for r in runs]
        row["other_share_max"] = max(r.get("other_share_of_machine", 0.0) for r in runs)
        if trace:
            traced = run_child(config, n, trace=True)
            row["traced_peak_engine_bytes"] = traced["traced_peak_engine_bytes"]
            row["traced_peak_metrics_bytes"] = traced["traced_peak_metrics_bytes"]
        say(
            f"engine {row['engine_s']:.2f} s, metrics {row['metrics_s']:.2f} s, "
            f"peak RSS {row['peak_rss_bytes'] / MB:,.0f} MB (other processes used up to "
            f"{row['other_share_max']:.0%} of the machine)"
        )
        rows.append(row)
    xs = [float(r["cases"]) for r in rows]
    fits: dict[str, Any] = {}
    if len(rows) >= 2:
        for key, field in (
            ("engine_s", "engine_s"),
            ("metrics_s", "metrics_s"),
            ("total_s", "run_one_s"),
            ("peak_rss_bytes", "peak_rss_bytes"),
        ):
            ys = [float(r[field]) for r in rows]
            fit = linear_fit(xs, ys)
            steps = marginal(xs, ys)
            fit["marginal"] = steps
            earlier = statistics.median(steps[:-1]) if len(steps) > 1 else None
            fit["last_over_earlier_marginal"] = (
                steps[-1] / earlier if earlier is not None and earlier > 0 else None
            )
            fits[key] = fit
    goal: dict[str, Any] = {"cases": GOAL_CASES, "limit_bytes": GOAL_PEAK_BYTES}
    at_goal = [r for r in rows if r["cases"] == GOAL_CASES]
    if at_goal:
        goal["peak_rss_bytes"] = at_goal[0]["peak_rss_bytes"]
        goal["met"] = at_goal[0]["peak_rss_bytes"] <= GOAL_PEAK_BYTES
    elif "peak_rss_bytes" in fits:
        fit = fits["peak_rss_bytes"]
        goal["extrapolated_peak_rss_bytes"] = fit["intercept"] + fit["slope"] * GOAL_CASES
    return {
        "benchmark": "bench_scale",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine,
        "params": {
            "process": "customer_request",
            "sizes": list(sizes),
            "replication": 0,
            "repeats": repeats,
        },
        "rows": rows,
        "fits": fits,
        "per_case": {
            "engine_us": fits["engine_s"]["slope"] * 1e6 if fits else None,
            "metrics_us": fits["metrics_s"]["slope"] * 1e6 if fits else None,
            "total_us": fits["total_s"]["slope"] * 1e6 if fits else None,
            "peak_rss_bytes": fits["peak_rss_bytes"]["slope"] if fits else None,
        },
        "goal_memory": goal,
    }


def print_table(res: dict[str, Any]) -> None:
    m = res["machine"]
    print(
        f"\ncustomer_request, one replication by cases ({m['cpu']}, {m['cores']} cores, "
        f"Python {m['python']}; load at start {m['load_at_start']})"
    )
    traced = any("traced_peak_engine_bytes" in r for r in res["rows"])
    head = (
        f"{'cases':>10}{'visits':>11}{'engine s':>10}{'metrics s':>10}{'total s':>9}"
        f"{'us/case':>9}{'peak RSS MB':>12}{'above floor':>12}{'others':>8}"
    )
    if traced:
        head += f"{'traced eng MB':>14}{'traced met MB':>14}"
    print(head)
    print("-" * len(head))
    for r in res["rows"]:
        line = (
            f"{r['cases']:>10,}{r['visits']:>11,}{r['engine_s']:>10.2f}{r['metrics_s']:>10.2f}"
            f"{r['run_one_s']:>9.2f}{r['run_one_s'] / r['cases'] * 1e6:>9.1f}"
            f"{r['peak_rss_bytes'] / MB:>12,.0f}"
            f"{(r['peak_rss_bytes'] - r['peak_rss_floor_bytes']) / MB:>12,.0f}"
            f"{r.get('other_share_max', 0.0):>8.0%}"
        )
        if traced:
            line += (
                f"{r.get('traced_peak_engine_bytes', 0) / MB:>14,.0f}"
                f"{r.get('traced_peak_metrics_bytes', 0) / MB:>14,.0f}"
            )
        print(line)
    floor = res["rows"][0]["peak_rss_floor_bytes"] / MB
    print(f"(floor: peak RSS after imports and validation, before simulating: {floor:,.0f} MB;")
    print(
        f" times: median of {res['params'].get('repeats', 1)} fresh process(es) per size; "
        "others: the largest share of the machine other processes used during a run)"
    )
    fits = res["fits"]
    if fits:
        print("\nlinear fit (least squares over the sizes):")
        for key, label, scale, unit in (
            ("engine_s", "engine time", 1e6, "us per case"),
            ("metrics_s", "metrics time", 1e6, "us per case"),
            ("total_s", "total time", 1e6, "us per case"),
            ("peak_rss_bytes", "peak RSS", 1.0, "bytes per case"),
        ):
            f = fits[key]
            ratio = f["last_over_earlier_marginal"]
            icpt = f["intercept"] / MB if key == "peak_rss_bytes" else f["intercept"]
            icpt_unit = "MB" if key == "peak_rss_bytes" else "s"
            print(
                f"  {label:<13} {f['slope'] * scale:>8,.1f} {unit:<15} + {icpt:>8.2f} {icpt_unit}"
                f"   R² {f['r2']:.4f}   marginal, last interval / earlier: "
                + (f"{ratio:.2f}" if ratio is not None else "n/a")
            )
        steps = ", ".join(f"{x * 1e6:.1f}" for x in fits["total_s"]["marginal"])
        print(f"  marginal time between consecutive sizes, us per case: {steps}")
        steps = ", ".join(f"{x:,.0f}" for x in fits["peak_rss_bytes"]["marginal"])
        print(f"  marginal peak RSS between consecutive sizes, bytes per case: {steps}")
    goal = res["goal_memory"]
    print(
        f"\ngoal: {GOAL_CASES:,} cases within {GOAL_PEAK_BYTES / MB:,.0f} MB peak memory; "
        "time and memory linear in cases"
    )
    if "met" in goal:
        verdict = "MET" if goal["met"] else "MISSED"
        print(f"  {GOAL_CASES:,} cases: peak RSS {goal['peak_rss_bytes'] / MB:,.0f} MB: {verdict}")
    elif "extrapolated_peak_rss_bytes" in goal:
        print(
            f"  {GOAL_CASES:,} cases not measured; the fit extrapolates to "
            f"{goal['extrapolated_peak_rss_bytes'] / MB:,.0f} MB"
        )
    if fits:
        if max(r["cases"] for r in res["rows"]) < 100_000:
            print("  (with sizes this small the linearity verdicts are noisy: indicative only)")
        for key, label in (("total_s", "time"), ("peak_rss_bytes", "memory")):
            ratio = fits[key]["last_over_earlier_marginal"]
            if ratio is None:
                continue
            verdict = "linear" if ratio <= LINEARITY_LIMIT else "NOT linear (grows faster)"
            print(
                f"  {label}: marginal cost per case, last interval / median of the earlier ones "
                f"= {ratio:.2f} (limit {LINEARITY_LIMIT}): {verdict}"
            )


def plot(res: dict[str, Any], path: Path) -> None:
    """Time and peak memory against cases (linear axes: a straight line means linear)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res["rows"]
    xs = [r["cases"] for r in rows]
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for field, label, style in (
        ("engine_s", "engine.simulate", "o-"),
        ("metrics_s", "event log + KPIs", "s-"),
        ("run_one_s", "total (run_one)", "^-"),
    ):
        ax_t.plot(xs, [r[field] for r in rows], style, label=label)
    ax_t.set_xlabel("cases")
    ax_t.set_ylabel("wall time (s)")
    ax_t.set_title("Time, one replication")
    ax_t.legend()
    ax_m.plot(xs, [r["peak_rss_bytes"] / MB for r in rows], "o-", label="peak RSS")
    ax_m.plot(xs, [r["peak_rss_floor_bytes"] / MB for r in rows], ":", color="grey", label="floor")
    if any("traced_peak_engine_bytes" in r for r in rows):
        ax_m.plot(
            xs,
            [r.get("traced_peak_engine_bytes", 0) / MB for r in rows],
            "s--",
            label="tracemalloc peak during simulate",
        )
        ax_m.plot(
            xs,
            [r.get("traced_peak_metrics_bytes", 0) / MB for r in rows],
            "^--",
            label="tracemalloc peak during metrics",
        )
    ax_m.axhline(GOAL_PEAK_BYTES / MB, color="red", linestyle="--", label="goal: 1 GB")
    ax_m.set_xlabel("cases")
    ax_m.set_ylabel("memory (MB)")
    ax_m.set_title("Peak memory, one replication")
    ax_m.legend()
    for ax in (ax_t, ax_m):
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="x", style="plain")
        ax.xaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(
                lambda v, _: f"{v / 1e6:g}M" if v >= 1e6 else f"{v / 1000:,.0f}k"
            )
        )
    fig.suptitle(f"procsim scale: customer_request ({res['date'][:10]})")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _per_case(row: dict[str, Any]) -> dict[str, float]:
    """Time per case (us) and memory above the floor per case (bytes) of one size."""
    n = row["cases"]
    return {
        "time": row["run_one_s"] / n * 1e6,
        "memory": (row["peak_rss_bytes"] - row["peak_rss_floor_bytes"]) / n,
    }


def check(res: dict[str, Any], baseline_path: Path) -> list[str]:
    """Problems found: regressions against the baseline, or the memory goal missed.

    Time per case and memory per case (peak RSS above the floor, divided by cases) are
    compared size by size, at the sizes both runs measured (``--quick`` shares 10k, 30k and
    100k with the default sizes); the median of the ratios over those sizes must stay within
    +20%, so that one noisy size does not decide.
    """
    problems: list[str] = []
    goal = res["goal_memory"]
    if goal.get("met") is False:
        problems.append(
            f"{GOAL_CASES:,} cases peak at {goal['peak_rss_bytes'] / MB:,.0f} MB "
            f"(goal {GOAL_PEAK_BYTES / MB:,.0f} MB)"
        )
    try:
        base = json.loads(baseline_path.read_text())
        recorded = {row["cases"]: _per_case(row) for row in base["rows"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(f"cannot read the baseline {baseline_path}: {exc!r}")
        return problems
    now = {row["cases"]: _per_case(row) for row in res["rows"]}
    common = sorted(set(now) & set(recorded))
    print(f"\nregression check against {baseline_path.name} ({base.get('date', '?')}):")
    if not common:
        problems.append(f"no size in common with the baseline (sizes {sorted(recorded)})")
        return problems
    for key, label, unit in (("time", "time per case", "us"), ("memory", "memory per case", "B")):
        ratios = [now[n][key] / recorded[n][key] for n in common if recorded[n][key] > 0]
        if not ratios:
            continue
        ratio = statistics.median(ratios)
        status = "OK" if ratio <= 1 + TOLERANCE else "REGRESSION"
        detail = ", ".join(f"{n:,}: {now[n][key]:,.1f} vs {recorded[n][key]:,.1f}" for n in common)
        print(f"  {label} ({unit}; now vs recorded) {detail}")
        print(f"    median ratio {ratio:.3f} (limit {1 + TOLERANCE:.2f}): {status}")
        if ratio > 1 + TOLERANCE:
            problems.append(f"{label} {ratio - 1:+.1%} against the baseline")
    return problems


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = 1
        if part.endswith("k"):
            part, scale = part[:-1], 1000
        elif part.endswith("m"):
            part, scale = part[:-1], 1_000_000
        sizes.append(int(float(part) * scale))
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be >= 1")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        help="comma-separated numbers of cases, e.g. 10k,100k,1M (default 10k,30k,100k,300k,1M)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: 10k,30k,100k")
    parser.add_argument(
        "--repeats", type=int, default=1, help="fresh processes per size; median time (1)"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also a tracemalloc run per size (slower)"
    )
    parser.add_argument(
        "--plot",
        type=Path,
        default=DEFAULT_PLOT,
        help="PNG of time and memory vs cases (default benchmarks/scale.png)",
    )
    parser.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    _common.add_baseline_options(
        parser, BASELINE, "exit 1 if time or memory per case grew > 20%% or 1M cases exceed 1 GB"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(json.loads(sys.stdin.read()))))
        return 0

    sizes = args.sizes or (list(QUICK_SIZES) if args.quick else list(DEFAULT_SIZES))
    if len(sizes) < 2:
        parser.error("give at least two sizes for the linear fit")
    say: Callable[..., None] = lambda *a, **k: print(*a, **k, flush=True)  # noqa: E731
    res = benchmark(sizes, args.tracemalloc, max(args.repeats, 1), say)
    print_table(res)
    if not args.no_plot:
        plot(res, args.plot)
        print(f"\nplot written to {args.plot}")

    status = 0
    if args.check:
        problems = check(res, args.baseline)
        regressed = [p for p in problems if "against the baseline" in p]
        if regressed:
            # Shared machines have slow spells; a real time regression shows up twice.
            print("re-measuring once to rule out a slow spell of the machine ...")
            again = benchmark(sizes, False, max(args.repeats, 1), lambda *a, **k: None)
            print_table(again)
            res["check_rerun"] = again
            problems = check(again, args.baseline)
        res["check"] = problems or "ok"
        met = res["goal_memory"].get("met")
        ok = "OK: no regression" + (", memory goal met" if met else "")
        status = _common.report_check(problems, "SCALE CHECK FAILED", ok)
    _common.write_figures(res, args.json, args.baseline if args.record else None)
    return status


if __name__ == "__main__":
    sys.exit(main())
