"""The Starlette application factory.

The lifespan owns the core through ``bootstrap`` (with run execution on, and runs a crashed
process left behind finished); pages come from ``skriptoteket_web.pages`` and plugins add routes
through ``skriptoteket_register_web_routes``. Tests pass ``execution=False`` and fast fakes for
the core's services.

``serve`` passes ``freeze_heap=True``: once the core has started, everything allocated so far
(modules, SQLAlchemy's tables and caches, templates) is moved out of the garbage collector's
reach with ``gc.freeze()``. Without it every full collection walks that whole start-up heap —
measured 60–120 ms each, tens of times a minute under load, which was the catalog's p99.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import attrs
import pluggy
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.ports.system import Clock, IdGenerator, PasswordHasher, TokenGenerator
from skriptoteket.settings import Settings
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from skriptoteket_web import hookspecs
from skriptoteket_web.api import api_routes
from skriptoteket_web.errors import domain_error_handler, http_exception_handler
from skriptoteket_web.metrics import HttpMetricsMiddleware, Metrics, run_buckets
from skriptoteket_web.middleware.body_limit import BodyLimitMiddleware, BodyLimits, UploadRoute
from skriptoteket_web.middleware.correlation import CorrelationIdMiddleware
from skriptoteket_web.middleware.csrf import CsrfMiddleware
from skriptoteket_web.middleware.errors import ErrorMiddleware
from skriptoteket_web.middleware.language import LanguageMiddleware, UserLanguageMiddleware
from skriptoteket_web.middleware.security_headers import SecurityHeadersMiddleware
from skriptoteket_web.middleware.session import SessionMiddleware
from skriptoteket_web.pages import all_routes
from skriptoteket_web.runtime import WebRuntime
from skriptoteket_web.templating import Templates
from skriptoteket_web.throttle import throttle_policy
from skriptoteket_web.web_settings import WebSettings

STATIC_DIR = Path(__file__).parent / "static"


@attrs.frozen
class CoreServices:
    """Optional replacements for the core's system services (tests use fakes)."""

    clock: Clock | None = None
    ids: IdGenerator | None = None
    hasher: PasswordHasher | None = None
    tokens: TokenGenerator | None = None


def make_web_plugin_manager() -> pluggy.PluginManager:
    return make_plugin_manager(extra_specs=[hookspecs])


def create_app(
    settings: Settings | None = None,
    pm: pluggy.PluginManager | None = None,
    *,
    web_settings: WebSettings | None = None,
    execution: bool = True,
    recover_interrupted_runs: bool = True,
    services: CoreServices | None = None,
    throttle: ThrottlePolicy | None = None,
    freeze_heap: bool = False,
) -> Starlette:
    settings = settings or Settings.from_env()
    pm = pm or make_web_plugin_manager()
    web = web_settings or WebSettings.from_env()
    services = services or CoreServices()
    state = WebRuntime(
        settings=settings,
        web=web,
        templates=Templates(),
        throttle=throttle or throttle_policy(web),
        metrics=Metrics(
            run_duration_buckets=run_buckets(
                (
                    settings.runner_timeout_sandbox_seconds,
                    settings.runner_timeout_production_seconds,
                )
            )
        ),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with bootstrap(
            settings,
            pm,
            clock=services.clock,
            ids=services.ids,
            hasher=services.hasher,
            tokens=services.tokens,
            execution=execution,
            recover_interrupted_runs=execution and recover_interrupted_runs,
            run_observers=(state.metrics,),
        ) as core:
            state.core = core
            app.state.core = core
            if freeze_heap:
                gc.collect()
                gc.freeze()
            try:
                yield
            finally:
                state.core = None

    routes: list[BaseRoute] = all_routes()
    routes.extend(api_routes())
    routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"))
    for contributed in pm.hook.skriptoteket_register_web_routes():
        routes.extend(contributed)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(HttpMetricsMiddleware, metrics=state.metrics),
            Middleware(CorrelationIdMiddleware),
            Middleware(SecurityHeadersMiddleware, hsts=web.cookie_secure),
            Middleware(LanguageMiddleware, settings=web),
            Middleware(
                BodyLimitMiddleware,
                limits=BodyLimits(
                    small=web.request_max_body_bytes,
                    upload_total=settings.upload_max_total_bytes,
                    upload_routes=[r for r in routes if isinstance(r, UploadRoute)],
                ),
            ),
            Middleware(ErrorMiddleware),
            Middleware(SessionMiddleware),
            Middleware(UserLanguageMiddleware, settings=web),
            Middleware(CsrfMiddleware),
        ],
        exception_handlers={
            HTTPException: http_exception_handler,
            DomainError: domain_error_handler,
        },
    )
    app.state.web = state
    return app
