"""The editor's tool-level blocks: metadata (title, summary, slug until first publish, tags;
TOOL-10, AMB-20), maintainers (TOOL-14–TOOL-16, R28; an htmx partial that is always
re-rendered) and a diff between two versions of the tool (DESIGN §6)."""

from __future__ import annotations

import difflib
from typing import Any
from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.application.versions import default_editor_version
from skriptoteket.domain.errors import DomainError, ErrorCode, validation_error
from skriptoteket.domain.identity import Role
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, fields, path_uuid, read_form
from skriptoteket_web.pages.editor_support import editor_page, tool_editor
from skriptoteket_web.pages.run_support import is_htmx
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.toasts import redirect_with_toast
from skriptoteket_web.ui_text import N_, http_status, ui_error_text


@page(Role.ADMIN)
async def metadata(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    tool = await app.get_tool(current.user, tool_id=path_uuid(request, "tool_id", "Tool"))
    form = await read_form(request)
    summary = field(form, "summary")
    slug = field(form, "slug").strip()
    try:
        await app.update_tool(
            current.user,
            tool_id=tool.id,
            title=field(form, "title"),
            summary=summary if summary.strip() else None,
            clear_summary=not summary.strip(),
            slug=slug if slug and tool.first_published_at is None else None,
            professions=fields(form, "professions"),
            categories=fields(form, "categories"),
        )
    except DomainError as error:
        if error.code not in (ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT):
            raise
        versions = await app.list_versions(current.user, tool_id=tool.id)
        selected = default_editor_version(versions)
        return await editor_page(request, current, tool, selected, versions=versions, error=error)
    return redirect_with_toast(request, f"/admin/tools/{tool.id}", N_("Metadata saved."))


async def _maintainer_partial(
    request: Request,
    current: CurrentSession,
    tool_id: UUID,
    *,
    error: DomainError | None = None,
    email: str = "",
) -> Response:
    t = request.state.translator
    message = ""
    if error is not None:
        if error.code is ErrorCode.USER_NOT_FOUND or (
            error.code is ErrorCode.NOT_FOUND and error.details.get("entity") == "User"
        ):
            message = t.gettext(N_("No user with email: %(email)s"), email=email)
        elif error.reason == "maintainer_role":
            message = t.gettext(N_("Only contributors and administrators can be maintainers."))
        else:
            message = ui_error_text(error, t)
    context: dict[str, Any] = {
        "tool_id": tool_id,
        "maintainers": await core(request).list_maintainers(current.user, tool_id=tool_id),
        "maintainer_error": message,
    }
    status = http_status(error) if error else 200
    return render(
        request, "admin/partials/maintainer_list.html", context, status=status, partial=True
    )


@page(Role.ADMIN)
async def maintainers(request: Request, current: CurrentSession) -> Response:
    return await _maintainer_partial(request, current, path_uuid(request, "tool_id", "Tool"))


async def _after_change(
    request: Request,
    current: CurrentSession,
    tool_id: UUID,
    error: DomainError | None,
    email: str = "",
) -> Response:
    if is_htmx(request):
        return await _maintainer_partial(request, current, tool_id, error=error, email=email)
    if error is not None:
        tool = await core(request).get_tool(current.user, tool_id=tool_id)
        return await tool_editor(request, current, tool)
    return redirect(f"/admin/tools/{tool_id}#maintainers")


@page(Role.ADMIN)
async def add_maintainer(request: Request, current: CurrentSession) -> Response:
    tool_id = path_uuid(request, "tool_id", "Tool")
    form = await read_form(request)
    email = field(form, "email").strip()
    try:
        if not email:
            raise validation_error("Email is required", field="email")
        await core(request).assign_maintainer(current.user, tool_id=tool_id, email=email)
    except DomainError as error:
        if error.code is ErrorCode.FORBIDDEN:
            raise
        return await _after_change(request, current, tool_id, error, email)
    return await _after_change(request, current, tool_id, None)


@page(Role.ADMIN)
async def remove_maintainer(request: Request, current: CurrentSession) -> Response:
    tool_id = path_uuid(request, "tool_id", "Tool")
    user_id = path_uuid(request, "user_id", "User")
    try:
        await core(request).remove_maintainer(current.user, tool_id=tool_id, user_id=user_id)
    except DomainError as error:
        if error.code is not ErrorCode.VALIDATION_ERROR:
            raise
        return await _after_change(request, current, tool_id, error)
    return await _after_change(request, current, tool_id, None)


def _diff_rows(old: str, new: str) -> list[tuple[str, int | None, int | None, str]]:
    """(kind, old line no, new line no, text) with kind in equal/delete/insert, by difflib."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[tuple[str, int | None, int | None, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(("equal", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(i2 - i1))
            continue
        rows.extend(("delete", i + 1, None, a[i]) for i in range(i1, i2))
        rows.extend(("insert", None, j + 1, b[j]) for j in range(j1, j2))
    return rows


@page(Role.CONTRIBUTOR)
async def diff(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    tool = await app.get_tool(current.user, tool_id=path_uuid(request, "tool_id", "Tool"))
    versions = await app.list_versions(current.user, tool_id=tool.id)
    by_id = {str(v.id): v for v in versions}
    ordered = sorted(versions, key=lambda v: v.version_number)
    old = by_id.get(request.query_params.get("from", ""))
    new = by_id.get(request.query_params.get("to", ""))
    if old is None and len(ordered) >= 2:
        old = ordered[-2]
    if new is None and ordered:
        new = ordered[-1]
    rows = _diff_rows(old.source_code, new.source_code) if old and new else []
    context = {
        "tool": tool,
        "versions": sorted(versions, key=lambda v: -v.version_number),
        "old": old,
        "new": new,
        "rows": rows,
        "changed": any(kind != "equal" for kind, *_ in rows),
        "entrypoint_changed": bool(old and new and old.entrypoint != new.entrypoint),
    }
    return render(request, "admin/diff.html", context)


routes: list[BaseRoute] = [
    Route("/admin/tools/{tool_id}/metadata", metadata, methods=["POST"]),
    Route("/admin/tools/{tool_id}/maintainers", maintainers, methods=["GET"]),
    Route("/admin/tools/{tool_id}/maintainers", add_maintainer, methods=["POST"]),
    Route(
        "/admin/tools/{tool_id}/maintainers/{user_id}",
        remove_maintainer,
        methods=["DELETE", "POST"],
    ),
    Route("/admin/tools/{tool_id}/diff", diff, methods=["GET"]),
]
