"""A Hydra launcher that runs procsim's sweep jobs as Ray tasks (``hydra/launcher=ray``)."""
