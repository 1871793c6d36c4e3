"""Cross-check procsim.mining.distances against the log-distance-measures package.

Run it in an environment that has ``log-distance-measures`` (it pins pandas < 3, so not in
procsim's own environment), on the real log and the simulated logs that ``procsim-validate``
wrote::

    python -m venv /tmp/ldm && /tmp/ldm/bin/pip install log-distance-measures==2.2.0 pyarrow
    python -c "from procsim.mining.log_files import read_log; read_log('test.csv.gz',
        timezone='Europe/Amsterdam').events.drop(columns='start_estimated').to_parquet('real.parquet')"
    /tmp/ldm/bin/python benchmarks/crosscheck_logdist.py real.parquet \
        outputs/<date>/<time>-validate/tables/simulated_logs.parquet

It prints the package's five distances per simulated log, to compare with ``distances.csv``.
"""

import datetime
import sys

import pandas as pd
from log_distance_measures.absolute_event_distribution import (
    absolute_event_distribution_distance,
)
from log_distance_measures.circadian_event_distribution import (
    circadian_event_distribution_distance,
)
from log_distance_measures.config import AbsoluteTimestampType, EventLogIDs, discretize_to_hour
from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance
from log_distance_measures.n_gram_distribution import n_gram_distribution_distance
from log_distance_measures.relative_event_distribution import (
    relative_event_distribution_distance,
)

BOTH = AbsoluteTimestampType.BOTH


def main() -> None:
    real = pd.read_parquet(sys.argv[1])
    sim = pd.read_parquet(sys.argv[2])
    ids = EventLogIDs(
        case="case_id",
        activity="activity",
        start_time="start_time",
        end_time="end_time",
        resource="resource",
    )
    out = {}
    for run, g in sim.groupby("run"):
        g = g.drop(columns="run")
        out[run] = {
            "ngram_3": n_gram_distribution_distance(real, ids, g, ids, n=3),
            "absolute_emd": absolute_event_distribution_distance(
                real, ids, g, ids, discretize_type=BOTH, discretize_event=discretize_to_hour
            ),
            "circadian_emd": circadian_event_distribution_distance(
                real, ids, g, ids, discretize_type=BOTH
            ),
            "relative_emd": relative_event_distribution_distance(
                real, ids, g, ids, discretize_type=BOTH, discretize_event=discretize_to_hour
            ),
            "cycle_time_emd": cycle_time_distribution_distance(
                real, ids, g, ids, bin_size=datetime.timedelta(hours=1)
            ),
        }
    print(pd.DataFrame(out).T.to_string())


if __name__ == "__main__":
    main()
