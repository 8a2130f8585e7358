"""``POST /language``: the person chooses the UI language (issue 11) from the header or the
profile page, then returns to the page they were on.

The choice goes into the ``skriptoteket_lang`` cookie (one year, SameSite=Lax) for everyone; a
logged-in user's choice is also stored on the account (``SetPreferredLanguage``), so it follows
them to other devices and sessions. An unknown language is 400 (VALIDATION_ERROR).

CSRF: with a session, ``CsrfMiddleware`` requires the session's token like every form; without
one there is no token yet, so a cross-site post is refused as on the login form
(``login_guard.same_origin``)."""

from __future__ import annotations

from skriptoteket.domain.errors import forbidden
from skriptoteket.domain.identity import validate_language
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web import login_guard
from skriptoteket_web.auth import current_session, redirect
from skriptoteket_web.forms import field, read_form
from skriptoteket_web.middleware.language import COOKIE
from skriptoteket_web.runtime import core, runtime

MAX_AGE_SECONDS = 365 * 24 * 3600
FIELD = "language"
NEXT_FIELD = "next"


def local_path(raw: str) -> str:
    """``raw`` if it is a path on this site, else ``/`` (never another host: ``//x``, ``/\\x``)."""
    if raw.startswith("/") and not raw.startswith(("//", "/\\")) and raw.isprintable():
        return raw
    return "/"


async def choose_language(request: Request) -> Response:
    current = current_session(request)
    if current is None and not login_guard.same_origin(request):
        raise forbidden("CSRF validation failed", reason="csrf")
    form = await read_form(request)
    language = field(form, FIELD)
    if current is None:
        validate_language(language)
    else:
        await core(request).set_preferred_language(current.user, language=language)
    response = redirect(local_path(field(form, NEXT_FIELD)))
    response.set_cookie(
        COOKIE,
        language,
        max_age=MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        secure=runtime(request).web.cookie_secure,
        samesite="lax",
    )
    return response


routes: list[BaseRoute] = [Route("/language", choose_language, methods=["POST"])]
