"""procsim's figure style: sizes, fonts, legends, axis labels, and writing a figure to a file.

The bottom of the figures: every figure module draws under :func:`styled` on a
:func:`new_figure` and is written by :func:`save_figure` (called by
:mod:`procsim.review.figures.run_figures` and the fit and validation reports).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from matplotlib.typing import RcKeyType

from procsim.files import atomic_write
from procsim.review.terminal import level_text

#: Width of every figure in inches (fits a printed page with margins).
WIDTH = 7.0
DPI = 150
#: Tallest figure (inches): at 7 in wide it still prints at full width on A4 (the report's
#: print style allows figures 240 mm high), so its text keeps its size on paper.
MAX_HEIGHT = 9.7

_STYLE: dict[RcKeyType, Any] = {
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "axes.grid": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "errorbar.capsize": 2.5,
    "svg.hashsalt": "procsim",  # stable SVG ids: the same run gives the same file
}
_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Percent ticks for axes that run from 0 to 100.
PERCENT = PercentFormatter(xmax=100, decimals=0)
#: Day names under the hours of a week (Monday first, as the calendars count them).
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Build the figure under procsim's style (font sizes, light grid), leaving rcParams be."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context(_STYLE):
            return func(*args, **kwargs)

    return wrapper


def new_figure(height: float) -> Figure:
    """A figure of the common width, laid out so that labels and legends never overlap."""
    return Figure(figsize=(WIDTH, height), layout="constrained")


def time_label(time_unit: str) -> str:
    """The model's time unit for an axis label."""
    return time_unit or "time units"


def ci_label(level: float) -> str:
    """``95% CI`` for an axis label."""
    return f"{level_text(level)} CI"


def text_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    lum = sum(
        w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        for w, c in zip((0.2126, 0.7152, 0.0722), to_rgb(background), strict=True)
    )
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def week_axis(ax: Axes) -> None:
    """An x axis over the 168 hours of a week: day boundaries as gridlines, day names centred
    under their day."""
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(0, 169, 24), labels=[""] * 8)
    ax.set_xticks(np.arange(12, 168, 24), labels=list(DAYS), minor=True)
    ax.tick_params(axis="x", which="minor", length=0)


def _legend_columns(labels: Sequence[str], width: float = WIDTH) -> int:
    """As many legend columns as fit the figure width (estimated from the label lengths)."""
    available = width * 72 - 24  # points
    for ncols in range(len(labels), 1, -1):
        rows = -(-len(labels) // ncols)
        columns = [labels[i : i + rows] for i in range(0, len(labels), rows)]
        needed = sum(max(len(x) for x in c) * 5.8 + 48 for c in columns)
        if needed <= available:
            return ncols
    return 1


def legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """The legend under the axes, so it never covers data."""
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=_legend_columns(labels))


def save_figure(fig: Figure, path: Path, fmt: str | None = None) -> None:
    """Write ``fig`` to ``path`` atomically (PNG at 150 dpi, stable metadata).

    Parameters
    ----------
    fig
        The figure.
    path
        Target file; its suffix gives the format unless ``fmt`` is given.
    fmt
        ``png``, ``svg``, ``pdf``, ...
    """
    fmt = fmt or path.suffix.lstrip(".")
    metadata: dict[str, Any] = {"Date": None} if fmt in ("svg", "pdf") else {}
    with mpl.rc_context(_STYLE):
        atomic_write(
            path,
            lambda p: fig.savefig(p, format=fmt, dpi=DPI, metadata=metadata, facecolor="white"),
        )
