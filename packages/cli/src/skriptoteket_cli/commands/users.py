"""``skriptoteket bootstrap-superuser`` and ``skriptoteket users …`` (ID-10, ID-22, AMB-16/17)."""

from __future__ import annotations

import click
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import Role, User

from skriptoteket_cli.state import CliState, actor_option, pass_state, resolve_actor

password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new account's password (prompted, hidden, when left out).",
)


@click.command("bootstrap-superuser")
@click.option("--email", required=True, help="The superuser's email address.")
@password_option
@click.option("--force", is_flag=True, help="Create it even though a superuser exists.")
@pass_state
def bootstrap_superuser(state: CliState, email: str, password: str, force: bool) -> None:
    """Create the first superuser (refuses when one exists, unless --force)."""
    user = state.run(
        lambda app: app.bootstrap_superuser(email=email, password=password, force=force)
    )
    click.echo(f"Created superuser: {user.email} ({user.id})")


@click.group()
def users() -> None:
    """Manage accounts: add, list, set-role, set-password, deactivate, reactivate, token."""


@users.command("add")
@click.option("--email", required=True)
@password_option
@click.option(
    "--role",
    "role_name",
    default="user",
    show_default=True,
    help="user, contributor, admin or superuser.",
)
@actor_option
@pass_state
def add_user(
    state: CliState, email: str, password: str, role_name: str, actor_email: str | None
) -> None:
    """Create a local account."""
    role = Role.parse(role_name)

    async def work(app: Skriptoteket) -> User:
        actor = await resolve_actor(app, actor_email)
        return await app.create_user(actor, email=email, password=password, role=role)

    user = state.run(work)
    click.echo(f"Created user: {user.email} ({user.role.value}) ({user.id})")


@users.command("list")
@actor_option
@pass_state
def list_users(state: CliState, actor_email: str | None) -> None:
    """List every account."""

    async def work(app: Skriptoteket) -> list[User]:
        actor = await resolve_actor(app, actor_email)
        return list(await app.list_users(actor))

    found = state.run(work)
    if not found:
        click.echo("No users yet. Create one with: skriptoteket bootstrap-superuser --email E")
        return
    width = max(len(u.email) for u in found)
    click.echo(f"{'EMAIL':<{width}}  {'ROLE':<11}  {'ACTIVE':<6}  CREATED")
    for u in found:
        created = u.created_at.strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{u.email:<{width}}  {u.role.value:<11}  "
            f"{'yes' if u.is_active else 'no':<6}  {created}"
        )


@users.command("set-role")
@click.argument("email")
@click.argument("role_name", metavar="ROLE")
@actor_option
@pass_state
def set_role(state: CliState, email: str, role_name: str, actor_email: str | None) -> None:
    """Change EMAIL's role to ROLE (audited)."""
    role = Role.parse(role_name)

    async def work(app: Skriptoteket) -> User:
        actor = await resolve_actor(app, actor_email)
        return await app.change_user_role(actor, email=email, role=role)

    user = state.run(work)
    click.echo(f"{user.email} now has role {user.role.value}")


@users.command("deactivate")
@click.argument("email")
@actor_option
@pass_state
def deactivate(state: CliState, email: str, actor_email: str | None) -> None:
    """Deactivate EMAIL: no more logins, sessions or tokens (audited; nothing is deleted)."""

    async def work(app: Skriptoteket) -> User:
        actor = await resolve_actor(app, actor_email)
        return await app.deactivate_user(actor, email=email)

    user = state.run(work)
    click.echo(f"{user.email} is deactivated")


@users.command("reactivate")
@click.argument("email")
@actor_option
@pass_state
def reactivate(state: CliState, email: str, actor_email: str | None) -> None:
    """Reactivate EMAIL after a deactivation: logins work again (audited)."""

    async def work(app: Skriptoteket) -> User:
        actor = await resolve_actor(app, actor_email)
        return await app.reactivate_user(actor, email=email)

    user = state.run(work)
    click.echo(f"{user.email} is active again")


@users.command("set-password")
@click.argument("email")
@click.option(
    "--password",
    prompt="New password",
    hide_input=True,
    confirmation_prompt=True,
    help="The new password (prompted twice, hidden, when left out; on the command line it "
    "is visible to other users of the machine).",
)
@actor_option
@pass_state
def set_password(state: CliState, email: str, password: str, actor_email: str | None) -> None:
    """Set a new password for EMAIL; all of EMAIL's sessions end (audited, never the password).
    An admin may do it for users and contributors, a superuser or the operator for anyone."""

    async def work(app: Skriptoteket) -> User:
        actor = await resolve_actor(app, actor_email)
        return await app.set_user_password(actor, email=email, password=password)

    user = state.run(work)
    click.echo(f"New password set for {user.email}; their sessions have ended")


@users.command("token")
@click.argument("email")
@click.option("--name", default=None, help="What the token is for (default: cli).")
@actor_option
@pass_state
def token(state: CliState, email: str, name: str | None, actor_email: str | None) -> None:
    """Create a personal API token for EMAIL; the token is printed alone on the last line."""

    async def work(app: Skriptoteket) -> tuple[str, str, str]:
        actor = await resolve_actor(app, actor_email)
        issued = await app.create_api_token(actor, owner_email=email, name=name)
        return issued.token.name, str(issued.token.id), issued.secret

    token_name, token_id, secret = state.run(work)
    click.echo(f"Created API token {token_name!r} ({token_id}) for {email.strip().lower()}.")
    click.echo("Store it now; it cannot be shown again. Use it as: Authorization: Bearer TOKEN")
    click.echo(secret)
