#!/usr/bin/env bash
# Every benchmark with its regression check, one after the other (about 10 minutes on 2 cores).
# Exit status 1 when any figure regressed by more than 20% against its recorded baseline.
# The event-log benchmark needs the logs: BENCH_DATA=/path/to/event-logs (default ../shared).
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {
    echo "=== $*"
    "$@" || failed+=("$1 $2")
}
run python benchmarks/bench_engine.py --check
run python benchmarks/bench_ciw.py --check
run python benchmarks/bench_scale.py --check
run python benchmarks/bench_study.py --check
data="${BENCH_DATA:-../shared/data/event-logs}"
if [ -d "$data" ]; then
    run python benchmarks/bench_fit.py --check --data "$data"
else
    echo "=== bench_fit.py skipped: no event logs in $data (set BENCH_DATA)"
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo
    echo "##############################################################################"
    echo "# REGRESSION in: ${failed[*]}"
    echo "##############################################################################"
    exit 1
fi
echo "all benchmarks within 20% of their recorded figures"
