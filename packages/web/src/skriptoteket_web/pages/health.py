"""R34 ``/health`` (liveness), ``/ready`` (readiness: the database answers a cheap read
through a use case) and ``/metrics`` (Prometheus text format, issue 4 §8; who may read it:
``metrics.metrics_access``)."""

from __future__ import annotations

import logging

from skriptoteket.domain.identity import system_actor
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.metrics import CONTENT_TYPE, metrics_access
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


DENIED = {
    401: "Send Authorization: Bearer SKRIPTOTEKET_METRICS_TOKEN.\n",
    403: "Only loopback clients may read /metrics unless SKRIPTOTEKET_METRICS_TOKEN is set.\n",
}


async def metrics(request: Request) -> Response:
    web = runtime(request)
    refused = metrics_access(
        web.web.metrics_token,
        request.headers.get("authorization"),
        request.client.host if request.client else None,
        request.headers,
    )
    if refused is not None:
        headers = {"WWW-Authenticate": "Bearer"} if refused == 401 else None
        return PlainTextResponse(DENIED[refused], status_code=refused, headers=headers)
    queue = await web.core.queue_stats() if web.core is not None else None
    body = web.metrics.render(queue)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


routes: list[BaseRoute] = [
    Route("/health", health),
    Route("/ready", ready),
    Route("/metrics", metrics),
]
