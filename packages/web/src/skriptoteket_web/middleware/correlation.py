"""ERR-08: every request carries a correlation id — the caller's ``X-Correlation-ID`` when it
is sane, else a new one — echoed on the response and attached to every log record."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Correlation-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="-")


class CorrelationIdLogFilter(logging.Filter):
    """Adds ``record.correlation_id`` (install on a handler to use it in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id_var.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    """For hosts that serve the app (``serve``, uvicorn): one stderr handler whose lines carry
    the correlation id (NFR-10). Not called by ``create_app``: logging belongs to the host."""
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationIdLogFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


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
        token = correlation_id_var.set(cid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = cid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id_var.reset(token)
