"""R34 ``/health`` (liveness) and ``/ready`` (readiness: the database answers a cheap read
through a use case)."""

from __future__ import annotations

import logging

from skriptoteket.domain.identity import system_actor
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from skriptoteket_web.runtime import runtime

log = logging.getLogger("skriptoteket_web.health")


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    web = runtime(request)
    if web.core is None:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    try:
        await web.core.list_professions(system_actor(web.core.deps.clock.now(), label="ready"))
    except Exception:
        log.exception("readiness check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ready"})


routes: list[BaseRoute] = [Route("/health", health), Route("/ready", ready)]
