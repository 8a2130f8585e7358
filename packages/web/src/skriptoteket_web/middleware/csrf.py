"""ID-18, ID-20, AMB-13: every state-changing request (POST, PUT, PATCH, DELETE) made with a
cookie session must carry the session's CSRF token — the ``X-CSRF-Token`` header (htmx sends it
from ``hx-headers`` on ``<body>``) or the form field ``csrf_token``. Anything else is 403.

Requests without a live session are left to the page (which answers 303 to the login page, or
401 for the API). Requests authenticated by an API token carry no cookie session and are exempt.

A form body is parsed here once, streaming (files spooled to disk, under the body cap of
``body_limit``); the parsed form is handed to the page through the scope (see
``skriptoteket_web.forms``). The raw body is not kept: a later read of it gets an empty body.
"""

from __future__ import annotations

import hmac

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import forbidden
from starlette.datastructures import FormData, Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skriptoteket_web.middleware.body_limit import parse_form

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "x-csrf-token"
FIELD = "csrf_token"
FORM_SCOPE_KEY = "skriptoteket.form"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def tokens_match(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def _consumed(receive: Receive) -> Receive:
    """The body has been read: an empty last chunk, then whatever the server sends next."""
    sent = False

    async def after_body() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return after_body


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        current: CurrentSession | None = scope.get("state", {}).get("session")
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS or current is None:
            await self.app(scope, receive, send)
            return
        expected = current.session.csrf_token
        headers = Headers(scope=scope)
        header_token = headers.get(HEADER)
        if header_token is not None:
            if not tokens_match(header_token, expected):
                raise forbidden("CSRF validation failed", reason="csrf")
            await self.app(scope, receive, send)
            return
        if not headers.get("content-type", "").startswith(_FORM_TYPES):
            raise forbidden("CSRF validation failed", reason="csrf")
        form: FormData = await parse_form(Request(scope, receive))
        try:
            if not tokens_match(form.get(FIELD), expected):
                raise forbidden("CSRF validation failed", reason="csrf")
            scope[FORM_SCOPE_KEY] = form
            await self.app(scope, _consumed(receive), send)
        finally:
            await form.close()
