"""Arrivals: the ``arrivals`` section -> how cases arrive, by gaps or by a weekly rate.

Part of validation (:mod:`procsim.model.validate` assembles it): either an inter-arrival
distribution (read by :mod:`procsim.model.distributions`) or arrivals per hour by day and hour
of the week (read by :mod:`procsim.model.arrival_rates`), never both. The result feeds the
model, from which the engine draws the arrival times.
"""

from __future__ import annotations

from procsim.model.arrival_rates import parse_rate_profile
from procsim.model.calendar import Calendar, WeeklyProfile
from procsim.model.distribution_families import Distribution
from procsim.model.distributions import parse_distribution
from procsim.model.issues import Collector
from procsim.model.units import UNIT_HOURS

ARRIVAL_KEYS = ("interarrival", "rate")


def build_arrivals(
    value: object, unit: str, calendar: Calendar, c: Collector
) -> tuple[Distribution | None, WeeklyProfile | None]:
    """The ``arrivals`` section -> an inter-arrival distribution or a rate profile.

    Parameters
    ----------
    value
        The ``arrivals`` mapping of the config.
    unit
        The process time unit.
    calendar
        The process calendar, for a rate profile.
    c
        Collects every problem found.

    Returns
    -------
    (Distribution or None, WeeklyProfile or None)
        At most one of them; the profile counts arrivals per process time unit. Both None when
        the section has problems.
    """
    arrivals = c.mapping(
        value,
        "arrivals",
        allowed=ARRIVAL_KEYS,
        example="{interarrival: {dist: expon, mean: 1}} or {rate: {mon-fri: 4}}",
    )
    interarrival: Distribution | None = None
    profile: WeeklyProfile | None = None
    has_gap, has_rate = arrivals.get("interarrival") is not None, arrivals.get("rate") is not None
    if has_gap and has_rate:
        c.add(
            "arrivals",
            "give either an inter-arrival distribution or a rate profile, not both",
            "interarrival or rate",
            "both",
            "remove one with arrivals.<key>: null",
        )
    elif has_gap:
        interarrival = parse_distribution(
            arrivals["interarrival"], "arrivals.interarrival", unit, c.issues
        )
        if interarrival is not None and interarrival.mean <= 0:
            c.add(
                "arrivals.interarrival",
                "mean time between arrivals must be positive",
                "a distribution with mean > 0",
                interarrival.describe(),
            )
            interarrival = None
    elif has_rate:
        per_hour = parse_rate_profile(arrivals["rate"], "arrivals.rate", calendar, c.issues)
        # Rates are written per hour; the engine works per time unit.
        profile = per_hour.scaled(UNIT_HOURS[unit]) if per_hour is not None else None
    elif arrivals or value is not None:
        c.add(
            "arrivals.interarrival",
            "missing",
            "a distribution such as {dist: expon, mean: 1}, or arrivals.rate by hour of week",
            "nothing",
        )
    return interarrival, profile
