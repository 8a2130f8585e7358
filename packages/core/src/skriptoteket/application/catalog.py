"""Browsing the catalog: professions → categories → published tools (CAT-05–CAT-11)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.identity import User
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import CatalogTool, search_words

__all__ = [
    "CatalogOverview",
    "CatalogTool",
    "GetCatalogOverview",
    "ListCategories",
    "ListCategoriesForProfession",
    "ListProfessions",
    "ListToolsByTags",
    "ProfessionCategories",
    "SearchCatalog",
    "TaggedTools",
]


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
class TaggedTools:
    profession: Profession
    category: Category
    tools: Sequence[CatalogTool]


class ListToolsByTags(UseCase):
    """CAT-07/08: published tools tagged with both; unknown or unlinked tags → NOT_FOUND.
    CAT-09: each with whether it is runnable (a published tool whose active version is broken
    is listed without "Kör")."""

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
            entries = await uow.tools.search_catalog(
                profession_slug=profession_slug, category_slug=category_slug, runnable_only=False
            )
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


class SearchCatalog(UseCase):
    """Runnable tools (TOOL-08) matching every word of ``query`` in title, summary or slug
    (case-insensitive, å/ä/ö included), optionally narrowed to a profession and/or a category
    (unknown slug → NOT_FOUND). Filtered by the store, not here.

    Ordered by title, then slug (CAT-07), at most ``limit`` after skipping ``offset`` (a page).
    Only runnable tools are listed: a search never reveals an unpublished tool.
    """

    async def __call__(
        self,
        actor: User,
        *,
        query: str = "",
        profession_slug: str | None = None,
        category_slug: str | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> Sequence[CatalogTool]:
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            if profession_slug and await uow.taxonomy.get_profession(profession_slug) is None:
                raise not_found("Profession", slug=profession_slug)
            if category_slug and await uow.taxonomy.get_category(category_slug) is None:
                raise not_found("Category", slug=category_slug)
            return await uow.tools.search_catalog(
                words=search_words(query),
                profession_slug=profession_slug or None,
                category_slug=category_slug or None,
                limit=max(1, limit),
                offset=max(0, offset),
            )
