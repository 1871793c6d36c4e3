"""Studies: the public API (``run``, ``Results``), replications in worker processes, cluster
backends, sweeps, the staffing search and reproduction."""
