"""Picks the request's language (UI-01, issue 11) and sets ``request.state.translator``.

Swedish (``SKRIPTOTEKET_DEFAULT_LANGUAGE``) unless the person chose: the choice stored on a
logged-in user wins, then the ``skriptoteket_lang`` cookie (an anonymous visitor's choice, also
set at every choice while logged in so the login page keeps it after logout). The browser's
``Accept-Language`` is not consulted: an English browser alone never switches.

Two steps, because the user is known only after ``SessionMiddleware``: ``LanguageMiddleware``
(outermost, so every error page has a translator) reads the cookie; ``UserLanguageMiddleware``
(after the session) applies the user's stored choice. Both write the same state dict, which the
outer middleware read at response time."""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from skriptoteket_web.i18n import chosen_language, translator
from skriptoteket_web.web_settings import WebSettings

COOKIE = "skriptoteket_lang"


class LanguageMiddleware:
    def __init__(self, app: ASGIApp, *, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            lang = chosen_language(
                HTTPConnection(scope).cookies.get(COOKIE), self.settings.default_language
            )
            scope.setdefault("state", {})["translator"] = translator(lang, self.settings.timezone)
        await self.app(scope, receive, send)


class UserLanguageMiddleware:
    """A logged-in user's stored choice, on every device and in every session."""

    def __init__(self, app: ASGIApp, *, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        current = state.get("session")
        if isinstance(current, CurrentSession) and current.user.preferred_language:
            lang = chosen_language(current.user.preferred_language, self.settings.default_language)
            if lang != state["translator"].lang:
                state["translator"] = translator(lang, self.settings.timezone)
        await self.app(scope, receive, send)
