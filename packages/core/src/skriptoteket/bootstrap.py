"""The composition root: one ``bootstrap(settings)`` wires the selected backends into a
``Skriptoteket`` container and owns their lifetime. The web lifespan and the CLI both use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pluggy

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps
from skriptoteket.builtin.system import (
    Argon2PasswordHasher,
    SecretsTokenGenerator,
    UtcClock,
    Uuid4Generator,
)
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.ports.system import Clock, IdGenerator, PasswordHasher, TokenGenerator
from skriptoteket.settings import Settings


@asynccontextmanager
async def bootstrap(
    settings: Settings,
    pm: pluggy.PluginManager | None = None,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    hasher: PasswordHasher | None = None,
    tokens: TokenGenerator | None = None,
) -> AsyncIterator[Skriptoteket]:
    """Open the configured database backend and yield the use-case container.

    Example::

        async with bootstrap(Settings.from_env()) as app:
            user = await app.find_active_user("rektor@skolan.se")
    """
    plugins = Plugins(pm or make_plugin_manager())
    backend = plugins.select_repository(settings)
    async with backend.open(settings) as uow_factory:
        deps = Deps(
            uow=uow_factory,
            clock=clock or UtcClock(),
            ids=ids or Uuid4Generator(),
            hasher=hasher or Argon2PasswordHasher(),
            tokens=tokens or SecretsTokenGenerator(),
            session_ttl_seconds=settings.session_ttl_seconds,
        )
        yield Skriptoteket(deps)
