"""Figures: drawn from the saved tables of a run (or a sweep), never from the simulator.

Sits after the statistics and before the report in the data flow::

    metrics -> stats -> tables in the run folder (Results.save) -> figures -> report

One module per family of figures, each with a ``plot_<name>`` function that takes plain pandas
tables and returns a :class:`matplotlib.figure.Figure` (for notebooks, too); figures are built
on ``Figure`` objects directly: no pyplot, no global state, no display needed.
:mod:`~procsim.review.figures.run_figures` draws all of a run folder, under the style, sizes
and colours of :mod:`~procsim.review.figures.style` and
:mod:`~procsim.review.figures.scenarios`.
"""
