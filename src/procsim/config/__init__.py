"""Configuration: the workspace, Hydra composition of processes, scenarios and overrides.

With :mod:`procsim.cli`, the only place that imports Hydra or OmegaConf."""
