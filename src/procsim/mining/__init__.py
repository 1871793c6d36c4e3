"""Process mining: reading event logs, discovering and fitting a current process, writing it as
YAML, and comparing a simulation with a real log."""
