"""Login CSRF (issue 9 item 3): a cross-site page must not be able to log a teacher into
someone else's account. ``POST /login`` needs both

- a same-origin request: ``Sec-Fetch-Site: cross-site`` is refused, and so is an ``Origin``
  whose host is not this request's ``Host`` (``Origin: null`` included); a client that sends
  neither header (curl, scripts) passes this check;
- the login-form token: a random value that ``GET /login`` puts in an HttpOnly cookie and in the
  form's hidden ``login_token`` field (a double-submit token: a page on another site can
  neither read the cookie nor set it, so it cannot send the matching field).

The token exists before any session, so it is not the session's CSRF token.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from skriptoteket_web.runtime import runtime

FIELD = "login_token"
COOKIE = "skriptoteket_login"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def login_token(request: Request) -> str:
    """The browser's current login token, or a new one (see ``set_login_token``)."""
    current = request.cookies.get(COOKIE, "")
    return current if _TOKEN.match(current) else secrets.token_urlsafe(32)


def set_login_token(request: Request, response: Response, token: str) -> None:
    web = runtime(request).web
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        path="/login",
        httponly=True,
        secure=web.cookie_secure,
        samesite="strict",
    )


def same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower() != ""


def token_matches(request: Request, submitted: str) -> bool:
    expected = request.cookies.get(COOKIE, "")
    return bool(_TOKEN.match(expected)) and hmac.compare_digest(
        submitted.encode(), expected.encode()
    )
