"""The web host's own plugin.

Routes are contributed through ``skriptoteket_register_web_routes``; the ``serve`` command
through the CLI's ``skriptoteket_register_cli_commands`` (optional: hosts without the CLI
ignore it).
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from skriptoteket.plugins.markers import hookimpl

from skriptoteket_web.cli import serve


@hookimpl(optionalhook=True)
def skriptoteket_register_cli_commands() -> Iterable[click.Command]:
    yield serve
