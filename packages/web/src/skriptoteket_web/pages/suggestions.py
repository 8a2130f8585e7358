"""R8–R11: suggesting a tool (contributor+) and reviewing suggestions (admin+) (SUG-01–SUG-16).

An unknown decision value is 400 (AMB-12); for a denial the edit fields are ignored (SUG-08).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.suggestions import SuggestionDecisionType
from skriptoteket.domain.text_limits import DESCRIPTION_MAX_LENGTH
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, fields, path_uuid, read_form
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import http_status, ui_error_text

_FORM_ERRORS = (ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN)


async def _suggestion_form(
    request: Request,
    current: CurrentSession,
    values: Mapping[str, Any],
    *,
    error: DomainError | None = None,
) -> Response:
    app = core(request)
    context = {
        "values": values,
        "professions": await app.list_professions(current.user),
        "categories": await app.list_categories(current.user),
        "submitted": request.query_params.get("submitted") == "1",
        "error": ui_error_text(error, request.state.translator) if error else "",
        "error_field": str(error.details.get("field", "")) if error else "",
        "description_max_length": DESCRIPTION_MAX_LENGTH,
    }
    status = http_status(error) if error else 200
    return render(request, "suggestions_new.html", context, status=status)


_EMPTY = {"title": "", "description": "", "professions": [], "categories": []}


@page(Role.CONTRIBUTOR)
async def new_form(request: Request, current: CurrentSession) -> Response:
    return await _suggestion_form(request, current, _EMPTY)


@page(Role.CONTRIBUTOR)
async def submit(request: Request, current: CurrentSession) -> Response:
    form = await read_form(request)
    values = {
        "title": field(form, "title"),
        "description": field(form, "description"),
        "professions": fields(form, "professions"),
        "categories": fields(form, "categories"),
    }
    try:
        await core(request).submit_suggestion(
            current.user,
            title=field(form, "title"),
            description=field(form, "description"),
            professions=fields(form, "professions"),
            categories=fields(form, "categories"),
        )
    except DomainError as error:
        if error.code is not ErrorCode.VALIDATION_ERROR:
            raise
        return await _suggestion_form(request, current, values, error=error)
    return redirect("/suggestions/new?submitted=1")


async def _emails(request: Request, current: CurrentSession) -> dict[UUID, str]:
    return {u.id: u.email for u in await core(request).list_users(current.user)}


@page(Role.ADMIN)
async def review_queue(request: Request, current: CurrentSession) -> Response:
    found = await core(request).list_suggestions(current.user)
    return render(
        request,
        "suggestions_review_queue.html",
        {"suggestions": found, "emails": await _emails(request, current)},
    )


async def _review_detail(
    request: Request,
    current: CurrentSession,
    suggestion_id: UUID,
    *,
    error: DomainError | None = None,
) -> Response:
    app = core(request)
    found = await app.get_suggestion_for_review(current.user, suggestion_id=suggestion_id)
    context = {
        "found": found,
        "suggestion": found.suggestion,
        "emails": await _emails(request, current),
        "professions": await app.list_professions(current.user),
        "categories": await app.list_categories(current.user),
        "saved": request.query_params.get("saved") == "1",
        "error": ui_error_text(error, request.state.translator) if error else "",
    }
    status = http_status(error) if error else 200
    return render(request, "suggestions_review_detail.html", context, status=status)


@page(Role.ADMIN)
async def review_detail(request: Request, current: CurrentSession) -> Response:
    suggestion_id = path_uuid(request, "suggestion_id", "Suggestion")
    return await _review_detail(request, current, suggestion_id)


@page(Role.ADMIN)
async def decide(request: Request, current: CurrentSession) -> Response:
    suggestion_id = path_uuid(request, "suggestion_id", "Suggestion")
    form = await read_form(request)
    try:
        decision = SuggestionDecisionType.parse(field(form, "decision"))
        accept = decision is SuggestionDecisionType.ACCEPT
        await core(request).decide_suggestion(
            current.user,
            suggestion_id=suggestion_id,
            decision=decision,
            rationale=field(form, "rationale"),
            title=field(form, "title") or None if accept else None,
            description=field(form, "description") or None if accept else None,
            professions=fields(form, "professions") or None if accept else None,
            categories=fields(form, "categories") or None if accept else None,
        )
    except DomainError as error:
        if error.code not in _FORM_ERRORS:
            raise
        return await _review_detail(request, current, suggestion_id, error=error)
    return redirect(f"/admin/suggestions/{suggestion_id}?saved=1")


routes: list[BaseRoute] = [
    Route("/suggestions/new", new_form, methods=["GET"]),
    Route("/suggestions/new", submit, methods=["POST"]),
    Route("/admin/suggestions", review_queue, methods=["GET"]),
    Route("/admin/suggestions/{suggestion_id}", review_detail, methods=["GET"]),
    Route("/admin/suggestions/{suggestion_id}/decision", decide, methods=["POST"]),
]
