"""Browsing the catalog: professions → categories → published tools (CAT-05–CAT-11)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.identity import User
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import Tool, is_runnable
from skriptoteket.ports.repositories import UnitOfWork


class ListProfessions(UseCase):
    async def __call__(self, actor: User) -> Sequence[Profession]:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            return await uow.taxonomy.list_professions()


class ListCategories(UseCase):
    """CAT-10: every category by slug (for forms)."""

    async def __call__(self, actor: User) -> Sequence[Category]:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            return await uow.taxonomy.list_categories()


@attrs.frozen
class ProfessionCategories:
    profession: Profession
    categories: Sequence[Category]


class ListCategoriesForProfession(UseCase):
    """CAT-06: unknown profession → NOT_FOUND."""

    async def __call__(self, actor: User, *, profession_slug: str) -> ProfessionCategories:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            profession = await uow.taxonomy.get_profession(profession_slug)
            if profession is None:
                raise not_found("Profession", slug=profession_slug)
            categories = await uow.taxonomy.list_categories_for_profession(profession_slug)
        return ProfessionCategories(profession=profession, categories=categories)


@attrs.frozen
class CatalogTool:
    """CAT-09: a listed tool and whether its "Kör" button shows."""

    tool: Tool
    runnable: bool


@attrs.frozen
class TaggedTools:
    profession: Profession
    category: Category
    tools: Sequence[CatalogTool]


async def _catalog_entries(uow: UnitOfWork, tools: Sequence[Tool]) -> list[CatalogTool]:
    entries = []
    for tool in tools:
        active = await uow.versions.get(tool.active_version_id) if tool.active_version_id else None
        entries.append(CatalogTool(tool=tool, runnable=is_runnable(tool, active)))
    return entries


class ListToolsByTags(UseCase):
    """CAT-07/08: published tools tagged with both; unknown or unlinked tags → NOT_FOUND."""

    async def __call__(
        self, actor: User, *, profession_slug: str, category_slug: str
    ) -> TaggedTools:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            profession = await uow.taxonomy.get_profession(profession_slug)
            if profession is None:
                raise not_found("Profession", slug=profession_slug)
            category = await uow.taxonomy.get_category(category_slug)
            if category is None or not await uow.taxonomy.is_linked(profession_slug, category_slug):
                raise not_found("Category", slug=category_slug)
            tools = await uow.tools.list_by_tags(profession_slug, category_slug)
            entries = await _catalog_entries(uow, tools)
        return TaggedTools(profession=profession, category=category, tools=entries)


@attrs.frozen
class CatalogOverview:
    """Every profession with its ordered categories (CAT-05, CAT-06), read in one go so a home
    page can link straight to each profession/category list (CAT-11, NFR-07)."""

    professions: Sequence[ProfessionCategories]


class GetCatalogOverview(UseCase):
    async def __call__(self, actor: User) -> CatalogOverview:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            result = []
            for profession in await uow.taxonomy.list_professions():
                categories = await uow.taxonomy.list_categories_for_profession(profession.slug)
                result.append(ProfessionCategories(profession=profession, categories=categories))
        return CatalogOverview(professions=result)


def _matches(tool: Tool, words: Sequence[str]) -> bool:
    text = " ".join((tool.title, tool.summary or "", tool.slug)).casefold()
    return all(word in text for word in words)


class SearchCatalog(UseCase):
    """Runnable tools (TOOL-08) matching every word of ``query`` in title, summary or slug,
    optionally narrowed to a profession and/or a category (unknown slug → NOT_FOUND).

    Ordered by title, then slug (CAT-07). Only runnable tools are listed: a search never
    reveals an unpublished tool.
    """

    async def __call__(
        self,
        actor: User,
        *,
        query: str = "",
        profession_slug: str | None = None,
        category_slug: str | None = None,
        limit: int = 200,
    ) -> Sequence[CatalogTool]:
        words = query.casefold().split()
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            if profession_slug and await uow.taxonomy.get_profession(profession_slug) is None:
                raise not_found("Profession", slug=profession_slug)
            if category_slug and await uow.taxonomy.get_category(category_slug) is None:
                raise not_found("Category", slug=category_slug)
            candidates = [
                tool
                for tool in await uow.tools.list_all()
                if tool.is_published
                and (not profession_slug or profession_slug in tool.professions)
                and (not category_slug or category_slug in tool.categories)
                and _matches(tool, words)
            ]
            entries = await _catalog_entries(uow, candidates)
        return [entry for entry in entries if entry.runnable][: max(1, limit)]
