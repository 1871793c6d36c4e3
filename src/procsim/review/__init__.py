"""Review: figures, process maps, the report and terminal tables, all drawn from saved tables."""
