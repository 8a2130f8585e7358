"""``skriptoteket db upgrade | current | downgrade REV``."""

from __future__ import annotations

import re

import click
from skriptoteket.ports.schema import SchemaMigrations

from skriptoteket_cli.errors import fail
from skriptoteket_cli.state import CliState, pass_state


def mask_url(url: str) -> str:
    """Hide the password in ``scheme://user:password@host/db``."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _migrations(state: CliState) -> SchemaMigrations:
    """The backend's migrations with the plugins' branches (e.g. the Procrastinate queue's)."""
    migrations = state.plugins.migrations(state.settings)
    if migrations is None:
        backend = state.plugins.select_repository(state.settings)
        fail(f"The {backend.name!r} database backend has no schema to migrate")
    return migrations


@click.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command()
@click.argument("revision", default="head")
@pass_state
def upgrade(state: CliState, revision: str) -> None:
    """Upgrade the schema (to head by default)."""
    migrations = _migrations(state)
    migrations.upgrade(revision)
    click.echo(
        f"Database {mask_url(state.settings.database_url)} is at revision "
        f"{migrations.current()} (head: {migrations.head()})"
    )


@db.command()
@pass_state
def current(state: CliState) -> None:
    """Show the applied schema revision."""
    migrations = _migrations(state)
    revision = migrations.current()
    head = migrations.head()
    if revision is None:
        click.echo(f"(empty) — run: skriptoteket db upgrade (head: {head})")
    else:
        click.echo(f"{revision}{' (head)' if revision == head else f' (head: {head})'}")


@db.command()
@click.argument("revision")
@pass_state
def downgrade(state: CliState, revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` removes everything)."""
    migrations = _migrations(state)
    migrations.downgrade(revision)
    click.echo(
        f"Database {mask_url(state.settings.database_url)} is at revision "
        f"{migrations.current() or '(empty)'}"
    )
