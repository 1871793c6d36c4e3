"""Measurement: event logs to KPI tables, the KPI catalogue, statistics over replications and
analytic estimates. Reads logs, never the engine."""
