"""The random draws of one replication, by what they decide: times between arrivals, case
types, durations, routes and patience.

Sits between :mod:`procsim.sim.streams` (one seeded generator per named stream) and its users:
:mod:`procsim.sim.plans` (durations and routes per virtual stage) and the engine (arrivals,
case types, patience). Each draw is an endless iterator over blocks of variates, so that the
engine's ``next()`` on it is a C-level call. The stream names are part of the results: a name
selects the numbers, so common random numbers hold between a process and its redesign.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from procsim.model.process import Model
from procsim.sim.streams import BLOCK, generator, uniform_blocks


def arrival_delays(model: Model, seed: int, replication: int) -> Iterator[float]:
    """Times between arrivals: i.i.d. draws, or a non-homogeneous Poisson process by inversion
    of the cumulative rate (exact for a piecewise-constant profile).

    Parameters
    ----------
    model
        The validated model.
    seed, replication
        Select the ``arrivals`` stream.

    Returns
    -------
    Iterator[float]
        The delay before the first arrival, then between each arrival and the next.
    """
    rng = generator(seed, replication, "arrivals")
    profile = model.arrival_profile
    if profile is None:
        assert model.interarrival is not None
        return uniform_blocks(rng, model.interarrival.ppf)

    def blocks() -> Iterator[list[float]]:
        level = 0.0
        last = 0.0
        while True:
            cumulative = level + np.cumsum(-np.log1p(-rng.random(BLOCK)))
            level = float(cumulative[-1])
            times = profile.inverse_integral(cumulative)
            yield np.diff(times, prepend=last).tolist()
            last = float(times[-1])

    return itertools.chain.from_iterable(blocks())


def case_type_draws(model: Model, seed: int, replication: int) -> Iterator[Any] | None:
    """The type of each arriving case, by the types' shares (None with a single type).

    Parameters
    ----------
    model
        The validated model.
    seed, replication
        Select the ``case_type`` stream.

    Returns
    -------
    Iterator[int] or None
        Case type ids, one per arrival.
    """
    types = model.case_types
    if len(types) <= 1:
        return None
    shares = np.cumsum([t.share for t in types])
    shares = shares / shares[-1]
    shares[-1] = np.inf
    return uniform_blocks(
        generator(seed, replication, "case_type"),
        lambda u: np.searchsorted(shares, u, side="right"),
    )


def duration_draws(model: Model, seed: int, replication: int) -> list[list[Iterator[float]]]:
    """Visit durations per case type and stage.

    A stage's own duration is one stream shared by every type that does not override it (stream
    ``duration/<stage>``); an override has its own (``duration/<stage>/<type>``).

    Parameters
    ----------
    model
        The validated model.
    seed, replication
        Select the streams.

    Returns
    -------
    list[list[Iterator[float]]]
        ``draws[type id][stage id]``.
    """
    shared = [
        uniform_blocks(generator(seed, replication, f"duration/{s.name}"), s.duration.ppf)
        for s in model.stages
    ]
    draws = []
    for ctype in model.case_types:
        own = list(shared)
        for stage in model.stages:
            if stage.id in ctype.durations:
                dist = ctype.durations[stage.id]
                name = f"duration/{stage.name}/{ctype.name}"
                own[stage.id] = uniform_blocks(generator(seed, replication, name), dist.ppf)
        draws.append(own)
    return draws


def route_draws(
    seed: int, replication: int, name: str, successors: np.ndarray, probabilities: Sequence[float]
) -> Iterator[Any]:
    """The successor of each visit of an XOR choice, drawn by its probabilities.

    Parameters
    ----------
    seed, replication
        Select the stream.
    name
        The stream's name (``route/<stage>``, with ``/<type>`` when there are several types).
    successors
        Candidate successors (virtual stage ids or ``EXIT``).
    probabilities
        Their probabilities (normalised here).

    Returns
    -------
    Iterator[int]
        One successor per visit.
    """
    cum = np.cumsum(probabilities)
    cum = cum / cum[-1]
    cum[-1] = np.inf

    def pick(u: np.ndarray) -> np.ndarray:
        return successors[np.searchsorted(cum, u, side="right")]

    return uniform_blocks(generator(seed, replication, name), pick)


def patience_draws(model: Model, seed: int, replication: int) -> list[Iterator[float] | None]:
    """How long each customer waits before abandoning, per stage (None where nobody abandons).

    Parameters
    ----------
    model
        The validated model.
    seed, replication
        Select the ``patience/<stage>`` streams.

    Returns
    -------
    list[Iterator[float] | None]
        Indexed by stage id.
    """
    return [
        uniform_blocks(generator(seed, replication, f"patience/{s.name}"), s.patience.ppf)
        if s.patience is not None
        else None
        for s in model.stages
    ]
