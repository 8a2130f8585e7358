"""Building the script editor page (ED-01–ED-16, GOV-08): the selected version, the form values,
the history, the maintainers and the tags, for one actor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skriptoteket.application.identity import CurrentSession
from skriptoteket.application.versions import default_editor_version
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.identity import Role, has_at_least_role
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion, VersionState
from starlette.requests import Request
from starlette.responses import Response

from skriptoteket_web.editor_forms import (
    STARTER_ENTRYPOINT,
    STARTER_SOURCE,
    editor_error,
    schema_json,
)
from skriptoteket_web.input_form import build_form
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render
from skriptoteket_web.ui_text import http_status, ui_error_text

SANDBOX_STATES = (VersionState.DRAFT, VersionState.IN_REVIEW)


def form_values(selected: ToolVersion | None) -> dict[str, str]:
    if selected is None:
        return {
            "source_code": STARTER_SOURCE,
            "entrypoint": STARTER_ENTRYPOINT,
            "input_schema": "",
            "change_summary": "",
        }
    return {
        "source_code": selected.source_code,
        "entrypoint": selected.entrypoint,
        "input_schema": schema_json(selected.input_schema),
        "change_summary": "",
    }


def changes_request(
    selected: ToolVersion | None, versions: Sequence[ToolVersion]
) -> tuple[ToolVersion, ToolVersion] | None:
    """GOV-04, AMB-10: (the reviewed version, the draft "Begär ändringar" made from it) when the
    selected draft descends from such a draft through saved drafts. The reviewer's message is
    that draft's change summary; without this the author found it only in the history list."""
    if selected is None or selected.state is not VersionState.DRAFT:
        return None
    by_id = {v.id: v for v in versions}
    current, seen = selected, set()
    while current.derived_from_version_id is not None and current.id not in seen:
        seen.add(current.id)
        parent = by_id.get(current.derived_from_version_id)
        if parent is None:
            return None
        if parent.state is VersionState.ARCHIVED and parent.reviewed_by_user_id is not None:
            return parent, current
        if parent.state is not VersionState.DRAFT:
            return None
        current = parent
    return None


def can_sandbox(current: CurrentSession, selected: ToolVersion | None) -> bool:
    """ED-13: admins run any version; maintainers their drafts and versions in review."""
    if selected is None:
        return False
    if has_at_least_role(current.user, Role.ADMIN):
        return True
    return selected.state in SANDBOX_STATES and selected.created_by_user_id == current.user.id


async def editor_page(
    request: Request,
    current: CurrentSession,
    tool: Tool,
    selected: ToolVersion | None,
    *,
    versions: Sequence[ToolVersion] | None = None,
    values: Mapping[str, str] | None = None,
    error: DomainError | None = None,
    sandbox: Mapping[str, Any] | None = None,
    catalog_error: DomainError | None = None,
) -> Response:
    """``catalog_error``: a refused "Show in catalog", shown beside that button (and the slug
    field when the slug is the reason) rather than at the top of the page."""
    app = core(request)
    if versions is None:
        versions = await app.list_versions(current.user, tool_id=tool.id)
    is_admin = has_at_least_role(current.user, Role.ADMIN)
    message, detail = editor_error(error, request.state.translator) if error else ("", "")
    context: dict[str, Any] = {
        "tool": tool,
        "selected": selected,
        "versions": versions,
        "values": values or form_values(selected),
        "error": message,
        "error_detail": detail,
        "catalog_error": ui_error_text(catalog_error, request.state.translator)
        if catalog_error
        else "",
        "slug_error": bool(catalog_error and catalog_error.details.get("field") == "slug"),
        "is_draft": selected is not None and selected.state is VersionState.DRAFT,
        "changes_request": changes_request(selected, versions),
        "in_review": selected is not None and selected.state is VersionState.IN_REVIEW,
        "can_sandbox": can_sandbox(current, selected),
        "sandbox_form": build_form(selected.input_schema if selected else None),
        "sandbox": sandbox,
        "maintainers": await app.list_maintainers(current.user, tool_id=tool.id)
        if is_admin
        else [],
        "maintainer_error": "",
        "professions": await app.list_professions(current.user) if is_admin else [],
        "categories": await app.list_categories(current.user) if is_admin else [],
    }
    shown = error or catalog_error
    status = http_status(shown) if shown else 200
    return render(request, "admin/script_editor.html", context, status=status)


async def tool_editor(
    request: Request,
    current: CurrentSession,
    tool: Tool,
    *,
    catalog_error: DomainError | None = None,
) -> Response:
    versions = await core(request).list_versions(current.user, tool_id=tool.id)
    selected = default_editor_version(versions)
    return await editor_page(
        request, current, tool, selected, versions=versions, catalog_error=catalog_error
    )
