"""``python -m procsim`` runs the ``procsim`` command."""

from procsim.cli.main import main

main()
