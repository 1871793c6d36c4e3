"""Discovering parallel work: two activities of a case done at the same time.

Part of discovery, last (:func:`procsim.mining.discover.discover` calls it with the
directly-follows counts of :mod:`procsim.mining.routing`): pairs of activities whose intervals
overlap in most of the cases that have both become a block, split by the step before them and
joined at the step after them, when the routing around them says so. The YAML writer writes a
block as ``next: {parallel: [a, b], join: c}``.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from procsim.mining.process_fit import ParallelBlock

#: Two activities are parallel when they overlap in time in at least this share of the cases
#: that have both (and in at least PARALLEL_MIN_CASES cases).
PARALLEL_OVERLAP = 0.5
PARALLEL_MIN_CASES = 10
#: A parallel block is modelled when this share of the work around it follows the block.
PARALLEL_SUPPORT = 0.8


def parallel_blocks(
    ev: pd.DataFrame, edges: dict[str, Counter[str]], notes: list[str]
) -> list[ParallelBlock]:
    """Pairs of activities whose intervals overlap systematically, with the activity before
    them (the split) and after them (the join) when the log's routing supports it.

    Parameters
    ----------
    ev
        The log, with the activity keys in ``key``.
    edges
        The directly-follows counts (:func:`procsim.mining.routing.successor_counts`).
    notes
        What the analyst should know; a note per overlapping pair says how it was modelled.

    Returns
    -------
    list of ParallelBlock
        No activity in two blocks.
    """
    cols = ["case_id", "key", "start_time", "end_time"]
    work = ev.loc[ev["end_time"] > ev["start_time"], cols]
    pairs = work.merge(work, on="case_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["key_a"] < pairs["key_b"]]
    if pairs.empty:
        return []
    pairs = pairs.assign(
        overlap=(pairs["start_time_a"] < pairs["end_time_b"])
        & (pairs["start_time_b"] < pairs["end_time_a"])
    )
    both: dict[tuple[str, str], int] = {
        (str(k[0]), str(k[1])): int(v)  # type: ignore[index]
        for k, v in pairs.groupby(["key_a", "key_b"])["case_id"].nunique().items()
    }
    counted = pairs[pairs["overlap"]].groupby(["key_a", "key_b"])["case_id"].nunique()
    over = sorted(
        (((str(k[0]), str(k[1])), int(v)) for k, v in counted.items()),  # type: ignore[index]
        key=lambda kv: -kv[1],
    )
    blocks: list[ParallelBlock] = []
    used: set[str] = set()
    for (a, b), n_over in over:
        n_both = both[(a, b)]
        share = n_over / n_both
        if n_over < PARALLEL_MIN_CASES or share < PARALLEL_OVERLAP or {a, b} & used:
            continue
        into = Counter[str]()
        for p, out in edges.items():
            if p not in (a, b):
                into[p] = out[a] + out[b]
        split = into.most_common(1)[0][0] if into and into.most_common(1)[0][1] else None
        after = edges[a] + edges[b]
        join = next((k for k, _ in after.most_common() if k not in (a, b, "end")), None)
        text = f"{a} and {b} overlap in time in {share:.0%} of the {n_both:,} cases with both"
        if split is None or join is None:
            notes.append(text + "; no common step before and after them: modelled in sequence")
            continue
        split_share = into[split] / max(sum(edges[split].values()), 1)
        join_share = (after[join] + after[a] + after[b]) / max(sum(after.values()), 1)
        if split_share < PARALLEL_SUPPORT or join_share < PARALLEL_SUPPORT:
            notes.append(
                text + f"; the steps around them vary too much ({split_share:.0%} of {split} "
                f"goes to them, {join_share:.0%} of their work goes on to {join}): modelled "
                "in sequence"
            )
            continue
        notes.append(
            text + f": modelled as parallel work after {split}, joined at {join} "
            f"(every {split} starts both; {1 - split_share:.0%} of its other routing is dropped)"
        )
        blocks.append(ParallelBlock(split, (str(a), str(b)), join, share, n_both))
        used |= {str(a), str(b), split, join}
    return blocks
