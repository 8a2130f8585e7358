"""``python -m skriptoteket_cli`` runs the same command as ``skriptoteket``."""

from skriptoteket_cli.main import main

main()
