"""Taxonomy and catalog browsing (CAT-01–CAT-10, TOOL-06, TOOL-08)."""

from __future__ import annotations

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.versions import VersionState
from skriptoteket.testing.world import World

PROFESSIONS = [
    ("larare", "Lärare", 10),
    ("specialpedagog", "Specialpedagog", 20),
    ("skoladministrator", "Skoladministratör", 30),
    ("rektor", "Rektor", 40),
    ("gemensamt", "Gemensamt", 50),
]
CATEGORY_ORDER = ["lektionsplanering", "mentorskap", "administration", "ovrigt"]


async def test_seeded_professions_in_order_CAT_02_CAT_05(world: World) -> None:
    found = await world.app.list_professions(world.user)
    assert [(p.slug, p.label, p.sort_order) for p in found] == PROFESSIONS


async def test_professions_order_by_sort_order_then_slug_CAT_05(world: World) -> None:
    state = world.store.state
    state.professions["larare"] = attrs.evolve(state.professions["larare"], sort_order=40)
    found = [p.slug for p in await world.app.list_professions(world.user)]
    assert found == ["specialpedagog", "skoladministrator", "larare", "rektor", "gemensamt"]


async def test_all_categories_by_slug_CAT_02_CAT_10(world: World) -> None:
    found = await world.app.list_categories(world.user)
    assert [(c.slug, c.label) for c in found] == [
        ("administration", "Administration"),
        ("lektionsplanering", "Lektionsplanering"),
        ("mentorskap", "Mentorskap"),
        ("ovrigt", "Övrigt"),
    ]


@pytest.mark.parametrize("profession", [p[0] for p in PROFESSIONS])
async def test_every_profession_lists_every_category_in_order_CAT_02_CAT_06(
    world: World, profession: str
) -> None:
    result = await world.app.list_categories_for_profession(world.user, profession_slug=profession)
    assert result.profession.slug == profession
    assert [c.slug for c in result.categories] == CATEGORY_ORDER
    assert len(world.store.state.links) == 20


async def test_categories_tie_break_on_slug_CAT_06(world: World) -> None:
    world.store.state.links[("rektor", "ovrigt")] = 10  # same order as lektionsplanering
    result = await world.app.list_categories_for_profession(world.user, profession_slug="rektor")
    assert [c.slug for c in result.categories] == [
        "lektionsplanering",
        "ovrigt",
        "mentorskap",
        "administration",
    ]


async def test_unknown_profession_is_not_found_CAT_06_CAT_07(world: World) -> None:
    with pytest.raises(DomainError) as a:
        await world.app.list_categories_for_profession(world.user, profession_slug="lärare")
    assert a.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as b:
        await world.app.list_tools_by_tags(
            world.user, profession_slug="okand", category_slug="ovrigt"
        )
    assert b.value.code is ErrorCode.NOT_FOUND


async def test_unknown_or_unlinked_category_is_not_found_CAT_07(world: World) -> None:
    with pytest.raises(DomainError) as unknown:
        await world.app.list_tools_by_tags(
            world.user, profession_slug="larare", category_slug="okand"
        )
    assert unknown.value.code is ErrorCode.NOT_FOUND
    del world.store.state.links[("larare", "ovrigt")]
    with pytest.raises(DomainError) as unlinked:
        await world.app.list_tools_by_tags(
            world.user, profession_slug="larare", category_slug="ovrigt"
        )
    assert unlinked.value.code is ErrorCode.NOT_FOUND


async def test_only_published_tools_with_both_tags_ordered_CAT_07_CAT_08_CAT_04(
    world: World,
) -> None:
    b, _ = await world.published_tool(
        title="Betyg", professions=["larare", "rektor"], categories=["administration", "ovrigt"]
    )
    a2, _ = await world.published_tool(slug="b-slug", title="Analys", categories=["administration"])
    a1, _ = await world.published_tool(slug="a-slug", title="Analys", categories=["administration"])
    await world.published_tool(title="Fel kategori", categories=["mentorskap"])
    await world.published_tool(title="Fel yrke", professions=["rektor"])
    await world.tool(title="Opublicerad")  # never published
    hidden, _ = await world.published_tool(title="Avpublicerad")
    await world.app.set_tool_published(world.admin, tool_id=hidden.id, published=False)

    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="administration"
    )
    assert listed.profession.slug == "larare"
    assert listed.category.slug == "administration"
    assert [e.tool.id for e in listed.tools] == [a1.id, a2.id, b.id]
    assert all(e.runnable for e in listed.tools)
    # CAT-08: a tool tagged several times appears in every matching list, once each.
    for profession, category in [("rektor", "ovrigt"), ("larare", "ovrigt")]:
        other = await world.app.list_tools_by_tags(
            world.user, profession_slug=profession, category_slug=category
        )
        assert [e.tool.id for e in other.tools] == [b.id]


async def test_runnable_flag_needs_a_valid_active_version_CAT_09_TOOL_08(world: World) -> None:
    tool, published = await world.published_tool()
    # Corrupt the pointer behind the use cases' back: point at an archived version.
    archived = next(v for v in world.versions_of(tool) if v.state is VersionState.ARCHIVED)
    world.store.state.tools[tool.id] = attrs.evolve(tool, active_version_id=archived.id)
    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="administration"
    )
    [entry] = listed.tools
    assert entry.tool.id == tool.id
    assert entry.runnable is False
    world.store.state.tools[tool.id] = attrs.evolve(
        tool, active_version_id=published.new_active_version_id
    )
    [ok] = (
        await world.app.list_tools_by_tags(
            world.user, profession_slug="larare", category_slug="administration"
        )
    ).tools
    assert ok.runnable is True


async def test_labels_can_change_without_breaking_slugs_CAT_03(world: World) -> None:
    tool, _ = await world.published_tool()
    state = world.store.state
    state.professions["larare"] = attrs.evolve(state.professions["larare"], label="Lärarinna")
    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="administration"
    )
    assert listed.profession.label == "Lärarinna"
    assert [e.tool.id for e in listed.tools] == [tool.id]


async def test_browsing_needs_an_active_account_ID_17(world: World) -> None:
    await world.app.deactivate_user(world.admin, email=world.user.email)
    with pytest.raises(DomainError) as info:
        await world.app.list_professions(world.user)
    assert info.value.code is ErrorCode.UNAUTHORIZED


async def test_get_runnable_tool_gives_the_active_version_or_not_found_EXE_01(
    world: World,
) -> None:
    tool, result = await world.published_tool(slug="synlig")
    found = await world.app.get_runnable_tool(world.user, slug="synlig")
    assert found.tool.id == tool.id
    assert found.version_id == result.new_active_version_id
    assert found.contract_version == 1
    hidden = await world.tool(slug="dold")
    await world.activate(hidden)
    for slug in ("dold", "saknas"):
        with pytest.raises(DomainError) as error:
            await world.app.get_runnable_tool(world.user, slug=slug)
        assert error.value.code is ErrorCode.NOT_FOUND
