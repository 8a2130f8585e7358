"""Seeding a real backend through the use cases, for end-to-end tests and benchmarks.

The in-memory ``World`` builds its data straight in the store; these helpers go through the
public use cases instead, so they work on any repository backend (SQLite, PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import User
from skriptoteket.domain.tools import Tool


async def publish_tool(
    app: Skriptoteket,
    admin: User,
    *,
    slug: str,
    source_code: str,
    title: str | None = None,
    input_schema: Any = None,
    professions: Sequence[str] = ("larare",),
    categories: Sequence[str] = ("ovrigt",),
) -> Tool:
    """Create a tool, write its first version, send it for review, publish it and show it in
    the catalog (SPEC §6: the whole lifecycle a teacher's tool goes through); returns the tool
    as the catalog shows it. ``input_schema`` None is contract 1 (one file)."""
    tool = await app.create_tool(
        admin,
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        summary=None,
        professions=list(professions),
        categories=list(categories),
    )
    draft = await app.create_draft_version(
        admin, tool_id=tool.id, source_code=source_code, input_schema=input_schema
    )
    await app.submit_for_review(admin, version_id=draft.id)
    await app.publish_version(admin, version_id=draft.id)
    return await app.set_tool_published(admin, tool_id=tool.id, published=True)
