"""R25–R27: sandbox runs from the editor ("Testkör", ED-08–ED-11, ED-13) and the admin view of
any run (status partial with stdout/stderr, cancel, artifact downloads).

The sandbox form posts with htmx into ``#sandbox-result`` and gets the run-status partial,
which polls ``/admin/tool-runs/{id}`` every second until the run is final. Without htmx the
editor is rendered again with the result. The HTML preview's iframe loads
``/admin/tool-runs/{id}/result.html`` (DESIGN §6).
"""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import path_uuid, read_form
from skriptoteket_web.input_form import input_error, read_run_inputs, schema_of
from skriptoteket_web.middleware.body_limit import UploadRoute
from skriptoteket_web.pages.editor_support import editor_page
from skriptoteket_web.pages.run_support import (
    download,
    is_htmx,
    render_status,
    result_document,
    run_context,
)
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import http_status


@page(Role.CONTRIBUTOR)
async def run_sandbox(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    version = await app.get_version(
        current.user, version_id=path_uuid(request, "version_id", "ToolVersion")
    )
    form = await read_form(request)
    uploads, values = await read_run_inputs(form, version.input_schema)
    try:
        run = await app.start_sandbox_run(
            current.user, version_id=version.id, uploads=uploads, values=values
        )
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise
        _target, message = input_error(
            error, request.state.translator, schema_of(version.input_schema)
        )
        if is_htmx(request):
            context = {"message": message}
            return render(
                request,
                "admin/partials/run_error.html",
                context,
                status=http_status(error),
                partial=True,
            )
        tool = await app.get_tool(current.user, tool_id=version.tool_id)
        return await editor_page(request, current, tool, version, error=error)
    view = await app.get_run(current.user, run_id=run.id)
    context = run_context(request, view, base=f"/admin/tool-runs/{run.id}", admin_view=True)
    if is_htmx(request):
        return render_status(request, context)
    tool = await app.get_tool(current.user, tool_id=version.tool_id)
    return await editor_page(request, current, tool, version, sandbox=context)


@page(Role.CONTRIBUTOR)
async def tool_run(request: Request, current: CurrentSession) -> Response:
    """ED-10: the requester or an admin (others: 404); a full page without htmx."""
    run_id = path_uuid(request, "run_id", "ToolRun")
    view = await core(request).get_run(current.user, run_id=run_id)
    context = run_context(request, view, base=f"/admin/tool-runs/{run_id}", admin_view=True)
    if is_htmx(request):
        return render_status(request, context)
    return render(request, "admin/tool_run.html", {"result": context})


@page(Role.CONTRIBUTOR)
async def cancel(request: Request, current: CurrentSession) -> Response:
    run_id = path_uuid(request, "run_id", "ToolRun")
    app = core(request)
    try:
        view = await app.cancel_run(current.user, run_id=run_id)
    except DomainError as error:
        if error.code is not ErrorCode.CONFLICT:
            raise
        view = await app.get_run(current.user, run_id=run_id)
    if not is_htmx(request):
        return redirect(f"/admin/tool-runs/{run_id}")
    context = run_context(request, view, base=f"/admin/tool-runs/{run_id}", admin_view=True)
    return render_status(request, context)


@page(Role.CONTRIBUTOR)
async def result_html(request: Request, current: CurrentSession) -> Response:
    """The HTML preview's document: the same rule as the run itself (ED-10), else 404."""
    run_id = path_uuid(request, "run_id", "ToolRun")
    return result_document(await core(request).get_run(current.user, run_id=run_id))


@page(Role.CONTRIBUTOR)
async def artifact(request: Request, current: CurrentSession) -> Response:
    """ED-11: the same rule as the run itself."""
    run_id = path_uuid(request, "run_id", "ToolRun")
    return await download(request, current, run_id, production_only=False)


routes: list[BaseRoute] = [
    UploadRoute("/admin/tool-versions/{version_id}/run-sandbox", run_sandbox, methods=["POST"]),
    Route("/admin/tool-runs/{run_id}", tool_run, methods=["GET"]),
    Route("/admin/tool-runs/{run_id}/cancel", cancel, methods=["POST"]),
    Route("/admin/tool-runs/{run_id}/result.html", result_html, methods=["GET"]),
    Route("/admin/tool-runs/{run_id}/artifacts/{artifact_id}", artifact, methods=["GET"]),
]
