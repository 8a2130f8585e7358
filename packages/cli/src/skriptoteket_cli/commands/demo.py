"""``skriptoteket demo``: a ready-to-try installation on the embedded default (SQLite)."""

from __future__ import annotations

import click

from skriptoteket_cli.commands.db import mask_url
from skriptoteket_cli.demo_data import DemoAccount, seed_demo
from skriptoteket_cli.state import CliState, pass_state


@click.command("demo")
@pass_state
def demo(state: CliState) -> None:
    """Set up the database with demo accounts and a published demo tool, and show what to try.

    The web app arrives with the web issue; until then the demo is driven from this CLI.
    """
    backend = state.plugins.select_repository(state.settings)
    if backend.migrations is not None:
        backend.migrations(state.settings).upgrade("head")
    accounts: list[DemoAccount] = state.run(seed_demo)
    click.echo(f"Skriptoteket demo database: {mask_url(state.settings.database_url)}")
    click.echo("Demo accounts (role, e-mail, password):")
    for account in accounts:
        click.echo(f"  {account.role.value:<11}  {account.email:<38}  {account.password}")
    click.echo("")
    click.echo("Try:")
    click.echo("  uv run skriptoteket users list")
    click.echo("  uv run skriptoteket audit")
    click.echo("  uv run skriptoteket plugins")
    click.echo("  uv run skriptoteket users token larare@demo.skriptoteket.se")
