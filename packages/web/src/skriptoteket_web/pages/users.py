"""User administration (AMB-16): list, create with a role, change role, set a new password,
deactivate (after a confirmation step) and reactivate. The use cases enforce ID-10 (admins
manage users and contributors; superusers everyone) and write the audit rows; the page offers
only the roles the actor may grant.

Deactivation needs two steps without any script: the list's "Deactivate" is a link to
``GET /admin/users/deactivate?email=…``, a page that names the account and posts
``confirm=yes``; a POST without it only shows that page again and changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import (
    Role,
    can_manage_user,
    can_provision_local_user,
    normalize_email,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, read_form, repeated_password
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import N_, http_status, ui_error_text

_FORM_ERRORS = (
    ErrorCode.VALIDATION_ERROR,
    ErrorCode.CONFLICT,
    ErrorCode.DUPLICATE_ENTRY,
    ErrorCode.USER_NOT_FOUND,
    ErrorCode.FORBIDDEN,
)
_NOTICES = {
    "created": N_("The user was created."),
    "role": N_("The role was changed."),
    "deactivated": N_("The user was deactivated."),
    "reactivated": N_("The user was reactivated."),
    "password": N_("The new password was set. The user's sessions have been logged out."),
}


async def _users_page(
    request: Request,
    current: CurrentSession,
    *,
    error: DomainError | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    t = request.state.translator
    notice = _NOTICES.get(request.query_params.get("done", ""))
    users = await core(request).list_users(current.user)
    context = {
        "users": users,
        "grantable": [r for r in Role if can_provision_local_user(current.user, r)],
        "manageable": {u.id for u in users if can_manage_user(current.user, u)},
        "values": values or {"email": "", "role": Role.USER.value},
        "notice": t.gettext(notice) if notice else "",
        "error": ui_error_text(error, t) if error else "",
    }
    status = http_status(error) if error else 200
    return render(request, "admin_users.html", context, status=status)


@page(Role.ADMIN)
async def list_users(request: Request, current: CurrentSession) -> Response:
    return await _users_page(request, current)


@page(Role.ADMIN)
async def create_user(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    values = {"email": field(form, "email"), "role": field(form, "role")}
    try:
        await core(request).create_user(
            current.user,
            email=values["email"],
            password=field(form, "password"),
            role=Role.parse(values["role"]),
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _users_page(request, current, error=error, values=values)
    return redirect("/admin/users?done=created")


@page(Role.ADMIN)
async def change_role(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    try:
        await core(request).change_user_role(
            current.user, email=field(form, "email"), role=Role.parse(field(form, "role"))
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _users_page(request, current, error=error)
    return redirect("/admin/users?done=role")


async def _confirm_deactivation(request: Request, current: CurrentSession, email: str) -> Response:
    try:
        clean = normalize_email(email)
    except DomainError as error:
        return await _users_page(request, current, error=error)
    users = await core(request).list_users(current.user)
    target = next((u for u in users if u.email == clean), None)
    if target is None:
        missing = DomainError(ErrorCode.USER_NOT_FOUND, "No such user", {"email": clean})
        return await _users_page(request, current, error=missing)
    return render(request, "admin_users_deactivate.html", {"target": target})


@page(Role.ADMIN)
async def confirm_deactivation(request: Request, current: CurrentSession) -> Response:
    return await _confirm_deactivation(request, current, request.query_params.get("email", ""))


@page(Role.ADMIN)
async def deactivate(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    if field(form, "confirm") != "yes":
        return await _confirm_deactivation(request, current, field(form, "email"))
    try:
        await core(request).deactivate_user(current.user, email=field(form, "email"))
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _users_page(request, current, error=error)
    return redirect("/admin/users?done=deactivated")


@page(Role.ADMIN)
async def reactivate(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    try:
        await core(request).reactivate_user(current.user, email=field(form, "email"))
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _users_page(request, current, error=error)
    return redirect("/admin/users?done=reactivated")


@page(Role.ADMIN)
async def set_password(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    try:
        await core(request).set_user_password(
            current.user,
            email=field(form, "email"),
            password=repeated_password(form, "password", "password_again"),
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _users_page(request, current, error=error)
    return redirect("/admin/users?done=password")


routes: list[BaseRoute] = [
    Route("/admin/users", list_users, methods=["GET"]),
    Route("/admin/users", create_user, methods=["POST"]),
    Route("/admin/users/role", change_role, methods=["POST"]),
    Route("/admin/users/deactivate", confirm_deactivation, methods=["GET"]),
    Route("/admin/users/deactivate", deactivate, methods=["POST"]),
    Route("/admin/users/reactivate", reactivate, methods=["POST"]),
    Route("/admin/users/password", set_password, methods=["POST"]),
]
