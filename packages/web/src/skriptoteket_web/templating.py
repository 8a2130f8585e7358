"""Jinja2 templates with gettext (``{{ _("…") }}``) bound to the request's language.

``render`` builds the shared page context: the translator, the current user, the CSRF token
(ID-20), the navigation flags (UI-02), the request's CSP nonce (for CodeMirror's ``<style>``,
see ``middleware/security_headers.py``) and the vendored asset paths (R36).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from skriptoteket.domain.identity import Role, has_at_least_role
from skriptoteket.domain.tools import needs_real_slug
from starlette.requests import Request
from starlette.responses import HTMLResponse

from skriptoteket_web import ui_text
from skriptoteket_web.i18n import Translator
from skriptoteket_web.toasts import COOKIE as TOAST_COOKIE
from skriptoteket_web.toasts import read_toast

TEMPLATE_DIR = Path(__file__).parent / "templates"
HTMX_VERSION = "2.0.11"
HTMX_SSE_VERSION = "2.2.4"  # npm htmx-ext-sse, for htmx 2
CODEMIRROR_VERSION = "6.0.2"

_current: ContextVar[Translator | None] = ContextVar("skriptoteket_translator", default=None)


def _gettext(message: str) -> str:
    active = _current.get()
    return message if active is None else active.translations.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    active = _current.get()
    if active is None:
        return singular if n == 1 else plural
    return active.translations.ngettext(singular, plural, n)


def _format_datetime(value: datetime | None) -> str:
    active = _current.get()
    if value is None:
        return ""
    return active.datetime(value) if active else value.strftime("%Y-%m-%d %H:%M")


def _label(kind: str, key: object) -> str:
    tables: Mapping[str, Mapping[str, str]] = {
        "role": ui_text.ROLE_LABELS,
        "version_state": ui_text.VERSION_STATE_LABELS,
        "run_status": ui_text.RUN_STATUS_LABELS,
        "run_context": ui_text.RUN_CONTEXT_LABELS,
        "suggestion_status": ui_text.SUGGESTION_STATUS_LABELS,
        "nomination_status": ui_text.NOMINATION_STATUS_LABELS,
        "audit_action": ui_text.AUDIT_ACTION_LABELS,
    }
    text = ui_text.label(tables[kind], str(key))
    return _gettext(text)


class Templates:
    def __init__(self, directory: Path = TEMPLATE_DIR) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            _gettext, _ngettext, newstyle=True
        )
        self.env.filters["dt"] = _format_datetime
        self.env.globals["label"] = _label
        self.env.globals["needs_real_slug"] = needs_real_slug
        self.env.globals["htmx_path"] = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"
        self.env.globals["htmx_sse_path"] = f"/static/vendor/htmx-ext-sse-{HTMX_SSE_VERSION}.min.js"
        self.env.globals["codemirror_path"] = (
            f"/static/vendor/codemirror-{CODEMIRROR_VERSION}.min.js"
        )

    @contextmanager
    def using(self, translator: Translator) -> Iterator[None]:
        token = _current.set(translator)
        try:
            yield
        finally:
            _current.reset(token)

    def render_string(self, name: str, translator: Translator, context: Mapping[str, Any]) -> str:
        with self.using(translator):
            return self.env.get_template(name).render(context)


def page_context(request: Request) -> dict[str, Any]:
    """The context every page gets; ``request.state`` is filled by the middleware."""
    current = getattr(request.state, "session", None)
    user = current.user if current else None
    translator: Translator = request.state.translator
    return {
        "request": request,
        "t": translator,
        "lang": translator.lang,
        "current_user": user,
        "csrf_token": current.session.csrf_token if current else "",
        "is_contributor": bool(user and has_at_least_role(user, Role.CONTRIBUTOR)),
        "is_admin": bool(user and has_at_least_role(user, Role.ADMIN)),
        "is_superuser": bool(user and has_at_least_role(user, Role.SUPERUSER)),
        "correlation_id": getattr(request.state, "correlation_id", ""),
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "path": request.url.path,
    }


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    partial: bool = False,
) -> HTMLResponse:
    """``partial``: an htmx fragment, which leaves a pending toast for the next full page."""
    templates: Templates = request.app.state.web.templates
    full = page_context(request)
    toast = None if partial else read_toast(request)  # ED-16: shown once, then deleted
    full["toast"] = toast
    full.update(context or {})
    html = templates.render_string(name, request.state.translator, full)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if toast is not None:
        response.delete_cookie(TOAST_COOKIE, path="/")
    return response
