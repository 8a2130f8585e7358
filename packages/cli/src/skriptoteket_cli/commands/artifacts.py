"""``skriptoteket artifacts prune`` (RUN-28, CLI-05): cron-friendly retention."""

from __future__ import annotations

import click
from skriptoteket.application.container import Skriptoteket

from skriptoteket_cli.state import CliState, actor_option, pass_state, resolve_actor


@click.group()
def artifacts() -> None:
    """Manage stored run outputs."""


@artifacts.command("prune")
@click.option(
    "--retention-days",
    "--days",
    "days",
    type=int,
    default=None,
    help="Delete outputs of runs older than this (default: "
    "SKRIPTOTEKET_ARTIFACTS_RETENTION_DAYS, 7).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be done; delete nothing.")
@actor_option
@pass_state
def prune(state: CliState, days: int | None, dry_run: bool, actor_email: str | None) -> None:
    """Delete stored artifacts of runs older than the retention period."""
    retention = state.settings.artifacts_retention_days if days is None else days
    root = state.settings.artifacts_dir
    if dry_run:
        click.echo(
            f"Dry run: would prune artifact directories under {root} older than {retention} days."
        )
        return

    async def work(app: Skriptoteket) -> int:
        actor = await resolve_actor(app, actor_email)
        return await app.prune_artifacts(actor, days=retention)

    deleted = state.run(work, execution=True)
    click.echo(f"Deleted {deleted} artifact run directories from {root}.")
