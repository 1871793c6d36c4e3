"""The command line: ``procsim`` and its companion commands."""
