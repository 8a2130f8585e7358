"""R30–R33 and EXE-01–EXE-13: running a tool as a teacher, and "Mina körningar".

``GET /tools/{slug}/run`` renders the active version's input form (404 unless runnable).
``POST`` starts a production run; with htmx the answer is the run-status partial, which polls
``/my-runs/{id}/status`` every second until the run is final (queue position, then the result
in a sandboxed iframe, files, or a friendly error), with "Avbryt" while it waits or runs.
The iframe loads ``/my-runs/{id}/result.html``, the run's HTML under its own CSP (DESIGN §6).
Without JavaScript the whole page comes back with the same partial and a link to refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.application.runnable import RunnableTool
from skriptoteket.application.runs import RunView
from skriptoteket.domain.errors import DomainError, ErrorCode, not_found
from skriptoteket.domain.identity import Role
from skriptoteket.domain.runs import RunContext
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page, redirect
from skriptoteket_web.forms import path_uuid, read_form
from skriptoteket_web.input_form import RunForm, build_form, input_error, read_run_inputs, schema_of
from skriptoteket_web.middleware.body_limit import UploadRoute
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

PAGE_SIZE = 50


def _run_page(
    request: Request,
    tool: RunnableTool,
    form: RunForm,
    *,
    run: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request, "tools/run.html", {"tool": tool.tool, "form": form, "result": run}, status=status
    )


@page(Role.USER)
async def run_form(request: Request, current: CurrentSession) -> Response:
    tool = await core(request).get_runnable_tool(current.user, slug=request.path_params["slug"])
    return _run_page(request, tool, build_form(tool.input_schema))


@page(Role.USER)
async def start_run(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    tool = await app.get_runnable_tool(current.user, slug=request.path_params["slug"])
    form = await read_form(request)
    uploads, values = await read_run_inputs(form, tool.input_schema)
    shown = {**build_form(tool.input_schema).values, **values}
    try:
        run = await app.start_production_run(
            current.user, slug=tool.tool.slug, uploads=uploads, values=values
        )
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise
        target, message = input_error(error, request.state.translator, schema_of(tool.input_schema))
        errors = {target: message} if target else {}
        status = http_status(error)
        if is_htmx(request):
            context = {"errors": errors, "error": message, "form": build_form(tool.input_schema)}
            return render(
                request, "tools/partials/run_errors.html", context, status=status, partial=True
            )
        bad = build_form(tool.input_schema, shown, errors=errors, error=message)
        return _run_page(request, tool, bad, status=status)
    view = await app.get_run(current.user, run_id=run.id)
    context = run_context(
        request, view, base=f"/my-runs/{run.id}", tool_slug=tool.tool.slug, in_form=True
    )
    if is_htmx(request):
        return render_status(request, context, {"clear_form": build_form(tool.input_schema)})
    return _run_page(request, tool, build_form(tool.input_schema, shown), run=context)


async def _own_production_run(request: Request, current: CurrentSession) -> RunView:
    """EXE-07: the requester's own production run, else 404 (admins included)."""
    run_id = path_uuid(request, "run_id", "ToolRun")
    view = await core(request).get_run(current.user, run_id=run_id)
    run = view.run
    if run.requested_by_user_id != current.user.id or run.context is not RunContext.PRODUCTION:
        raise not_found("ToolRun", run_id=str(run_id))
    return view


async def _tool_slug(request: Request, current: CurrentSession, tool_id: UUID) -> str | None:
    names = await core(request).list_tool_names(current.user, tool_ids=[tool_id])
    return names[tool_id].slug if tool_id in names else None


@page(Role.USER)
async def run_status(request: Request, current: CurrentSession) -> Response:
    view = await _own_production_run(request, current)
    slug = await _tool_slug(request, current, view.run.tool_id)
    context = run_context(
        request,
        view,
        base=f"/my-runs/{view.run.id}",
        tool_slug=slug,
        in_form=request.query_params.get("in_form") == "1",
    )
    return render_status(request, context)


@page(Role.USER)
async def cancel(request: Request, current: CurrentSession) -> Response:
    view = await _own_production_run(request, current)
    try:
        view = await core(request).cancel_run(current.user, run_id=view.run.id)
    except DomainError as error:
        if error.code is not ErrorCode.CONFLICT:
            raise  # CONFLICT: it finished meanwhile; show what is stored
    if not is_htmx(request):
        return redirect(f"/my-runs/{view.run.id}")
    slug = await _tool_slug(request, current, view.run.tool_id)
    context = run_context(request, view, base=f"/my-runs/{view.run.id}", tool_slug=slug)
    return render_status(request, context)


@page(Role.USER)
async def run_detail(request: Request, current: CurrentSession) -> Response:
    view = await _own_production_run(request, current)
    names = await core(request).list_tool_names(current.user, tool_ids=[view.run.tool_id])
    tool = names.get(view.run.tool_id)
    context = run_context(
        request, view, base=f"/my-runs/{view.run.id}", tool_slug=tool.slug if tool else None
    )
    return render(request, "my_runs/detail.html", {"result": context, "tool": tool})


def _cursor(raw: str | None) -> tuple[datetime, UUID] | None:
    """``before`` = ``<ISO time>_<run id>`` of the last run shown (a keyset page)."""
    if not raw or "_" not in raw:
        return None
    when, _, run_id = raw.rpartition("_")
    try:
        return datetime.fromisoformat(when), UUID(run_id)
    except ValueError:
        return None


@page(Role.USER)
async def my_runs(request: Request, current: CurrentSession) -> Response:
    app = core(request)
    before = _cursor(request.query_params.get("before"))
    views = await app.list_my_runs(
        current.user, context=RunContext.PRODUCTION, limit=PAGE_SIZE + 1, before=before
    )
    shown = list(views[:PAGE_SIZE])
    older = None
    if len(views) > PAGE_SIZE:
        last = shown[-1].run
        older = f"{last.created_at.isoformat()}_{last.id}"
    names = await app.list_tool_names(current.user, tool_ids=[v.run.tool_id for v in shown])
    context = {"runs": shown, "names": names, "older": older, "paged": before is not None}
    return render(request, "my_runs/list.html", context)


@page(Role.USER)
async def result_html(request: Request, current: CurrentSession) -> Response:
    """The result iframe's document: the same rule as the run page (EXE-07), else 404."""
    return result_document(await _own_production_run(request, current))


@page(Role.USER)
async def artifact(request: Request, current: CurrentSession) -> Response:
    run_id = path_uuid(request, "run_id", "ToolRun")
    return await download(request, current, run_id, production_only=True)


routes: list[BaseRoute] = [
    Route("/tools/{slug}/run", run_form, methods=["GET"]),
    UploadRoute("/tools/{slug}/run", start_run, methods=["POST"]),
    Route("/my-runs", my_runs, methods=["GET"]),
    Route("/my-runs/{run_id}", run_detail, methods=["GET"]),
    Route("/my-runs/{run_id}/status", run_status, methods=["GET"]),
    Route("/my-runs/{run_id}/cancel", cancel, methods=["POST"]),
    Route("/my-runs/{run_id}/result.html", result_html, methods=["GET"]),
    Route("/my-runs/{run_id}/artifacts/{artifact_id}", artifact, methods=["GET"]),
]
