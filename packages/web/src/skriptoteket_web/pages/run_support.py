"""What the user run pages and the editor's sandbox runs share: the run-status partial (polled
by htmx every second until the run is final, and every ``EARLY_POLL_MS`` during its first
``EARLY_POLL_SECONDS``, so a quick run's result shows without waiting a whole second: DESIGN §9
"click Kör → result shown" p50 ≤ 0.5 s, bench/web_click_to_result.py; with a toast once it is
final), cancelling, the result document shown in the sandboxed iframe, and artifact downloads."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import UUID

from skriptoteket.application.identity import CurrentSession
from skriptoteket.application.runs import RunView
from skriptoteket.domain.errors import not_found
from starlette.requests import Request
from starlette.responses import Response

from skriptoteket_web.api.framework import API_PREFIX
from skriptoteket_web.downloads import artifact_response
from skriptoteket_web.middleware.security_headers import RESULT_FRAME_HEADERS
from skriptoteket_web.run_text import error_text, size_text
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.toasts import run_toast

EARLY_POLL_MS = 200
EARLY_POLL_SECONDS = 3.0


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (a boosted navigation wants the whole page)."""
    return request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted")


def run_context(
    request: Request, view: RunView, *, base: str, admin_view: bool = False, **extra: Any
) -> dict[str, Any]:
    """``base`` is the run's URL (``/my-runs/{id}`` or ``/admin/tool-runs/{id}``): the status
    partial is ``{base}/status``, cancel ``{base}/cancel``, the HTML result (the iframe's
    ``src``) ``{base}/result.html``, files ``{base}/artifacts/{id}``."""
    run = view.run
    in_form = bool(extra.pop("in_form", False))
    status_url = base if admin_view else f"{base}/status"
    age = (core(request).deps.clock.now() - run.created_at).total_seconds()
    return {
        "run": run,
        "view": view,
        "final": run.status.is_terminal,
        "early_poll_ms": EARLY_POLL_MS if age < EARLY_POLL_SECONDS else None,
        "base": base,
        "status_url": f"{status_url}?in_form=1" if in_form else status_url,
        "events_url": f"{API_PREFIX}/runs/{run.id}/events",
        "in_form": in_form,
        "admin_view": admin_view,
        "error_text": error_text(run, request.state.translator, detailed=admin_view),
        "html": run.html_output or "",
        "size_text": partial(size_text, t=request.state.translator),
        "tool_slug": None,
        **extra,
    }


def render_status(
    request: Request, context: Mapping[str, Any], extra: Mapping[str, Any] | None = None
) -> Response:
    """The partial reads the run from ``ctx``; ``extra`` adds template flags.

    EXE-04, ED-08: an htmx request that finds the run final also gets a toast ("Körning
    lyckades." …), swapped out of band into the page's live region (``#toast-region``). The
    partial stops polling once the run is final, so each run's toast comes once."""
    full: dict[str, Any] = {"ctx": context, **(extra or {})}
    if is_htmx(request) and context["final"]:
        full["run_toast"] = run_toast(context["run"])
    return render(request, "partials/run_status.html", full, partial=True)


def result_document(view: RunView) -> Response:
    """The run's HTML output as a document of its own, for the result iframe's ``src`` (UI-07,
    DESIGN §6): its own CSP lets the tool's inline styles apply, and nothing else run or load.
    The caller has checked that the actor may see the run (EXE-07 or ED-10); no HTML: 404."""
    html = view.run.html_output
    if not html:
        raise not_found("ToolRun", run_id=str(view.run.id))
    if not html.lstrip().lower().startswith("<!doctype"):
        # Standards mode, as the srcdoc iframe had: tools return fragments.
        html = "<!DOCTYPE html>\n" + html
    return Response(html, headers=dict(RESULT_FRAME_HEADERS))


async def download(
    request: Request, current: CurrentSession, run_id: UUID, *, production_only: bool
) -> Response:
    """EXE-08, ED-11: in the manifest and on disk, or 404; always an attachment."""
    found = await core(request).open_artifact(
        current.user,
        run_id=run_id,
        artifact_id=str(request.path_params["artifact_id"]),
        production_only=production_only,
    )
    return artifact_response(found)
