"""Discovering batches: activities whose instances end at a few recurring weekly moments.

Part of discovery (:mod:`procsim.mining.activities` asks it per activity): work released all at
once (a nightly run, a weekly meeting) shows as many instances ending at the same time. Such an
activity becomes a batch stage with release times in the config; its waiting is then the wait
for the release, not a delay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procsim.mining.week import DAY_NAMES

#: An activity is a batch when its instances end at fewer distinct moments than this share of
#: them, and a few weekly times (at most BATCH_MAX_TIMES) hold BATCH_COVER of them.
BATCH_DISTINCT = 0.1
BATCH_COVER = 0.85
BATCH_MAX_TIMES = 14


def batch_times(ends: pd.Series) -> tuple[tuple[str, ...], str]:
    """Weekly release times of an activity whose instances end at a few recurring moments.

    Parameters
    ----------
    ends
        When the activity's instances ended.

    Returns
    -------
    tuple
        The release times (``"mon 17:30"``), in the order of the week, and a note saying how
        they were seen; ``((), "")`` for an activity that is no batch.
    """
    n = len(ends)
    if n < 50 or ends.nunique() > BATCH_DISTINCT * n:
        return (), ""
    moment = ends.dt.round("5min")
    slots = (moment.dt.day_of_week.astype(str) + " " + moment.dt.strftime("%H:%M")).value_counts()
    share = slots / n
    cumulative = share.cumsum()
    k = int(np.searchsorted(cumulative.to_numpy(), BATCH_COVER) + 1)
    if k > BATCH_MAX_TIMES or k > len(slots):
        return (), ""
    chosen = sorted(slots.index[:k], key=lambda s: (int(s.split()[0]), s.split()[1]))
    times = tuple(f"{DAY_NAMES[int(d)]} {hm}" for d, hm in (c.split() for c in chosen))
    note = (
        f"{n:,} instances end at {ends.nunique():,} distinct moments; "
        f"{cumulative.iloc[k - 1]:.0%} of them at these weekly times"
    )
    return times, note
