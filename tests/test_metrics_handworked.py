"""Metrics on a tiny log worked out by hand (numbers in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from procsim.measure.event_log import to_event_log
from procsim.measure.kpis import compute_kpis
from procsim.model.validate import validate_model
from procsim.sim.records import SimLog

NAN = math.nan


@pytest.fixture()
def kpis() -> dict[tuple[str, str], float]:
    model = validate_model(
        {
            "process": {
                "start": "A",
                "stages": {
                    "A": {
                        "role": "r",
                        "duration": 1,
                        "value": "value_adding",
                        "cost": 1,
                        "next": "B",
                    },
                    "B": {"role": None, "duration": 1, "next": {"A": 0.5, "end": 0.5}},
                },
            },
            "staffing": {"r": 1},
            "roles": {"r": {"cost_per_hour": 10}},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 3}},
            "sla": {"e2e": {"within": 5.5}, "first": {"within": 0.5, "to": "start:A"}},
        }
    )
    # case, stage (0=A, 1=B), server, enabled, start, end
    visits = np.array(
        [
            [0, 0, 0, 0, 0, 2],
            [0, 1, -1, 2, 2, 5],  # case 0: cycle 5
            [1, 0, 0, 1, 2, 3],
            [1, 1, -1, 3, 3, 4],  # case 1 waits 1 at A,
            [1, 0, 0, 4, 4, 6],
            [1, 1, -1, 6, 6, 7],  # reworks, cycle 6
            [2, 0, 0, 8, 8, NAN],  # case 2 open at t=10
        ],
        dtype=float,
    )
    log = SimLog(visits, np.array([0.0, 1.0, 8.0]), np.array([5.0, 7.0, NAN]), 10.0, False, 0)
    table = compute_kpis(to_event_log(log, model, warmup=0.0), model)
    return {(r.metric, r.entity): r.value for r in table.itertuples()}


@pytest.mark.parametrize(
    ("metric", "entity", "expected"),
    [
        ("arrived", "", 3),
        ("completed", "", 2),
        ("open", "", 1),
        ("throughput_per_day", "", 2 / 10 * 24),  # 2 completions in 10 h
        ("cycle_time_mean", "", 5.5),
        ("cycle_time_p50", "", 5.5),
        ("wip_mean", "", (5 + 6 + 2) / 10),  # time in system inside [0, 10]
        ("first_pass_yield", "", 0.5),  # case 1 did A twice
        ("cycle_efficiency", "", (2 + 1 + 2) / 11),  # value-adding processing / cycle
        ("utilization", "r", (2 + 1 + 2 + 2) / 10),  # busy 0-2, 2-3, 4-6, 8-10
        ("wait_mean", "A", 1 / 4),
        ("waited_share", "A", 1 / 4),
        ("wait_mean", "B", 0.0),
        ("visits_per_case", "A", 4 / 3),
        ("time_share", "A", 6 / 11),  # sojourns at A of completed cases
        ("time_share", "B", 5 / 11),
        ("cost_per_case", "", (10 * 10 + 4 * 1) / 2),  # paid staff time + 4 visits of A
        ("cost_per_day", "", (10 * 10 + 4 * 1) / (10 / 24)),
        ("cost_per_week", "", 7 * 24 * (10 * 10 + 4 * 1) / 10),
        ("staff_cost_per_day", "r", 10 * 10 / (10 / 24)),
        ("stage_cost_per_day", "A", 4 * 1 / (10 / 24)),  # 4 executions of A started by t=10
        ("sla_attainment", "e2e", 1 / 2),  # case 2 is open but not yet late
        ("sla_attainment", "first", 2 / 3),  # first responses after 0, 1, 0
        ("queue_mean", "A", 1 / 10),  # case 1 waits 1 h of the 10
        ("queue_mean", "B", 0.0),
        ("role_queue_mean", "r", 1 / 10),
    ],
)
def test_kpi_matches_hand_calculation(
    kpis: dict[tuple[str, str], float], metric: str, entity: str, expected: float
) -> None:
    assert kpis[(metric, entity)] == pytest.approx(expected)


def test_warmup_excludes_early_cases_and_late_open_cases_count_as_misses() -> None:
    model = validate_model(
        {
            "process": {"stages": {"A": {"role": "r", "duration": 1}}},
            "staffing": {"r": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 3}},
            "sla": {"e2e": {"within": 2}},
        }
    )
    visits = np.array([[0, 0, 0, 0, 0, 1], [1, 0, 0, 5, 5, 6], [2, 0, 0, 6, 6, NAN]])
    log = SimLog(visits, np.array([0.0, 5.0, 6.0]), np.array([1.0, 6.0, NAN]), 10.0, False, 0)
    k = {
        (r.metric, r.entity): r.value
        for r in compute_kpis(to_event_log(log, model, warmup=2.0), model).itertuples()
    }
    assert k[("arrived", "")] == 2  # case 0 arrived in the warm-up
    assert k[("completed", "")] == 1
    # Case 2 has been open 4 h > 2 h: already a miss. Case 1 met it.
    assert k[("sla_attainment", "e2e")] == pytest.approx(1 / 2)
    assert k[("utilization", "r")] == pytest.approx((1 + 4) / 8)


def test_cost_per_case_by_type_is_activity_based() -> None:
    """Paid time is spread over the work at each role's loaded rate, plus stage costs."""
    model = validate_model(
        {
            "process": {
                "start": "A",
                "stages": {
                    "A": {"role": "r", "duration": 1, "cost": 1, "next": "B"},
                    "B": {"role": "s", "duration": 1, "next": "end"},
                },
            },
            "staffing": {"r": 1, "s": 2},
            "roles": {"r": {"cost_per_hour": 10}, "s": {"cost_per_hour": 30}},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 3}},
            "case_types": {"a": {"share": 0.5}, "b": {"share": 0.5}},
        }
    )
    # case 0 (type a): A 0-2, B 2-3; case 1 (type b): A 2-3, B 3-7. Window [0, 10].
    visits = np.array(
        [
            [0, 0, 0, 0, 0, 2],
            [0, 1, 0, 2, 2, 3],
            [1, 0, 0, 1, 2, 3],
            [1, 1, 1, 3, 3, 7],
        ],
        dtype=float,
    )
    log = SimLog(
        visits,
        np.array([0.0, 1.0]),
        np.array([3.0, 7.0]),
        10.0,
        False,
        0,
        case_type=np.array([0, 1]),
    )
    table = compute_kpis(to_event_log(log, model, warmup=0.0), model)
    got = {(r.metric, r.entity): r.value for r in table.itertuples()}
    # r: paid 10 h x 10 = 100 for 3 h of work -> 100/3 per worked hour.
    # s: paid 2 x 10 h x 30 = 600 for 5 h of work -> 120 per worked hour.
    a = 2 * 100 / 3 + 1 + 1 * 120
    b = 1 * 100 / 3 + 1 + 4 * 120
    assert got[("type_cost_per_case", "a")] == pytest.approx(a)
    assert got[("type_cost_per_case", "b")] == pytest.approx(b)
    # Every paid hour and every execution is allocated to the two cases.
    assert a + b == pytest.approx(100 + 600 + 2)
    assert got[("cost_per_case", "")] == pytest.approx((100 + 600 + 2) / 2)


