"""Named, seeded random streams: the only source of randomness in procsim.

Sits under the engine. Every stream (arrivals, each stage's durations, each stage's routing)
gets its own generator from ``SeedSequence(seed, spawn_key=(replication, crc32(name)))``. Keyed
by name, so a redesign that adds or removes a stage shifts no other stream: the current process
and the redesign see the same arrivals and the same draws for the stages they share, in every
replication (common random numbers). Same seed, same bytes, whatever the number of workers.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Iterator

import numpy as np

#: Variates drawn per block; draws are identical whatever the block size.
BLOCK = 4096


def stable_hash(name: str) -> int:
    """A 32-bit hash of a stream name that is the same in every process and Python version."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` in ``replication``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, stable_hash(name)))
    return np.random.Generator(np.random.PCG64(sequence))


def uniform_blocks(
    rng: np.random.Generator, transform: Callable[[np.ndarray], np.ndarray], block: int = BLOCK
) -> Iterator[float]:
    """An endless iterator of ``transform(uniforms)``, drawn in blocks.

    ``next()`` on the result is a C-level call, which keeps drawing cheap in the engine's loop.
    """

    def blocks() -> Iterator[list[float]]:
        while True:
            yield transform(rng.random(block)).tolist()

    return itertools.chain.from_iterable(blocks())
