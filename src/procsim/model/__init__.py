"""The process model: schema checks (every problem at once), the frozen ``Model``, distributions,
calendars and units.

Knows nothing of how a model is simulated or measured."""
