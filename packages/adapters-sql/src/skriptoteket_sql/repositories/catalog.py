"""Taxonomy, tools, their tags and maintainers (CAT-01–CAT-10, TOOL-01–TOOL-18).

A tool's tags are stored as links to profession and category rows, with the position they have
in the tool's tuples, and are loaded for a whole list of tools in one extra query.

Catalog search (``search_catalog``) filters in the database: ``tools.search_text`` holds the
tool's title, summary and slug folded in Python (``skriptoteket.domain.tools.search_text``:
NFKC + casefold), and each folded query word is a ``LIKE '%word%'`` on it. That folds å/ä/ö
(and every other letter) the same on SQLite, whose LIKE and ``lower()`` fold ASCII only, and on
PostgreSQL whatever the database's locale. The runnable flag (TOOL-08) is an outer join on the
active version, so a page of tools costs two queries: the tools, then their tags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import not_found, validation_error
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import CatalogTool, Tool, fold_search_text, search_text
from skriptoteket.domain.versions import VersionState

from skriptoteket_sql.repositories.base import Connection, SqlRepository
from skriptoteket_sql.tables import (
    categories,
    profession_categories,
    professions,
    tool_categories,
    tool_maintainers,
    tool_professions,
    tool_versions,
    tools,
    users,
)


def profession_from_row(row: sa.Row[Any]) -> Profession:
    m = row._mapping
    return Profession(
        m["id"], m["slug"], m["label"], m["sort_order"], m["created_at"], m["updated_at"]
    )


def category_from_row(row: sa.Row[Any]) -> Category:
    m = row._mapping
    return Category(m["id"], m["slug"], m["label"], m["created_at"], m["updated_at"])


class SqlTaxonomyRepository(SqlRepository):
    async def list_professions(self) -> Sequence[Profession]:
        stmt = sa.select(professions).order_by(professions.c.sort_order, professions.c.slug)
        return [profession_from_row(r) for r in await self._rows(stmt)]

    async def get_profession(self, slug: str) -> Profession | None:
        row = await self._first(sa.select(professions).where(professions.c.slug == slug))
        return profession_from_row(row) if row else None

    async def list_categories(self) -> Sequence[Category]:
        stmt = sa.select(categories).order_by(categories.c.slug)
        return [category_from_row(r) for r in await self._rows(stmt)]

    async def list_categories_for_profession(self, profession_slug: str) -> Sequence[Category]:
        stmt = (
            sa.select(categories)
            .join(profession_categories, profession_categories.c.category_id == categories.c.id)
            .join(professions, professions.c.id == profession_categories.c.profession_id)
            .where(professions.c.slug == profession_slug)
            .order_by(profession_categories.c.sort_order, categories.c.slug)
        )
        return [category_from_row(r) for r in await self._rows(stmt)]

    async def get_category(self, slug: str) -> Category | None:
        row = await self._first(sa.select(categories).where(categories.c.slug == slug))
        return category_from_row(row) if row else None

    async def is_linked(self, profession_slug: str, category_slug: str) -> bool:
        stmt = (
            sa.select(profession_categories.c.profession_id)
            .join(professions, professions.c.id == profession_categories.c.profession_id)
            .join(categories, categories.c.id == profession_categories.c.category_id)
            .where(professions.c.slug == profession_slug, categories.c.slug == category_slug)
        )
        return await self._exists(stmt)


def tool_values(tool: Tool) -> dict[str, Any]:
    return {
        "id": tool.id,
        "slug": tool.slug,
        "title": tool.title,
        "summary": tool.summary,
        "is_published": tool.is_published,
        "active_version_id": tool.active_version_id,
        "created_at": tool.created_at,
        "updated_at": tool.updated_at,
        "first_published_at": tool.first_published_at,
        "search_text": search_text(tool),
    }


def tool_from_row(row: sa.Row[Any], tags: dict[str, list[tuple[int, str]]]) -> Tool:
    m = row._mapping
    return Tool(
        id=m["id"],
        slug=m["slug"],
        title=m["title"],
        summary=m["summary"],
        is_published=bool(m["is_published"]),
        active_version_id=m["active_version_id"],
        professions=tuple(slug for _, slug in sorted(tags.get("p", []))),
        categories=tuple(slug for _, slug in sorted(tags.get("c", []))),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        first_published_at=m["first_published_at"],
    )


_TOOL_ORDER = (tools.c.title, tools.c.slug)
_MAX_LISTED_IDS = 200  # above this, tags are selected by a subquery instead of an id list


def _has_profession(slug: str) -> sa.Exists:
    return (
        sa.select(tool_professions.c.tool_id)
        .join(professions, professions.c.id == tool_professions.c.profession_id)
        .where(tool_professions.c.tool_id == tools.c.id, professions.c.slug == slug)
        .exists()
    )


def _has_category(slug: str) -> sa.Exists:
    return (
        sa.select(tool_categories.c.tool_id)
        .join(categories, categories.c.id == tool_categories.c.category_id)
        .where(tool_categories.c.tool_id == tools.c.id, categories.c.slug == slug)
        .exists()
    )


# TOOL-08: the version the tool points at exists, is this tool's, and is active.
_active = tool_versions.alias("active_version")
_WITH_ACTIVE = tools.outerjoin(
    _active,
    sa.and_(
        _active.c.id == tools.c.active_version_id,
        _active.c.tool_id == tools.c.id,
        _active.c.state == VersionState.ACTIVE.value,
    ),
)


class SqlToolRepository(SqlRepository):
    async def _load(self, stmt: sa.Select[Any]) -> list[Tool]:
        return await self._tools(stmt, await self._rows(stmt))

    async def _tools(self, stmt: sa.Select[Any], rows: Sequence[sa.Row[Any]]) -> list[Tool]:
        """The tools of ``rows`` (selected by ``stmt``) with their tags, in one more query."""
        if not rows:
            return []
        id_list: list[UUID] = [r._mapping["id"] for r in rows]
        ids: list[UUID] | sa.Select[Any] = id_list
        if len(id_list) > _MAX_LISTED_IDS:
            # The same rows again as a subquery; ORDER BY stays so LIMIT/OFFSET pick the same.
            ids = stmt.with_only_columns(tools.c.id)
        tag_rows = await self._rows(
            sa.union_all(
                sa.select(
                    tool_professions.c.tool_id,
                    sa.literal("p").label("kind"),
                    professions.c.slug,
                    tool_professions.c.position,
                )
                .join(professions, professions.c.id == tool_professions.c.profession_id)
                .where(tool_professions.c.tool_id.in_(ids)),
                sa.select(
                    tool_categories.c.tool_id,
                    sa.literal("c").label("kind"),
                    categories.c.slug,
                    tool_categories.c.position,
                )
                .join(categories, categories.c.id == tool_categories.c.category_id)
                .where(tool_categories.c.tool_id.in_(ids)),
            )
        )
        tags: dict[UUID, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        for row in tag_rows:
            m = row._mapping
            tags[m["tool_id"]][m["kind"]].append((m["position"], m["slug"]))
        return [tool_from_row(r, tags[r._mapping["id"]]) for r in rows]

    async def _tag_ids(self, table: sa.Table, slugs: Sequence[str], kind: str) -> list[UUID]:
        if not slugs:
            return []
        rows = await self._rows(sa.select(table.c.slug, table.c.id).where(table.c.slug.in_(slugs)))
        found: dict[str, UUID] = {r._mapping["slug"]: r._mapping["id"] for r in rows}
        for slug in slugs:
            if slug not in found:
                raise validation_error(f"Unknown {kind}", slug=slug)
        return [found[slug] for slug in slugs]

    async def _write_tags(self, conn: Connection, tool: Tool, *, replace: bool) -> None:
        profession_ids = await self._tag_ids(professions, tool.professions, "profession")
        category_ids = await self._tag_ids(categories, tool.categories, "category")
        if replace:
            await conn.execute(
                tool_professions.delete().where(tool_professions.c.tool_id == tool.id)
            )
            await conn.execute(tool_categories.delete().where(tool_categories.c.tool_id == tool.id))
        if profession_ids:
            await conn.execute(
                tool_professions.insert(),
                [
                    {"tool_id": tool.id, "profession_id": pid, "position": i}
                    for i, pid in enumerate(profession_ids)
                ],
            )
        if category_ids:
            await conn.execute(
                tool_categories.insert(),
                [
                    {"tool_id": tool.id, "category_id": cid, "position": i}
                    for i, cid in enumerate(category_ids)
                ],
            )

    async def add(self, tool: Tool) -> None:
        async with self._db.writing() as conn:
            await conn.execute(tools.insert().values(**tool_values(tool)))
            await self._write_tags(conn, tool, replace=False)

    async def get(self, tool_id: UUID) -> Tool | None:
        found = await self._load(sa.select(tools).where(tools.c.id == tool_id))
        return found[0] if found else None

    async def get_by_slug(self, slug: str) -> Tool | None:
        found = await self._load(sa.select(tools).where(tools.c.slug == slug))
        return found[0] if found else None

    async def update(self, tool: Tool) -> None:
        values = tool_values(tool)
        del values["id"]
        async with self._db.writing() as conn:
            result = await conn.execute(
                tools.update().where(tools.c.id == tool.id).values(**values)
            )
            if result.rowcount == 0:
                raise not_found("Tool", tool_id=str(tool.id))
            await self._write_tags(conn, tool, replace=True)

    async def list_all(self) -> Sequence[Tool]:
        return await self._load(sa.select(tools).order_by(*_TOOL_ORDER))

    async def list_by_tags(
        self, profession_slug: str, category_slug: str, *, published_only: bool = True
    ) -> Sequence[Tool]:
        stmt = (
            sa.select(tools)
            .where(_has_profession(profession_slug), _has_category(category_slug))
            .order_by(*_TOOL_ORDER)
        )
        if published_only:
            stmt = stmt.where(tools.c.is_published.is_(True))
        return await self._load(stmt)

    async def search_catalog(
        self,
        *,
        words: Sequence[str] = (),
        profession_slug: str | None = None,
        category_slug: str | None = None,
        runnable_only: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[CatalogTool]:
        runnable = _active.c.id.is_not(None)
        stmt = (
            sa.select(tools, runnable.label("runnable"))
            .select_from(_WITH_ACTIVE)
            .where(tools.c.is_published.is_(True))
            .order_by(*_TOOL_ORDER)
        )
        if runnable_only:
            stmt = stmt.where(runnable)
        for word in words:
            folded = fold_search_text(word)
            if folded:
                stmt = stmt.where(tools.c.search_text.contains(folded, autoescape=True))
        if profession_slug is not None:
            stmt = stmt.where(_has_profession(profession_slug))
        if category_slug is not None:
            stmt = stmt.where(_has_category(category_slug))
        if limit is not None:
            stmt = stmt.limit(max(0, limit))
        if offset > 0:
            stmt = stmt.offset(offset)
        return await self._entries(stmt)

    async def list_entries(self, tool_ids: Collection[UUID]) -> Sequence[CatalogTool]:
        if not tool_ids:
            return []
        runnable = sa.and_(tools.c.is_published.is_(True), _active.c.id.is_not(None))
        stmt = (
            sa.select(tools, runnable.label("runnable"))
            .select_from(_WITH_ACTIVE)
            .where(tools.c.id.in_(set(tool_ids)))
            .order_by(*_TOOL_ORDER)
        )
        return await self._entries(stmt)

    async def _entries(self, stmt: sa.Select[Any]) -> list[CatalogTool]:
        rows = await self._rows(stmt)
        found = await self._tools(stmt, rows)
        return [
            CatalogTool(tool=tool, runnable=bool(row._mapping["runnable"]))
            for tool, row in zip(found, rows, strict=True)
        ]

    async def list_for_maintainer(self, user_id: UUID) -> Sequence[Tool]:
        stmt = (
            sa.select(tools)
            .join(tool_maintainers, tool_maintainers.c.tool_id == tools.c.id)
            .where(tool_maintainers.c.user_id == user_id)
            .order_by(*_TOOL_ORDER)
        )
        return await self._load(stmt)

    async def list_maintainers(self, tool_id: UUID) -> Sequence[UUID]:
        stmt = (
            sa.select(tool_maintainers.c.user_id)
            .join(users, users.c.id == tool_maintainers.c.user_id)
            .where(tool_maintainers.c.tool_id == tool_id)
            .order_by(users.c.email)
        )
        return [row[0] for row in await self._rows(stmt)]

    async def is_maintainer(self, tool_id: UUID, user_id: UUID) -> bool:
        stmt = sa.select(tool_maintainers.c.tool_id).where(
            tool_maintainers.c.tool_id == tool_id, tool_maintainers.c.user_id == user_id
        )
        return await self._exists(stmt)

    async def add_maintainer(self, tool_id: UUID, user_id: UUID) -> None:
        await self._insert(tool_maintainers, {"tool_id": tool_id, "user_id": user_id})

    async def remove_maintainer(self, tool_id: UUID, user_id: UUID) -> None:
        async with self._db.writing() as conn:
            result = await conn.execute(
                tool_maintainers.delete().where(
                    tool_maintainers.c.tool_id == tool_id, tool_maintainers.c.user_id == user_id
                )
            )
        if result.rowcount == 0:
            raise not_found("Maintainer", tool_id=str(tool_id), user_id=str(user_id))
