"""R34 ``/health`` (liveness), ``/ready`` (readiness: the database answers a cheap read
through a use case) and ``/metrics`` (Prometheus text format, issue 4 §8; who may read it:
``metrics.metrics_access``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.metrics import CONTENT_TYPE, metrics_access
from skriptoteket_web.runtime import runtime


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """200 ``{"status": "ready", "checks": {...}}`` when the database answers and the selected
    runner can run a tool now; else 503 with the check that failed (no details: the page is
    public; the log says why)."""
    web = runtime(request)
    if web.core is None:
        return JSONResponse({"status": "unavailable", "checks": {}}, status_code=503)
    found = await web.core.check_readiness()
    checks = {"database": found.database}
    if found.runner is not None:
        checks["runner"] = found.runner
    if not found.ready:
        return JSONResponse({"status": "unavailable", "checks": checks}, status_code=503)
    return JSONResponse({"status": "ready", "checks": checks})


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
