"""Security headers on every response, errors and static files included (NFR-10, DESIGN §6).

The CSP allows no inline script and no inline style: htmx is configured through a ``<meta>`` tag
with its indicator styles off. The one exception is a per-request nonce in ``style-src``: the
script editor's CodeMirror puts its theme in a ``<style>`` element, which carries that nonce
(``EditorView.cspNonce``, read by ``static/js/editor.js`` from ``<meta name="csp-nonce">``).
The nonce is on every page, not only the editor's: a boosted (htmx) navigation keeps the first
page's document and with it that page's policy and nonce.

Script HTML is never part of a page: it is served from its own URL with the much stricter
``RESULT_FRAME_HEADERS`` (no script, no network, no forms, a sandbox) and shown in a sandboxed
``<iframe src>`` of the page, which ``frame-src 'self'`` allows. Only that response may be framed
(``frame-ancestors 'self'``); every other one denies framing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_STATE_KEY = "csp_nonce"


def content_security_policy(nonce: str) -> str:
    """The pages' policy; ``nonce`` is the request's (see ``NONCE_STATE_KEY``)."""
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}

# A tool's HTML output (DESIGN §6, UI-07): inline <style> and style="" for the tool's own look,
# data: images (charts), nothing else; ``sandbox`` gives the document an opaque origin and no
# scripts, forms, popups or top navigation even when it is opened outside the iframe.
RESULT_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)
RESULT_FRAME_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": RESULT_FRAME_POLICY,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Content-Type": "text/html; charset=utf-8",
}


class SecurityHeadersMiddleware:
    """Adds the headers a response does not set itself (``setdefault``): a route with stricter
    or different needs, like the result frame, sets its own."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE_STATE_KEY] = nonce  # request.state.csp_nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts or scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if not static:
                    # Pages carry CSRF tokens and personal data: never cache them.
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
