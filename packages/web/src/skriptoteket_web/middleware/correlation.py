"""ERR-08: every request carries a correlation id — the caller's ``X-Correlation-ID`` when it
is sane, else a new one — echoed on the response and bound for the request's duration, so
every log line the request causes carries it (``skriptoteket.observability.log_context``)."""

from __future__ import annotations

import re
import uuid

from skriptoteket.observability.log_context import bind_correlation_id
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Correlation-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def accept_or_generate(incoming: str | None) -> str:
    if incoming and _VALID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class CorrelationIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = accept_or_generate(Headers(scope=scope).get(HEADER))
        scope.setdefault("state", {})["correlation_id"] = cid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = cid
            await send(message)

        with bind_correlation_id(cid):  # every line of the request, uvicorn's access line too
            await self.app(scope, receive, send_with_id)
