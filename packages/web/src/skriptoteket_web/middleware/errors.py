"""ERR-03/ERR-04: a ``DomainError`` or any other exception escaping a page (or the middleware
inside this one) becomes an error response with the mapped status. Unexpected exceptions are
logged with the correlation id; the response shows neither the exception nor a trace."""

from __future__ import annotations

import logging

from skriptoteket.domain.errors import DomainError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skriptoteket_web.errors import domain_error_response, internal_error_response

log = logging.getLogger("skriptoteket_web.errors")


class ErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except DomainError as error:
            if started:
                raise
            if error.code.value in ("INTERNAL_ERROR", "DATABASE_ERROR"):
                log.error("domain error %s on %s", error.code.value, scope["path"])
            response = domain_error_response(Request(scope), error)
            await response(scope, receive, send)
        except Exception:
            log.exception(
                "unhandled error on %s %s (correlation id %s)",
                scope["method"],
                scope["path"],
                scope.get("state", {}).get("correlation_id", "-"),
            )
            if started:
                raise
            response = internal_error_response(Request(scope))
            await response(scope, receive, send)
