"""The caller, the catalog and runs: ``/me``, taxonomy, runnable tools, starting a production
run, run history, status, cancel and artifact download (EXE-01–EXE-11, ED-10/11, ERR-06)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

from skriptoteket.application.execution import Upload
from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.runs import RunContext
from starlette.datastructures import FormData, UploadFile
from starlette.responses import StreamingResponse

from skriptoteket_web.api.dto import from_core
from skriptoteket_web.api.framework import (
    EVENT_STREAM,
    Call,
    Endpoint,
    Items,
    Multipart,
    Query,
    enum_query,
    int_query,
)
from skriptoteket_web.api.responses import (
    CatalogToolOut,
    CategoryOut,
    MeOut,
    ProfessionOut,
    RunnableToolOut,
    RunOut,
    RunPageOut,
    run_out,
    runnable_tool_out,
)
from skriptoteket_web.api.run_stream import run_events
from skriptoteket_web.auth import current_session
from skriptoteket_web.downloads import artifact_response
from skriptoteket_web.json_text import parse_json

RUN_FORM = Multipart(
    files={"files": "The uploaded files; repeat the part for several files."},
    fields={
        "inputs": (
            {"type": "object"},
            "A JSON object with the tool's field values (see the tool's input_schema).",
        ),
        "file_fields": (
            {"type": "object", "additionalProperties": {"type": "string"}},
            "A JSON object mapping an uploaded file's name to the input schema's file field it "
            "is for; needed only when the tool has several file fields that could take it.",
        ),
    },
)


def _json_part(form: FormData, name: str) -> dict[str, Any]:
    parts = form.getlist(name)
    if not parts:
        return {}
    if len(parts) > 1 or not isinstance(parts[0], str):
        raise validation_error(f"'{name}' must be one text part holding a JSON object", field=name)
    if not parts[0].strip():
        return {}
    try:
        value = parse_json(parts[0])
    except ValueError:
        raise validation_error(f"'{name}' is not valid JSON", field=name) from None
    if not isinstance(value, dict):
        raise validation_error(f"'{name}' must be a JSON object", field=name)
    return value


async def read_run_form(form: FormData | None) -> tuple[list[Upload], dict[str, Any]]:
    """The multipart run request → uploads (with their schema field, if named) and values."""
    assert form is not None
    values = _json_part(form, "inputs")
    fields = _json_part(form, "file_fields")
    if not all(isinstance(v, str) for v in fields.values()):
        raise validation_error("'file_fields' must map file names to field names")
    uploads: list[Upload] = []
    for part in form.getlist("files"):
        if not isinstance(part, UploadFile):
            raise validation_error("'files' parts must be files", field="files")
        name = part.filename or ""
        uploads.append(
            Upload(filename=part.filename, data=await part.read(), field=fields.get(name))
        )
    unknown = sorted(set(fields) - {u.filename or "" for u in uploads})
    if unknown:
        raise validation_error("'file_fields' names files that were not sent", files=unknown)
    return uploads, values


# --- handlers ---


async def me(call: Call) -> MeOut:
    session = current_session(call.request)
    csrf_token = session.session.csrf_token if session is not None else None
    return from_core(MeOut, call.actor, csrf_token=csrf_token)


async def professions(call: Call) -> list[ProfessionOut]:
    return [from_core(ProfessionOut, p) for p in await call.core.list_professions(call.actor)]


async def categories(call: Call) -> list[CategoryOut]:
    profession = call.query.get("profession")
    if profession:
        found = await call.core.list_categories_for_profession(
            call.actor, profession_slug=profession
        )
        return [from_core(CategoryOut, c) for c in found.categories]
    return [from_core(CategoryOut, c) for c in await call.core.list_categories(call.actor)]


TOOLS_PAGE_SIZE = 200


async def tools(call: Call) -> list[CatalogToolOut]:
    found = await call.core.search_catalog(
        call.actor,
        query=call.query.get("q", ""),
        profession_slug=call.query.get("profession"),
        category_slug=call.query.get("category"),
        limit=call.query.get("limit", TOOLS_PAGE_SIZE),
        offset=call.query.get("offset", 0),
    )
    return [from_core(CatalogToolOut, entry.tool) for entry in found]


async def tool(call: Call) -> RunnableToolOut:
    return runnable_tool_out(await call.core.get_runnable_tool(call.actor, slug=call.text("slug")))


async def start_run(call: Call) -> RunOut:
    uploads, values = await read_run_form(call.form)
    run = await call.core.start_production_run(
        call.actor, slug=call.text("slug"), uploads=uploads, values=values
    )
    return run_out(await call.core.get_run(call.actor, run_id=run.id))


def encode_cursor(created_at: datetime, run_id: UUID) -> str:
    raw = f"{created_at.isoformat()}|{run_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, _, run_id = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        return datetime.fromisoformat(when), UUID(run_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError("not a cursor from this API") from None


async def list_runs(call: Call) -> RunPageOut:
    limit = call.query.get("limit", 50)
    context = call.query.get("context")
    views = await call.core.list_my_runs(
        call.actor,
        context=RunContext(context) if context else None,
        limit=limit,
        before=call.query.get("cursor"),
    )
    last = views[-1].run if len(views) == limit else None
    return RunPageOut(
        items=[run_out(v) for v in views],
        next=encode_cursor(last.created_at, last.id) if last else None,
    )


async def get_run(call: Call) -> RunOut:
    return run_out(await call.core.get_run(call.actor, run_id=call.uuid("run_id", "ToolRun")))


async def cancel_run(call: Call) -> RunOut:
    return run_out(await call.core.cancel_run(call.actor, run_id=call.uuid("run_id", "ToolRun")))


async def artifact(call: Call) -> StreamingResponse:
    found = await call.core.open_artifact(
        call.actor, run_id=call.uuid("run_id", "ToolRun"), artifact_id=call.text("artifact_id")
    )
    return artifact_response(found)


OWNER = "the run's owner; admins and superusers (anyone else: 404)"

ENDPOINTS = (
    Endpoint("GET", "/me", "getMe", "The current user", me, "me", response=MeOut),
    Endpoint(
        "GET",
        "/professions",
        "listProfessions",
        "Professions (CAT-05)",
        professions,
        "catalog",
        response=Items(ProfessionOut),
    ),
    Endpoint(
        "GET",
        "/categories",
        "listCategories",
        "Categories, all or those linked to a profession (CAT-06)",
        categories,
        "catalog",
        query=(Query("profession", {"type": "string"}, description="a profession slug"),),
        response=Items(CategoryOut),
    ),
    Endpoint(
        "GET",
        "/tools",
        "listTools",
        "Runnable tools, filtered by profession, category and words, by title; one page of "
        "at most `limit` (default 200) after `offset`: ask again with a larger offset while a "
        "page comes back full",
        tools,
        "catalog",
        query=(
            Query("profession", {"type": "string"}, description="a profession slug"),
            Query("category", {"type": "string"}, description="a category slug"),
            Query("q", {"type": "string"}, description="words in title, summary or slug"),
            int_query("limit", minimum=1, maximum=1000, description="page size (default 200)"),
            int_query("offset", minimum=0, maximum=1_000_000, description="tools to skip"),
        ),
        response=Items(CatalogToolOut),
    ),
    Endpoint(
        "GET",
        "/tools/{slug}",
        "getTool",
        "A runnable tool with its input schema (404 unless runnable, EXE-01)",
        tool,
        "catalog",
        response=RunnableToolOut,
    ),
    Endpoint(
        "POST",
        "/tools/{slug}/runs",
        "startRun",
        "Run a tool's active version (production, EXE-03)",
        start_run,
        "runs",
        multipart=RUN_FORM,
        status=202,
        response=RunOut,
    ),
    Endpoint(
        "GET",
        "/runs",
        "listRuns",
        "The caller's runs, newest first (EXE-11)",
        list_runs,
        "runs",
        query=(
            int_query("limit", minimum=1, maximum=200, description="page size (default 50)"),
            Query(
                "cursor",
                {"type": "string"},
                decode_cursor,
                "the previous page's 'next'",
            ),
            enum_query("context", [c.value for c in RunContext]),
        ),
        response=RunPageOut,
    ),
    Endpoint(
        "GET",
        "/runs/{run_id}",
        "getRun",
        "A run: status, queue position, HTML, error summary, artifacts",
        get_run,
        "runs",
        access=OWNER,
        response=RunOut,
    ),
    Endpoint(
        "GET",
        "/runs/{run_id}/events",
        "watchRun",
        "A run's status as server-sent events, until it is final",
        run_events,
        "runs",
        access=OWNER,
        response=EVENT_STREAM,
        description=(
            "A `text/event-stream`: the first event is the current status, then one per status "
            'change, each `event: status` with `data: {"id", "status", "queue_position"}`; the '
            "stream closes after the final status (succeeded, failed, cancelled, timed_out), "
            "or after the longest run timeout plus a minute. `: ping` comments keep it open. "
            "Changes committed by any process (a worker on another machine too) arrive."
        ),
    ),
    Endpoint(
        "POST",
        "/runs/{run_id}/cancel",
        "cancelRun",
        "Cancel a queued or running run",
        cancel_run,
        "runs",
        access=OWNER,
        response=RunOut,
    ),
    Endpoint(
        "GET",
        "/runs/{run_id}/artifacts/{artifact_id}",
        "downloadArtifact",
        "An artifact of a run, as an attachment (EXE-08, ED-11)",
        artifact,
        "runs",
        access=OWNER,
        response="binary",
    ),
)
