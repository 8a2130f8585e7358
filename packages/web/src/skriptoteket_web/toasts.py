"""ED-16: a one-shot message after a redirect, in the cookie ``skriptoteket_toast``
(JSON ``{"m", "t"}``, URL-quoted, 30 s, HttpOnly, SameSite=lax). ``templating.render`` shows it
once and deletes the cookie. Only known message ids are accepted, so the cookie can never put
text of its own on a page.

EXE-04, ED-08: ``run_toast`` is the toast of a run that has become final, which the run-status
partial swaps into the page's live region without a cookie (``partials/toast.html``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote

from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from skriptoteket_web.json_text import parse_json
from skriptoteket_web.ui_text import N_

COOKIE = "skriptoteket_toast"

TOASTS = frozenset(
    {
        N_("Draft created."),
        N_("Saved."),
        N_("Sent for review."),
        N_("Published."),
        N_("Changes requested."),
        N_("Metadata saved."),
        N_("Version restored."),
        N_("Test run succeeded."),
        N_("Test run failed."),
        N_("Run succeeded."),
        N_("Run failed."),
        N_("The run was cancelled."),
        N_("Updated."),
    }
)


def run_toast(run: ToolRun) -> dict[str, str] | None:
    """The toast of a final run, in the shape ``read_toast`` returns; ``None`` while it runs."""
    if not run.status.is_terminal:
        return None
    if run.status is RunStatus.CANCELLED:
        return {"message": N_("The run was cancelled."), "kind": "info"}
    sandbox = run.context is RunContext.SANDBOX
    if run.status is RunStatus.SUCCEEDED:
        message = N_("Test run succeeded.") if sandbox else N_("Run succeeded.")
        return {"message": message, "kind": "success"}
    message = N_("Test run failed.") if sandbox else N_("Run failed.")
    return {"message": message, "kind": "error"}


def set_toast(response: Response, message: str, kind: str = "success") -> Response:
    assert message in TOASTS, message
    value = quote(json.dumps({"m": message, "t": kind}, separators=(",", ":")))
    response.set_cookie(COOKIE, value, max_age=30, httponly=True, samesite="lax", path="/")
    return response


def read_toast(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = parse_json(unquote(raw))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("m") not in TOASTS:
        return None
    kind = "error" if data.get("t") == "error" else "success"
    return {"message": data["m"], "kind": kind}


def redirect_with_toast(request: Request, path: str, message: str) -> Response:
    """303 with the toast; an htmx request that is not a boosted navigation gets HX-Redirect."""
    response = RedirectResponse(path, status_code=303)
    if request.headers.get("hx-request") and not request.headers.get("hx-boosted"):
        response.headers["HX-Redirect"] = path
    return set_toast(response, message)
