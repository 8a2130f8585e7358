"""R12–R14 "Testyta": every tool with publish/depublish (TOOL-02–TOOL-07), and R29 "Mina
verktyg" (TOOL-17). "Redigera" links to the script editor (``/admin/tools/{id}``, later)."""

from __future__ import annotations

from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import field, path_uuid, read_form
from skriptoteket_web.pages.editor_support import tool_editor
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.toasts import redirect_with_toast
from skriptoteket_web.ui_text import N_, http_status, ui_error_text


async def _tools_page(
    request: Request, current: CurrentSession, *, error: DomainError | None = None
) -> Response:
    context = {
        "tools": await core(request).list_all_tools(current.user),
        "updated": request.query_params.get("updated") == "1",
        "error": ui_error_text(error, request.state.translator) if error else "",
    }
    return render(request, "admin_tools.html", context, status=http_status(error) if error else 200)


@page(Role.ADMIN)
async def list_tools(request: Request, current: CurrentSession) -> Response:
    return await _tools_page(request, current)


async def _set_published(
    request: Request, current: CurrentSession, tool_id: UUID, published: bool
) -> Response:
    back = f"/admin/tools/{tool_id}"
    from_editor = field(await read_form(request), "next") == back  # the editor's catalog toggle
    app = core(request)
    try:
        await app.set_tool_published(current.user, tool_id=tool_id, published=published)
    except DomainError as error:
        if error.code not in (ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT):
            raise
        if from_editor:  # shown beside the editor's button, e.g. a draft-… slug (AMB-20)
            tool = await app.get_tool(current.user, tool_id=tool_id)
            return await tool_editor(request, current, tool, catalog_error=error)
        return await _tools_page(request, current, error=error)
    if from_editor:
        return redirect_with_toast(request, back, N_("Updated."))
    return redirect("/admin/tools?updated=1")


@page(Role.ADMIN)
async def publish(request: Request, current: CurrentSession) -> Response:
    return await _set_published(request, current, path_uuid(request, "tool_id", "Tool"), True)


@page(Role.ADMIN)
async def depublish(request: Request, current: CurrentSession) -> Response:
    return await _set_published(request, current, path_uuid(request, "tool_id", "Tool"), False)


@page(Role.CONTRIBUTOR)
async def my_tools(request: Request, current: CurrentSession) -> Response:
    tools = await core(request).list_my_tools(current.user)
    return render(request, "my_tools.html", {"tools": tools})


routes: list[BaseRoute] = [
    Route("/admin/tools", list_tools, methods=["GET"]),
    Route("/admin/tools/{tool_id}/publish", publish, methods=["POST"]),
    Route("/admin/tools/{tool_id}/depublish", depublish, methods=["POST"]),
    Route("/my-tools", my_tools, methods=["GET"]),
]
