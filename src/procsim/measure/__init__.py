"""Measurement: event logs to KPI tables (one module per KPI family), statistics over
replications, the warm-up estimate and analytic estimates. Reads logs, never the engine."""
