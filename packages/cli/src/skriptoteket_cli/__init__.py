"""The ``skriptoteket`` command-line interface (click)."""
