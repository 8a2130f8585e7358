"""The catalog overview and search used by the web home and search pages (CAT-05–CAT-11,
TOOL-08): only runnable tools, every word must match, tag filters, unknown tags → NOT_FOUND."""

from __future__ import annotations

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.testing.world import World


async def test_overview_lists_professions_with_ordered_categories_CAT_05_CAT_06(
    world: World,
) -> None:
    overview = await world.app.get_catalog_overview(world.user)
    assert [p.profession.slug for p in overview.professions][:2] == ["larare", "specialpedagog"]
    assert [c.slug for c in overview.professions[0].categories] == [
        "lektionsplanering",
        "mentorskap",
        "administration",
        "ovrigt",
    ]


async def test_search_lists_only_runnable_tools_matching_every_word_TOOL_08(
    world: World,
) -> None:
    published, _ = await world.published_tool(title="Mejllista för vårdnadshavare")
    await world.published_tool(title="Namnskyltar", categories=("mentorskap",))
    hidden = await world.tool(title="Mejl utkast")  # never published
    found = await world.app.search_catalog(world.user, query="MEJL vårdnadshavare")
    assert [e.tool.id for e in found] == [published.id]
    assert all(e.runnable for e in found)
    everything = await world.app.search_catalog(world.user)
    assert hidden.id not in [e.tool.id for e in everything]
    assert [e.tool.title for e in everything] == ["Mejllista för vårdnadshavare", "Namnskyltar"]
    by_tag = await world.app.search_catalog(world.user, category_slug="mentorskap")
    assert [e.tool.title for e in by_tag] == ["Namnskyltar"]
    depublished = await world.app.set_tool_published(
        world.admin, tool_id=published.id, published=False
    )
    assert not depublished.is_published
    assert await world.app.search_catalog(world.user, query="mejl") == []


@pytest.mark.parametrize(("profession", "category"), [("finns-inte", None), (None, "finns-inte")])
async def test_search_unknown_tag_is_not_found(
    world: World, profession: str | None, category: str | None
) -> None:
    with pytest.raises(DomainError) as caught:
        await world.app.search_catalog(
            world.user, profession_slug=profession, category_slug=category
        )
    assert caught.value.code is ErrorCode.NOT_FOUND
