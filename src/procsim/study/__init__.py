"""Studies: the public API (``run``, ``Results``), the rounds of replications (in this process,
in worker processes or on a cluster), the comparison of the redesigns, sweeps, the staffing
search and reproduction."""
