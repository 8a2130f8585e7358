"""R15–R24 "Skripteditorn": open a tool or a version, create and save drafts, submit for review,
publish, request changes and roll back (ED-01–ED-07, ED-12, GOV-01–GOV-08, AMB-01).

Every POST answers 303 with a toast (ED-16); a refused action re-renders the editor with the
Swedish message, the author's text kept, and the mapped status (400/403/404/409).
"""

from __future__ import annotations

from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.application.versions import default_editor_version
from skriptoteket.domain.errors import DomainError, ErrorCode, validation_error
from skriptoteket.domain.identity import Role
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page
from skriptoteket_web.editor_forms import parse_schema_field
from skriptoteket_web.forms import field, form_uuid, path_uuid, read_form
from skriptoteket_web.pages.editor_support import editor_page, tool_editor
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.toasts import redirect_with_toast
from skriptoteket_web.ui_text import N_

_SHOWN_ERRORS = (ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN)


def _values(form: FormData) -> dict[str, str]:
    return {
        name: field(form, name)
        for name in ("source_code", "entrypoint", "input_schema", "change_summary")
    }


@page(Role.CONTRIBUTOR)
async def tool_page(request: Request, current: CurrentSession) -> Response:
    tool_id = path_uuid(request, "tool_id", "Tool")
    tool = await core(request).get_tool(current.user, tool_id=tool_id)
    return await tool_editor(request, current, tool)


