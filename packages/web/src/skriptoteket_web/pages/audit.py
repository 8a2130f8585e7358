"""The audit log (admin+): newest first, filtered by action, 50 rows a page."""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render

PAGE_SIZE = 50
MAX_PAGE = 10_000


def _page_number(raw: str) -> int:
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except ValueError:
        return 1


@page(Role.ADMIN)
async def audit_log(request: Request, current: CurrentSession) -> Response:
    raw_action = request.query_params.get("action", "")
    action = AuditAction(raw_action) if raw_action in set(AuditAction) else None
    number = _page_number(request.query_params.get("page", "1"))
    rows = await core(request).list_audit_log(
        current.user, action=action, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
    )
    context = {
        "entries": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": number,
        "action": action.value if action else "",
        "actions": list(AuditAction),
    }
    return render(request, "admin_audit.html", context)


routes: list[BaseRoute] = [Route("/admin/audit", audit_log, methods=["GET"])]
