"""Picks the request's language (UI-01): ``Accept-Language`` among the supported languages,
else ``SKRIPTOTEKET_DEFAULT_LANGUAGE`` (Swedish). Sets ``request.state.translator``."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from skriptoteket_web.i18n import negotiate_language, translator
from skriptoteket_web.web_settings import WebSettings


class LanguageMiddleware:
    def __init__(self, app: ASGIApp, *, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            lang = negotiate_language(
                Headers(scope=scope).get("accept-language"), self.settings.default_language
            )
            scope.setdefault("state", {})["translator"] = translator(lang, self.settings.timezone)
        await self.app(scope, receive, send)
