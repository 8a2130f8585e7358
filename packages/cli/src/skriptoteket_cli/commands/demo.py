"""``skriptoteket demo``: a ready-to-try installation on the embedded default (SQLite)."""

from __future__ import annotations

import attrs
import click

from skriptoteket_cli.commands.db import mask_url
from skriptoteket_cli.demo_data import DemoAccount, seed_demo
from skriptoteket_cli.state import CliState, pass_state

DEMO_URL = "http://127.0.0.1:8000"


@click.command("demo")
@click.option(
    "--serve/--no-serve",
    "start_site",
    default=True,
    help="Start the web site after seeding (when the web package is installed).",
)
@click.pass_context
@pass_state
def demo(state: CliState, ctx: click.Context, start_site: bool) -> None:
    """Set up the database with demo accounts and published demo tools, then start the site
    on http://127.0.0.1:8000 (with --no-serve: only seed and show what to try)."""
    migrations = state.plugins.migrations(state.settings)
    if migrations is not None:
        migrations.upgrade("head")
    accounts: list[DemoAccount] = state.run(seed_demo)
    click.echo(f"Skriptoteket demo database: {mask_url(state.settings.database_url)}")
    click.echo("Demo accounts (role, e-mail, password):")
    for account in accounts:
        click.echo(f"  {account.role.value:<11}  {account.email:<38}  {account.password}")
    click.echo("")
    root = ctx.find_root()
    assert isinstance(root.command, click.Group)
    serve = root.command.get_command(ctx, "serve")
    if start_site and serve is not None:
        click.echo(f"Open {DEMO_URL} and log in with one of the accounts above.")
        click.echo("")
        if not state.settings.log_format:  # a person reads the demo's terminal: text lines
            root.obj = attrs.evolve(state, settings=attrs.evolve(state.settings, log_format="text"))
        ctx.invoke(serve, host="127.0.0.1", port=8000)
        return
    click.echo("Try:")
    click.echo("  uv run skriptoteket users list")
    click.echo("  uv run skriptoteket audit")
    click.echo("  uv run skriptoteket plugins")
    click.echo("  uv run skriptoteket users token larare@demo.skriptoteket.se")
