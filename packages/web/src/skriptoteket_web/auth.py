"""The current user for pages (ID-05, ID-17).

``@page(Role.X)`` wraps an endpoint that takes ``(request, current)``: an anonymous request is
sent to the login page (303), a logged-in user below the role gets 403 (the use cases check
again). Pages that must not reveal whether something exists raise NOT_FOUND themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.identity import Role, require_at_least_role
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

LOGIN_PATH = "/login"

PageEndpoint = Callable[[Request, CurrentSession], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def current_session(request: Request) -> CurrentSession | None:
    found = getattr(request.state, "session", None)
    return found if isinstance(found, CurrentSession) else None


def redirect(path: str) -> RedirectResponse:
    """303 after a POST (and for anonymous page requests)."""
    return RedirectResponse(path, status_code=303)


def page(min_role: Role = Role.USER) -> Callable[[PageEndpoint], Endpoint]:
    def decorate(endpoint: PageEndpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            current = current_session(request)
            if current is None:
                return redirect(LOGIN_PATH)
            require_at_least_role(current.user, min_role)
            return await endpoint(request, current)

        return guarded

    return decorate
