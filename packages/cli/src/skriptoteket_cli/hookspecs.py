"""CLI hookspecs: plugins contribute ``skriptoteket`` sub-commands.

Implement with ``@hookimpl(optionalhook=True)`` so the plugin also loads in hosts without the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from skriptoteket.plugins.markers import hookspec


@hookspec
def skriptoteket_register_cli_commands() -> Iterable[click.Command]:
    """Contribute top-level commands (or groups) to the ``skriptoteket`` CLI.

    Example::

        @hookimpl(optionalhook=True)
        def skriptoteket_register_cli_commands():
            yield click.Command("hello", callback=lambda: click.echo("Hej!"))
    """
    raise NotImplementedError
