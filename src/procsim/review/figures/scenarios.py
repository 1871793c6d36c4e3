"""Scenarios in figures: their order (the current process first) and their colours.

Each scenario keeps its colour in every figure of a run, the current process always grey:
:func:`procsim.review.figures.run_figures.make_figures` picks the colours once and hands them
to every ``plot_*`` function, which fills in any scenario it was not given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from procsim.model.process import BASELINE

#: Colour of the current process (always the same) and of the redesigns, in order
#: (Okabe-Ito palette: distinguishable with colour-vision deficiencies and in grey print).
BASELINE_COLOR = "#6E6E6E"
PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#000000",
)


def scenario_colors(scenarios: Iterable[str]) -> dict[str, str]:
    """A colour per scenario: grey for the current process, the palette for redesigns.

    Parameters
    ----------
    scenarios
        Scenario labels in run order (the current process may be missing, e.g. for the
        comparison table, and redesigns keep their colour all the same).

    Returns
    -------
    dict
        Label -> colour (hex string).
    """
    colors: dict[str, str] = {}
    redesigns = 0
    for s in dict.fromkeys(scenarios):
        if s == BASELINE:
            colors[s] = BASELINE_COLOR
        else:
            colors[s] = PALETTE[redesigns % len(PALETTE)]
            redesigns += 1
    return colors


def scenario_order(frame: pd.DataFrame) -> list[str]:
    """Scenario labels in order of first appearance, the current process first."""
    labels = [str(s) for s in pd.unique(frame["scenario"])]
    return sorted(labels, key=lambda s: s != BASELINE)


def colors_for(colors: Mapping[str, str] | None, scenarios: Sequence[str]) -> dict[str, str]:
    """The colours given, and :func:`scenario_colors` for any scenario they leave out."""
    auto = scenario_colors(scenarios)
    return {s: (colors or {}).get(s, auto[s]) for s in scenarios}
