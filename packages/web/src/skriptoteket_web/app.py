"""The Starlette application factory. Pages and the JSON API arrive with the web issue; this
holds the shape: the lifespan owns the core through ``bootstrap``, plugins add routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pluggy
from skriptoteket.bootstrap import bootstrap
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.settings import Settings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from skriptoteket_web import hookspecs


async def health(request: Request) -> JSONResponse:
    """R34: liveness."""
    return JSONResponse({"status": "ok"})


def make_web_plugin_manager() -> pluggy.PluginManager:
    return make_plugin_manager(extra_specs=[hookspecs])


def create_app(
    settings: Settings | None = None, pm: pluggy.PluginManager | None = None
) -> Starlette:
    settings = settings or Settings.from_env()
    pm = pm or make_web_plugin_manager()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with bootstrap(settings, pm) as core:
            app.state.core = core
            yield

    routes: list[BaseRoute] = [Route("/health", health)]
    for contributed in pm.hook.skriptoteket_register_web_routes():
        routes.extend(contributed)
    return Starlette(routes=routes, lifespan=lifespan)