def test_a_process_without_any_role_runs() -> None:
    """Only pure delays (no role at all): the event log names no resources."""
    from procsim.model.validate import validate
    from procsim.study.runner import run_study

    model, run = validate(
        {
            "process": {"start": "a", "stages": {"a": {"role": None, "duration": 1.0}}},
            "staffing": {},
            "arrivals": {"interarrival": {"dist": "constant", "value": 1.0}},
            "run": {"horizon": 10, "replications": 2, "workers": 1},
        }
    )
    results = run_study({"current": model}, run)
    assert set(results.visits["resource"].astype(str)) == {""}
    # One case an hour, each an hour long: arrivals at 1..9 within the horizon of 10.
    arrived = results.kpis.query("metric == 'arrived'")["value"]
    assert (arrived == 9).all()


def test_abandoned_and_balked_cases_leave_the_work_in_progress() -> None:
    """One server, work 2 h, patience 1 h, room for one waiting case; window [0, 10].

    case 0 arrives 0, served 0-2; case 1 arrives 0.5, waits, gives up at 1.5; case 2 arrives 1
    and finds the queue full (balks at 1); case 3 arrives 3, served 3-5; case 4 arrives 9,
    served from 9, still open at 10.
    """
    from procsim.measure.warmup import wip_series
    from procsim.sim.records import ABANDONED, BALKED, COMPLETED, OPEN

    model = validate_model(
        {
            "process": {
                "stages": {
                    "A": {
                        "role": "r",
                        "duration": 2,
                        "patience": {"dist": "constant", "value": 1},
                        "queue_capacity": 1,
                    }
                }
            },
            "staffing": {"r": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 3}},
        }
    )
    visits = np.array(
        [
            [0, 0, 0, 0, 0, 2],
            [1, 0, -1, 0.5, NAN, NAN],  # gave up
            [2, 0, -1, 1, NAN, NAN],  # turned away
            [3, 0, 0, 3, 3, 5],
            [4, 0, 0, 9, 9, NAN],
        ],
        dtype=float,
    )
    log = SimLog(
        visits,
        arrival=np.array([0.0, 0.5, 1.0, 3.0, 9.0]),
        completion=np.array([2.0, NAN, NAN, 5.0, NAN]),
        end_time=10.0,
        truncated=False,
        replication=0,
        outcome=np.array([COMPLETED, ABANDONED, BALKED, COMPLETED, OPEN]),
        left=np.array([2.0, 1.5, 1.0, 5.0, NAN]),
    )
    elog = to_event_log(log, model, warmup=0.0)
    grid = np.array([0.0, 0.5, 1.0, 1.25, 1.5, 2.0, 4.0, 6.0, 9.5])
    # t=1: cases 0 and 1 (case 2 arrived and left at once); t=1.5: case 1 has gone; t=2: empty;
    # t=6: empty (not cases 1 and 2 "still waiting"); t=9.5: the open case 4.
    assert wip_series(elog.cases, grid).tolist() == [1, 2, 2, 2, 1, 0, 1, 0, 1]
    k = {(r.metric, r.entity): r.value for r in compute_kpis(elog, model).itertuples()}
    # Time in the system inside [0, 10]: 2 + 1 + 0 + 2 + 1 = 6 case-hours over 10 h.
    assert k[("wip_mean", "")] == pytest.approx(0.6)
    assert (k[("completed", "")], k[("abandoned", "")], k[("balked", "")]) == (2, 1, 1)
    assert k[("open", "")] == 1
    assert k[("abandonment_rate", "")] == pytest.approx(2 / 5)


