"""``skriptoteket audit``: read the append-only audit log (GOV-06)."""

from __future__ import annotations

import click
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.audit import AuditAction, AuditEntry
from skriptoteket.domain.errors import validation_error

from skriptoteket_cli.state import CliState, actor_option, pass_state, resolve_actor


def _parse_action(raw: str | None) -> AuditAction | None:
    if raw is None:
        return None
    try:
        return AuditAction(raw)
    except ValueError:
        allowed = ", ".join(a.value for a in AuditAction)
        raise validation_error(f"Unknown action {raw!r}; use one of: {allowed}") from None


@click.command("audit")
@click.option("--action", "action_name", default=None, help="Only this action, e.g. user.created.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@actor_option
@pass_state
def audit(state: CliState, action_name: str | None, limit: int, actor_email: str | None) -> None:
    """Show the newest audit entries: when, who, what, on which subject."""
    action = _parse_action(action_name)

    async def work(app: Skriptoteket) -> list[AuditEntry]:
        actor = await resolve_actor(app, actor_email)
        return list(await app.list_audit_log(actor, action=action, limit=limit))

    entries = state.run(work)
    if not entries:
        click.echo("The audit log is empty.")
        return
    for e in entries:
        details = " ".join(f"{k}={v}" for k, v in sorted(e.details.items()) if v is not None)
        when = e.occurred_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{when}  {e.actor_label:<30}  {e.action.value:<26}  "
            f"{e.subject_type.value}:{e.subject_id}  {details}"
        )
