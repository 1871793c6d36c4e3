"""``python -m procsim`` runs the ``procsim`` command."""

from procsim.cli import main

main()
