"""The HTML pages, one module per area; each exposes ``routes``.

Extension points for later work: the run pages (``/tools/{slug}/run``, ``/my-runs``), the script
editor (``/admin/tools/{tool_id}`` …) and the JSON API (``/api/v1``) add modules here and list
them in ``all_routes``; plugins add routes through ``skriptoteket_register_web_routes``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from skriptoteket_web.pages import (
    admin_tools,
    api_docs,
    audit,
    auth,
    catalog,
    editor,
    editor_runs,
    editor_tool,
    health,
    home,
    language,
    nominations,
    profile,
    runs,
    suggestions,
    users,
)


def all_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for module in (
        health,
        api_docs,
        auth,
        language,
        home,
        catalog,
        suggestions,
        admin_tools,
        users,
        nominations,
        audit,
        profile,
        runs,
        editor,
        editor_runs,
        editor_tool,
    ):
        routes.extend(module.routes)
    return routes
