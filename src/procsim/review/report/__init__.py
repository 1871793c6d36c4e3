"""The feasibility-review report: one self-contained HTML page and a Markdown twin per run.

Reads only what a run saved in its folder (``run.json``, ``tables/``, ``resolved/`` and
``figures/``) and never simulates, so ``procsim-report <run folder>`` can rebuild the report
of any past run. :mod:`~procsim.review.report.run_folder` reads the folder, one module per
section builds its blocks (:mod:`~procsim.review.report.blocks`),
:mod:`~procsim.review.report.build` assembles and writes them, rendered by
:mod:`~procsim.review.report.html_page` and :mod:`~procsim.review.report.markdown_page`
(:mod:`~procsim.review.report.render` for the other reports' documents).
"""
