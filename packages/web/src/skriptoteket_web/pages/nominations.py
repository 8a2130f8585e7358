"""Admin nominations (NOM-01–NOM-07, AMB-29): admins nominate a user or contributor for admin;
a superuser approves (the nominee becomes admin) or denies. Every step is audited by the use
cases; a non-superuser deciding gets 403 (NOM-05); an unknown decision value is 400."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.nominations import NominationDecision
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, path_uuid, read_form
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import N_, http_status, ui_error_text

_FORM_ERRORS = (ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT, ErrorCode.USER_NOT_FOUND)
_NOTICES = {
    "nominated": N_("The nomination was saved."),
    "decided": N_("Decision saved."),
}


async def _nominations_page(
    request: Request,
    current: CurrentSession,
    *,
    error: DomainError | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    t = request.state.translator
    app = core(request)
    users = await app.list_users(current.user)
    notice = _NOTICES.get(request.query_params.get("done", ""))
    context = {
        "nominations": await app.list_nominations(current.user),
        "emails": {u.id: u.email for u in users},
        "candidates": [u for u in users if u.is_active and u.role.rank < Role.ADMIN.rank],
        "values": values or {"email": "", "rationale": ""},
        "notice": t.gettext(notice) if notice else "",
        "error": ui_error_text(error, t) if error else "",
    }
    status = http_status(error) if error else 200
    return render(request, "admin_nominations.html", context, status=status)


@page(Role.ADMIN)
async def list_nominations(request: Request, current: CurrentSession) -> Response:
    return await _nominations_page(request, current)


@page(Role.ADMIN)
async def nominate(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    values = {"email": field(form, "email"), "rationale": field(form, "rationale")}
    try:
        await core(request).nominate_admin(
            current.user, nominee_email=values["email"], rationale=values["rationale"]
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _nominations_page(request, current, error=error, values=values)
    return redirect("/admin/nominations?done=nominated")


@page(Role.ADMIN)
async def decide(request: Request, current: CurrentSession) -> Response:
    nomination_id = path_uuid(request, "nomination_id", "Nomination")
    form = await read_form(request)
    try:
        await core(request).decide_nomination(
            current.user,
            nomination_id=nomination_id,
            decision=NominationDecision.parse(field(form, "decision")),
            rationale=field(form, "rationale") or None,
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _nominations_page(request, current, error=error)
    return redirect("/admin/nominations?done=decided")


routes: list[BaseRoute] = [
    Route("/admin/nominations", list_nominations, methods=["GET"]),
    Route("/admin/nominations", nominate, methods=["POST"]),
    Route("/admin/nominations/{nomination_id}/decision", decide, methods=["POST"]),
]
