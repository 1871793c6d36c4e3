"""Engine behaviour at the edges of a run: fixed workloads, horizons, guards."""

from __future__ import annotations

import math

import numpy as np

from helpers import mm1
from procsim.model.validate import validate
from procsim.sim.engine import simulate


def test_cases_mode_runs_every_case_to_completion_and_stops_there() -> None:
    model, run = validate(mm1(rho=0.9, horizon=None, cases=500, warmup=0))
    log = simulate(model, run, 0)
    assert len(log.arrival) == 500
    assert not np.isnan(log.completion).any()
    # The run ends at the last completion, not at a slice boundary after it.
    assert log.end_time == log.completion.max()


def test_cases_mode_counts_cases_after_the_warmup() -> None:
    model, run = validate(mm1(rho=0.5, horizon=None, cases=100, warmup=50))
    log = simulate(model, run, 0)
    assert (log.arrival >= 50).sum() == 100


def test_a_visit_due_exactly_at_the_horizon_has_not_finished() -> None:
    config = {
        "process": {
            "start": "s",
            "stages": {
                "s": {"role": "r", "duration": 0.5, "next": "t"},
                "t": {"role": "r", "duration": 0.25, "next": "end"},
            },
        },
        "staffing": {"r": 5},
        "arrivals": {"interarrival": {"dist": "constant", "value": 1}},
        "run": {"horizon": 3.5, "replications": 2},
    }
    model, run = validate(config)
    log = simulate(model, run, 0)
    # Case 2 arrives at 3 and its first visit would end at 3.5 = horizon: still in progress.
    last = log.visits[log.visits[:, 0] == 2]
    assert last.shape[0] == 1 and math.isnan(last[0, 5])
    assert math.isnan(log.completion[2])
    # Every visit recorded as finished has a successor or a completion.
    finished = log.visits[~np.isnan(log.visits[:, 5])]
    for case, stage, *_ in finished:
        if stage == 0:
            assert ((log.visits[:, 0] == case) & (log.visits[:, 1] == 1)).any()
