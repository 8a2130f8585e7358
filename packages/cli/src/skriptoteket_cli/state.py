"""What every command shares: settings, the plugin manager, and how to reach the core."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import click
import pluggy
from skriptoteket.application.container import Skriptoteket
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User, system_actor
from skriptoteket.plugins.facade import Plugins
from skriptoteket.settings import Settings

T = TypeVar("T")


@attrs.frozen
class CliState:
    settings: Settings
    pm: pluggy.PluginManager

    @property
    def plugins(self) -> Plugins:
        return Plugins(self.pm)

    def run(self, work: Callable[[Skriptoteket], Awaitable[T]], *, execution: bool = False) -> T:
        """Open the core on the configured backends, run ``work``, close everything.
        ``execution`` also starts the runner, artifact store and run queue."""

        async def main() -> T:
            async with bootstrap(self.settings, self.pm, execution=execution) as app:
                return await work(app)

        return asyncio.run(main())


def state_of(ctx: click.Context) -> CliState:
    obj = ctx.find_object(CliState)
    assert obj is not None, "the root command stores CliState in ctx.obj"
    return obj


pass_state = click.make_pass_decorator(CliState)


async def resolve_actor(
    app: Skriptoteket, actor_email: str | None, *, owner_needed: bool = False
) -> User:
    """``--actor EMAIL`` is that account, held to its role; without it the operator at the
    machine acts with superuser powers, recorded in the audit log as ``cli:<os user>``.

    Actions that make the actor the owner of something (a version, a run) need an account:
    with ``owner_needed`` and no ``--actor``, the first active superuser is used."""
    if actor_email:
        return await app.find_active_user(actor_email)
    operator = system_actor(app.deps.clock.now(), label=f"cli:{_os_user()}")
    if not owner_needed:
        return operator
    superusers = [
        u for u in await app.list_users(operator) if u.is_active and u.role is Role.SUPERUSER
    ]
    if not superusers:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "No superuser exists yet: run skriptoteket bootstrap-superuser, or pass --actor EMAIL",
        )
    return min(superusers, key=lambda u: (u.created_at, u.email))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


actor_option = click.option(
    "--actor",
    "actor_email",
    metavar="EMAIL",
    default=None,
    help="Act as this account (its role applies). Default: the operator, audited as cli:<user>.",
)
