"""The profile page: who I am, changing my password (the current one plus the new one twice;
my other sessions end, this one stays — ``ChangeOwnPassword``), and my personal API tokens —
create one (its secret is shown exactly once, on the response to the POST) or revoke one.
Someone else's token is 404.

A wrong current password counts as a failed login for the (account, client address) pair
(``throttle``): guessing through this form is as slow as through the login form (429)."""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession, IssuedToken
from skriptoteket.domain.errors import DomainError, ErrorCode
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web import throttle
from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, path_uuid, read_form, repeated_password
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import N_, http_status, ui_error_text

_TOO_MANY = N_("Too many wrong passwords. Wait a while and try again.")


async def _profile_page(
    request: Request,
    current: CurrentSession,
    *,
    issued: IssuedToken | None = None,
    error: DomainError | None = None,
    status: int = 200,
    wait: int = 0,
) -> Response:
    context = {
        "tokens": await core(request).list_api_tokens(current.user),
        "issued": issued,
        "revoked": request.query_params.get("revoked") == "1",
        "password_changed": request.query_params.get("password") == "changed",
        "error": ui_error_text(error, request.state.translator) if error else "",
    }
    if wait:
        context["error"] = request.state.translator.gettext(_TOO_MANY)
        return throttle.too_many(render(request, "profile.html", context, status=429), wait)
    return render(request, "profile.html", context, status=http_status(error) if error else status)


@page()
async def profile(request: Request, current: CurrentSession) -> Response:
    return await _profile_page(request, current)


@page()
async def create_token(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    try:
        issued = await core(request).create_api_token(
            current.user, owner_email=current.user.email, name=field(form, "name") or None
        )
    except DomainError as error:
        if error.code is not ErrorCode.VALIDATION_ERROR:
            raise
        return await _profile_page(request, current, error=error)
    return await _profile_page(request, current, issued=issued, status=201)


@page()
async def change_password(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    account = current.user.email
    wait = await throttle.retry_after(request, account)
    if wait:
        return await _profile_page(request, current, wait=wait)
    try:
        await core(request).change_own_password(
            current.user,
            current_password=field(form, "current_password"),
            new_password=repeated_password(form, "new_password", "new_password_again"),
            keep_session_id=current.session.id,
        )
    except DomainError as error:
        if error.code is not ErrorCode.VALIDATION_ERROR:
            raise
        if error.reason == "current_password_wrong":
            await throttle.failed(request, account)
        return await _profile_page(request, current, error=error)
    await throttle.succeeded(request, account)
    return redirect("/profile?password=changed")


@page()
async def revoke_token(request: Request, current: CurrentSession) -> Response:
    token_id = path_uuid(request, "token_id", "ApiToken")
    await core(request).revoke_api_token(current.user, token_id=token_id)
    return redirect("/profile?revoked=1")


routes: list[BaseRoute] = [
    Route("/profile", profile, methods=["GET"]),
    Route("/profile/password", change_password, methods=["POST"]),
    Route("/profile/tokens", create_token, methods=["POST"]),
    Route("/profile/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
]
