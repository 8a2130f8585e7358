"""R1–R3: login and logout (ID-12–ID-18), with login throttling (429)."""

from __future__ import annotations

from skriptoteket.domain.errors import DomainError, ErrorCode, forbidden
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web import login_guard, throttle
from skriptoteket_web.auth import current_session, redirect
from skriptoteket_web.forms import field, read_form
from skriptoteket_web.middleware.session import parse_session_id
from skriptoteket_web.runtime import core, runtime
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import N_

# A login post without the form's token (an old page, or another site's form) or from another
# site (issue 9 item 3).
_EXPIRED = N_("The page has expired. Reload it and try again.")


def _login_page(request: Request, *, email: str, error: str, status: int) -> Response:
    """The login form, with the login token in its hidden field and cookie (login_guard)."""
    token = login_guard.login_token(request)
    response = render(
        request,
        "login.html",
        {
            "email": email,
            "error": request.state.translator.gettext(error) if error else "",
            "login_token": token,
        },
        status=status,
    )
    login_guard.set_login_token(request, response, token)
    return response


async def login_form(request: Request) -> Response:
    if current_session(request) is not None:
        return redirect("/")
    return _login_page(request, email="", error="", status=200)


async def login_submit(request: Request) -> Response:
    web = runtime(request)
    if not login_guard.same_origin(request):
        return _login_page(request, email="", error=_EXPIRED, status=403)
    form = await read_form(request)
    email, password = field(form, "email"), field(form, "password")
    if not login_guard.token_matches(request, field(form, login_guard.FIELD)):
        return _login_page(request, email=email, error=_EXPIRED, status=403)
    account = email.strip().lower()
    wait = await throttle.retry_after(request, account)
    if wait:
        return throttle.too_many(
            _login_page(
                request,
                email=email,
                error=N_("Too many failed login attempts. Wait a while and try again."),
                status=429,
            ),
            wait,
        )
    try:
        result = await core(request).login(email=email, password=password)
    except DomainError as error:
        if error.code is not ErrorCode.INVALID_CREDENTIALS:
            raise
        await throttle.failed(request, account)
        return _login_page(request, email=email, error=N_("Wrong email or password."), status=400)
    await throttle.succeeded(request, account)
    previous = current_session(request)
    if previous is not None:  # a new session id at every login; the old one ends
        await core(request).logout(
            session_id=previous.session.id, csrf_token=previous.session.csrf_token
        )
    response = redirect("/")
    response.set_cookie(
        web.web.session_cookie_name,
        str(result.session.id),
        max_age=web.settings.session_ttl_seconds,
        path="/",
        httponly=True,
        secure=web.web.cookie_secure,
        samesite=web.web.cookie_samesite,
    )
    return response


async def logout(request: Request) -> Response:
    """ID-18: no cookie → 303 login; a wrong token or unknown session → 403."""
    web = runtime(request)
    raw = request.cookies.get(web.web.session_cookie_name)
    if raw is None:
        return redirect("/login")
    session_id = parse_session_id(raw)
    if session_id is None:
        raise forbidden("CSRF validation failed", reason="csrf")
    form = await read_form(request)
    token = field(form, "csrf_token") or request.headers.get("x-csrf-token", "")
    await core(request).logout(session_id=session_id, csrf_token=token)
    response = redirect("/login")
    response.delete_cookie(
        web.web.session_cookie_name,
        path="/",
        httponly=True,
        secure=web.web.cookie_secure,
        samesite=web.web.cookie_samesite,
    )
    return response


routes: list[BaseRoute] = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
