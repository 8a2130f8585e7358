"""ID-15/ID-16: the session cookie resolves (through the core) to the current user and session,
or to anonymous. Sets ``request.state.session`` (a ``CurrentSession`` or ``None``)."""

from __future__ import annotations

import uuid

from skriptoteket.application.identity import CurrentSession
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from skriptoteket_web.runtime import runtime

# Paths that never need a user: no database read for them.
ANONYMOUS_PREFIXES = ("/static/", "/health", "/ready")


def parse_session_id(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _api_with_credentials(scope: Scope) -> bool:
    """An API request with an ``Authorization`` header is authenticated by it alone (the API
    resolves the bearer token); its cookie is ignored, so no CSRF check applies (AMB-13)."""
    return scope["path"].startswith("/api/") and "authorization" in Headers(scope=scope)


class SessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        current: CurrentSession | None = None
        if not scope["path"].startswith(ANONYMOUS_PREFIXES) and not _api_with_credentials(scope):
            conn = HTTPConnection(scope)
            web = runtime(conn)
            session_id = parse_session_id(conn.cookies.get(web.web.session_cookie_name))
            if session_id is not None:
                current = await web.require_core().resolve_session(session_id)
        state["session"] = current
        await self.app(scope, receive, send)