@page(Role.CONTRIBUTOR)
async def version_page(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    version = await app.get_version(
        current.user, version_id=path_uuid(request, "version_id", "ToolVersion")
    )
    tool = await app.get_tool(current.user, tool_id=version.tool_id)
    return await editor_page(request, current, tool, version)


@page(Role.CONTRIBUTOR)
async def version_list(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    tool = await app.get_tool(current.user, tool_id=path_uuid(request, "tool_id", "Tool"))
    versions = await app.list_versions(current.user, tool_id=tool.id)
    selected = request.query_params.get("selected", "")
    context = {"tool": tool, "versions": versions, "selected_id": selected}
    return render(request, "admin/partials/version_list.html", context, partial=True)


async def _refused(
    request: Request,
    current: CurrentSession,
    error: DomainError,
    *,
    tool_id: UUID,
    version_id: UUID | None,
    values: dict[str, str] | None = None,
) -> Response:
    if error.code not in _SHOWN_ERRORS:
        raise error
    app = core(request)
    tool = await app.get_tool(current.user, tool_id=tool_id)
    selected = None
    if version_id is not None:
        try:
            selected = await app.get_version(current.user, version_id=version_id)
        except DomainError:
            selected = None
    else:
        selected = default_editor_version(await app.list_versions(current.user, tool_id=tool_id))
    return await editor_page(request, current, tool, selected, values=values, error=error)


@page(Role.CONTRIBUTOR)
async def create_draft(request: Request, current: CurrentSession) -> Response:
    """ED-05."""
    app = core(request)
    tool = await app.get_tool(current.user, tool_id=path_uuid(request, "tool_id", "Tool"))
    form = await read_form(request)
    values = _values(form)
    derived = None
    try:
        if field(form, "derived_from_version_id").strip():
            derived = form_uuid(form, "derived_from_version_id")
        version = await app.create_draft_version(
            current.user,
            tool_id=tool.id,
            source_code=values["source_code"],
            entrypoint=values["entrypoint"] or None,
            change_summary=values["change_summary"],
            derived_from_version_id=derived,
            input_schema=parse_schema_field(values["input_schema"]),
        )
    except DomainError as error:
        return await _refused(
            request, current, error, tool_id=tool.id, version_id=derived, values=values
        )
    return redirect_with_toast(request, f"/admin/tool-versions/{version.id}", N_("Draft created."))


async def _version(request: Request, current: CurrentSession) -> tuple[UUID, UUID]:
    """(version id, tool id) of the path's version, which the actor may view."""
    version_id = path_uuid(request, "version_id", "ToolVersion")
    version = await core(request).get_version(current.user, version_id=version_id)
    return version.id, version.tool_id


@page(Role.CONTRIBUTOR)
async def save_draft(request: Request, current: CurrentSession) -> Response:
    """ED-06: a new draft row; the hidden expected_parent_version_id must still be the head."""
    version_id, tool_id = await _version(request, current)
    form = await read_form(request)
    values = _values(form)
    try:
        raw_parent = field(form, "expected_parent_version_id").strip()
        try:
            parent = UUID(raw_parent)
        except ValueError:
            raise validation_error("Invalid id", expected_parent_version_id=raw_parent) from None
        version = await core(request).save_draft_version(
            current.user,
            version_id=version_id,
            expected_parent_version_id=parent,
            source_code=values["source_code"],
            entrypoint=values["entrypoint"] or None,
            change_summary=values["change_summary"],
            input_schema=parse_schema_field(values["input_schema"]),
        )
    except DomainError as error:
        return await _refused(
            request, current, error, tool_id=tool_id, version_id=version_id, values=values
        )
    return redirect_with_toast(request, f"/admin/tool-versions/{version.id}", N_("Saved."))


@page(Role.CONTRIBUTOR)
async def submit_review(request: Request, current: CurrentSession) -> Response:
    """ED-07."""
    version_id, tool_id = await _version(request, current)
    form = await read_form(request)
    try:
        await core(request).submit_for_review(
            current.user, version_id=version_id, review_note=field(form, "review_note")
        )
    except DomainError as error:
        return await _refused(request, current, error, tool_id=tool_id, version_id=version_id)
    return redirect_with_toast(
        request, f"/admin/tool-versions/{version_id}", N_("Sent for review.")
    )


@page(Role.ADMIN)
async def publish(request: Request, current: CurrentSession) -> Response:
    """GOV-01: copy-on-activate; the tool's catalog visibility is unchanged (AMB-02)."""
    version_id, tool_id = await _version(request, current)
    form = await read_form(request)
    try:
        result = await core(request).publish_version(
            current.user,
            version_id=version_id,
            change_summary=field(form, "change_summary") or None,
        )
    except DomainError as error:
        return await _refused(request, current, error, tool_id=tool_id, version_id=version_id)
    path = f"/admin/tool-versions/{result.new_active_version_id}"
    return redirect_with_toast(request, path, N_("Published."))


@page(Role.ADMIN)
async def request_changes(request: Request, current: CurrentSession) -> Response:
    """GOV-04: the reviewed version is archived and a new draft goes back to its author."""
    version_id, tool_id = await _version(request, current)
    form = await read_form(request)
    try:
        draft = await core(request).request_changes(
            current.user, version_id=version_id, message=field(form, "message")
        )
    except DomainError as error:
        return await _refused(request, current, error, tool_id=tool_id, version_id=version_id)
    return redirect_with_toast(
        request, f"/admin/tool-versions/{draft.id}", N_("Changes requested.")
    )


@page(Role.SUPERUSER)
async def rollback(request: Request, current: CurrentSession) -> Response:
    """GOV-05, AMB-01: tool-scoped; ``from_version_id`` must be an archived version of it."""
    tool_id = path_uuid(request, "tool_id", "Tool")
    form = await read_form(request)
    try:
        from_version = form_uuid(form, "from_version_id")
        result = await core(request).rollback_version(
            current.user, tool_id=tool_id, from_version_id=from_version
        )
    except DomainError as error:
        return await _refused(request, current, error, tool_id=tool_id, version_id=None)
    path = f"/admin/tool-versions/{result.new_active_version_id}"
    return redirect_with_toast(request, path, N_("Version restored."))


routes: list[BaseRoute] = [
    Route("/admin/tools/{tool_id}", tool_page, methods=["GET"]),
    Route("/admin/tools/{tool_id}/versions", version_list, methods=["GET"]),
    Route("/admin/tools/{tool_id}/versions", create_draft, methods=["POST"]),
    Route("/admin/tools/{tool_id}/rollback", rollback, methods=["POST"]),
    Route("/admin/tool-versions/{version_id}", version_page, methods=["GET"]),
    Route("/admin/tool-versions/{version_id}/save", save_draft, methods=["POST"]),
    Route("/admin/tool-versions/{version_id}/submit-review", submit_review, methods=["POST"]),
    Route("/admin/tool-versions/{version_id}/publish", publish, methods=["POST"]),
    Route("/admin/tool-versions/{version_id}/request-changes", request_changes, methods=["POST"]),
]