def test_queue_blocking_and_abandonment_by_stage() -> None:
    """A stage with a one-place queue and patience: one case served, one gives up, one is
    turned away; the queue length counts the waiting of the one who gave up."""
    model = validate_model(
        {
            "process": {
                "stages": {
                    "A": {
                        "role": "r",
                        "duration": 4,
                        "queue_capacity": 1,
                        "patience": {"dist": "expon", "mean": 2},
                    }
                }
            },
            "staffing": {"r": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 3}},
        }
    )
    visits = np.array(
        [
            [0, 0, 0, 0, 0, 4],  # served 0-4
            [1, 0, -1, 1, NAN, NAN],  # waits from 1, gives up at 3
            [2, 0, -1, 2, NAN, NAN],  # queue full at 2: turned away
            [3, 0, -1, 5, 5, NAN],  # in service at the end
        ]
    )
    log = SimLog(
        visits,
        np.array([0.0, 1.0, 2.0, 5.0]),
        np.array([4.0, NAN, NAN, NAN]),
        10.0,
        False,
        0,
        outcome=np.array([1, 2, 3, 0]),
        left=np.array([4.0, 3.0, 2.0, NAN]),
    )
    k = {
        (r.metric, r.entity): r.value
        for r in compute_kpis(to_event_log(log, model, warmup=0.0), model).itertuples()
    }
    assert k[("queue_mean", "A")] == pytest.approx(2 / 10)  # 1 to 3
    assert k[("role_queue_mean", "r")] == pytest.approx(2 / 10)
    assert k[("blocked_share", "A")] == pytest.approx(1 / 4)
    assert k[("abandoned_share", "A")] == pytest.approx(1 / 4)
    assert k[("abandonment_rate", "")] == pytest.approx(2 / 4)  # both causes together
    # No stage is marked value-adding: cycle efficiency is not measured (not a 0).
    assert ("cycle_efficiency", "") not in k
