"""ID-18, ID-20, AMB-13: every state-changing request (POST, PUT, PATCH, DELETE) made with a
cookie session must carry the session's CSRF token — the ``X-CSRF-Token`` header (htmx sends it
from ``hx-headers`` on ``<body>``) or the form field ``csrf_token``. Anything else is 403.

Requests without a live session are left to the page (which answers 303 to the login page, or
401 for the API). Requests authenticated by an API token carry no cookie session and are exempt.

A form body is read here once; the parsed form is handed to the page through the scope (see
``skriptoteket_web.forms``) and the raw body is replayed for anyone who reads it again.
"""

from __future__ import annotations

import hmac

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import forbidden
from starlette.datastructures import FormData, Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skriptoteket_web.errors import error_response
from skriptoteket_web.ui_text import N_

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "x-csrf-token"
FIELD = "csrf_token"
FORM_SCOPE_KEY = "skriptoteket.form"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyTooLarge(Exception):
    pass


def tokens_match(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

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
        try:
            body = await _read_body(receive, self.max_body_bytes)
        except BodyTooLarge:
            response = error_response(
                Request(scope),
                status=413,
                code="VALIDATION_ERROR",
                message="Request body too large",
                ui_message=N_("The upload is too large."),
            )
            await response(scope, receive, send)
            return
        form: FormData = await Request(scope, _replay(body, receive)).form()
        try:
            if not tokens_match(form.get(FIELD), expected):
                raise forbidden("CSRF validation failed", reason="csrf")
            scope[FORM_SCOPE_KEY] = form
            await self.app(scope, _replay(body, receive), send)
        finally:
            await form.close()
