"""Tools: creation, metadata, slug, catalog visibility (TOOL-02–TOOL-11, AMB-02, AMB-20)."""

from __future__ import annotations

import uuid

import attrs
import pytest
from skriptoteket.application.tool_import import ToolPackage
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.tools import (
    PLACEHOLDER_SLUG_MESSAGE,
    is_placeholder_slug,
    is_runnable,
    require_publishable,
)
from skriptoteket.domain.versions import VersionState
from skriptoteket.testing.factories import make_tool, make_user, make_version
from skriptoteket.testing.world import World


async def test_create_tool_admin_only_starts_unpublished_TOOL_09(world: World) -> None:
    world.tick()
    tool = await world.app.create_tool(
        world.admin,
        slug=" Klasslista ",
        title=" Klasslista ",
        summary="  ",
        professions=["larare"],
        categories=["ovrigt"],
    )
    assert (tool.slug, tool.title, tool.summary) == ("klasslista", "Klasslista", None)
    assert tool.is_published is False
    assert tool.active_version_id is None
    assert tool.created_at == tool.updated_at == world.clock.now()
    for actor in (world.contributor, world.user):
        with pytest.raises(DomainError) as info:
            await world.app.create_tool(
                actor,
                slug="x",
                title="x",
                summary=None,
                professions=["larare"],
                categories=["ovrigt"],
            )
        assert info.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as dup:
        await world.app.create_tool(
            world.admin,
            slug="klasslista",
            title="y",
            summary=None,
            professions=["larare"],
            categories=["ovrigt"],
        )
    assert dup.value.code in (ErrorCode.CONFLICT, ErrorCode.DUPLICATE_ENTRY)


async def test_publishing_without_active_version_fails_TOOL_03(world: World) -> None:
    tool = await world.tool()
    await world.in_review(tool)  # a version exists, but none is active
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == "Tool has no active script version and cannot be published"
    assert world.stored_tool(tool.id).is_published is False
    assert world.audit_since(mark) == []


def test_publish_validates_the_active_pointer_TOOL_04() -> None:
    author = make_user()
    tool = make_tool()
    other = make_tool()
    own_active = make_version(tool, author, state=VersionState.ACTIVE)
    pointed = attrs.evolve(tool, active_version_id=own_active.id)
    require_publishable(pointed, own_active)
    cases = [
        (pointed, None),  # the version is missing
        (pointed, attrs.evolve(make_version(other, author, state=VersionState.ACTIVE))),
        (pointed, attrs.evolve(own_active, state=VersionState.ARCHIVED)),
        (pointed, attrs.evolve(own_active, state=VersionState.DRAFT)),
    ]
    for candidate, version in cases:
        with pytest.raises(DomainError) as info:
            require_publishable(candidate, version)
        assert info.value.code is ErrorCode.CONFLICT


@pytest.mark.parametrize("case", ["other_tool", "archived"])
async def test_publish_use_case_rejects_a_bad_pointer_TOOL_04(world: World, case: str) -> None:
    tool, _ = await world.published_tool()
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    if case == "other_tool":
        _, other = await world.published_tool()
        bad = other.new_active_version_id
    else:
        bad = next(v.id for v in world.versions_of(tool) if v.state is VersionState.ARCHIVED)
    world.store.state.tools[tool.id] = attrs.evolve(
        world.stored_tool(tool.id), active_version_id=bad
    )
    with pytest.raises(DomainError) as info:
        await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert info.value.code is ErrorCode.CONFLICT
    assert world.stored_tool(tool.id).is_published is False


async def test_publish_and_depublish_are_idempotent_TOOL_05(world: World) -> None:
    tool = await world.tool()
    await world.activate(tool)
    world.tick()
    published = await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert published.is_published
    assert published.updated_at == world.clock.now()
    stamp, mark = published.updated_at, world.audit_count()
    world.tick()
    again = await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert again == published
    assert again.updated_at == stamp
    assert world.audit_since(mark) == []
    world.tick()
    hidden = await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    assert not hidden.is_published
    assert hidden.updated_at == world.clock.now()
    mark = world.audit_count()
    world.tick()
    still = await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    assert still == hidden
    assert world.audit_since(mark) == []


async def test_depublish_is_non_destructive_TOOL_06(world: World) -> None:
    tool, result = await world.published_tool()
    run = await world.add_run(result.new_active, world.user)
    versions_before = world.versions_of(tool)
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    assert world.versions_of(tool) == versions_before
    assert world.store.state.runs[run.id] == run
    stored = world.stored_tool(tool.id)
    assert stored.active_version_id == result.new_active_version_id
    assert not is_runnable(stored, result.new_active)
    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="administration"
    )
    assert listed.tools == []


def test_runnable_invariant_TOOL_08() -> None:
    author = make_user()
    tool = make_tool(published=True)
    active = make_version(tool, author, state=VersionState.ACTIVE)
    ok = attrs.evolve(tool, active_version_id=active.id)
    assert is_runnable(ok, active)
    assert not is_runnable(attrs.evolve(ok, is_published=False), active)
    assert not is_runnable(tool, None)  # no pointer
    assert not is_runnable(ok, None)  # missing version
    assert not is_runnable(ok, attrs.evolve(active, state=VersionState.ARCHIVED))
    assert not is_runnable(ok, attrs.evolve(active, tool_id=uuid.uuid4()))
    assert not is_runnable(ok, attrs.evolve(active, id=uuid.uuid4()))


async def test_list_all_tools_by_title_then_slug_admin_only_TOOL_07(world: World) -> None:
    b = await world.tool(slug="b", title="Alfa")
    a = await world.tool(slug="a", title="Alfa")
    c = await world.tool(slug="c", title="Beta")
    tool, _ = await world.published_tool(slug="d", title="Aaa")
    assert [t.id for t in await world.app.list_all_tools(world.admin)] == [
        tool.id,
        a.id,
        b.id,
        c.id,
    ]
    with pytest.raises(DomainError) as info:
        await world.app.list_all_tools(world.contributor)
    assert info.value.code is ErrorCode.FORBIDDEN


async def test_metadata_update_TOOL_10(world: World) -> None:
    tool = await world.tool(title="Gammal")
    mark = world.audit_count()
    world.tick()
    updated = await world.app.update_tool(
        world.admin, tool_id=tool.id, title="  Ny titel ", summary="  Ny  "
    )
    assert (updated.title, updated.summary) == ("Ny titel", "Ny")
    assert updated.updated_at == world.clock.now()
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "tool.metadata_updated",
        tool.id,
    )
    blank = await world.app.update_tool(world.admin, tool_id=tool.id, summary="   ")
    assert blank.summary is None


async def test_unchanged_metadata_is_a_no_op_TOOL_10(world: World) -> None:
    tool = await world.tool(title="Samma")
    mark = world.audit_count()
    world.tick()
    same = await world.app.update_tool(
        world.admin, tool_id=tool.id, title=" Samma ", summary="Ett verktyg"
    )
    assert same == tool
    assert same.updated_at == tool.updated_at
    assert world.audit_since(mark) == []


@pytest.mark.parametrize(
    ("title", "message"),
    [("   ", "Title is required"), ("x" * 256, "Title must be 255 characters or less")],
)
async def test_metadata_title_validation_TOOL_10(world: World, title: str, message: str) -> None:
    tool = await world.tool(title="Kvar")
    with pytest.raises(DomainError) as info:
        await world.app.update_tool(world.admin, tool_id=tool.id, title=title)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == message
    assert world.stored_tool(tool.id).title == "Kvar"


async def test_metadata_is_admin_only_and_needs_a_known_tool_TOOL_10(world: World) -> None:
    tool = await world.tool()
    with pytest.raises(DomainError) as info:
        await world.app.update_tool(world.contributor, tool_id=tool.id, title="x")
    assert info.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as missing:
        await world.app.update_tool(world.admin, tool_id=uuid.uuid4(), title="x")
    assert missing.value.code is ErrorCode.NOT_FOUND


async def test_slug_editable_until_first_publish_AMB_20_TOOL_11(world: World) -> None:
    tool = await world.tool(slug="forsta")
    await world.activate(tool)
    mark = world.audit_count()
    renamed = await world.app.update_tool(world.admin, tool_id=tool.id, slug="andra")
    assert renamed.slug == "andra"
    [row] = world.audit_since(mark)
    assert row.action.value == "tool.slug_changed"
    assert (row.details["from_slug"], row.details["to_slug"]) == ("forsta", "andra")
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    with pytest.raises(DomainError) as info:
        await world.app.update_tool(world.admin, tool_id=tool.id, slug="tredje")
    assert info.value.code is ErrorCode.CONFLICT
    assert world.stored_tool(tool.id).slug == "andra"
    same = await world.app.update_tool(world.admin, tool_id=tool.id, slug="andra")
    assert same.slug == "andra"  # unchanged slug is still fine


@pytest.mark.parametrize("slug", ["", "Åäö", "a--b", "-a", "a b", "x" * 129])
async def test_invalid_slugs_are_rejected_AMB_20(world: World, slug: str) -> None:
    tool = await world.tool()
    with pytest.raises(DomainError) as info:
        await world.app.update_tool(world.admin, tool_id=tool.id, slug=slug)
    assert info.value.code is ErrorCode.VALIDATION_ERROR


async def test_placeholder_slug_blocks_the_first_publish_AMB_20_SUG_13(world: World) -> None:
    """No ``/tools/draft-…/run`` in the catalog: a tool whose slug is still the placeholder a
    suggestion's draft tool gets is refused (VALIDATION_ERROR → 400, ``field=slug``) and stays
    hidden; after a rename it can be published. Publishing a version is not refused."""
    tool = await world.tool(slug="draft-1b2c3d4e")
    result = await world.activate(tool)  # version publish is fine (AMB-02: not visibility)
    assert result.new_active.state is VersionState.ACTIVE
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == PLACEHOLDER_SLUG_MESSAGE
    assert info.value.details == {"field": "slug", "slug": "draft-1b2c3d4e"}
    stored = world.stored_tool(tool.id)
    assert (stored.is_published, stored.first_published_at) == (False, None)
    assert world.audit_since(mark) == []
    # Depublishing an unpublished tool stays an idempotent no-op (TOOL-05).
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    await world.app.update_tool(world.admin, tool_id=tool.id, slug="gruppindelning")
    shown = await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert (shown.slug, shown.is_published) == ("gruppindelning", True)


async def test_missing_active_version_is_reported_before_the_slug_TOOL_03(world: World) -> None:
    tool = await world.tool(slug="draft-abc")
    with pytest.raises(DomainError) as info:
        await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    assert info.value.message == "Tool has no active script version and cannot be published"


def test_placeholder_rule_is_for_the_first_publish_only_AMB_20() -> None:
    """A tool first published before the rule existed has a frozen slug (AMB-20): it may be
    shown again after a depublish instead of being stuck."""
    hidden = make_tool(slug="draft-legacy")
    version = make_version(hidden, make_user(), state=VersionState.ACTIVE)
    tool = attrs.evolve(hidden, active_version_id=version.id)
    with pytest.raises(DomainError):
        require_publishable(tool, version)
    require_publishable(attrs.evolve(tool, first_published_at=tool.created_at), version)
    require_publishable(attrs.evolve(tool, slug="drafts-of-letters"), version)
    assert is_placeholder_slug("draft-x")
    assert not is_placeholder_slug("draftning")


def _package(slug: str) -> ToolPackage:
    return ToolPackage(
        slug=slug,
        title="Gruppindelning",
        summary=None,
        professions=("larare",),
        categories=("ovrigt",),
        source_code="def run_tool(input_path, output_dir):\n    return '<p>Hej</p>'\n",
    )


async def test_import_with_publish_refuses_a_placeholder_slug_first_AMB_20(world: World) -> None:
    """``tools import --publish`` checks the slug before writing anything (no half-imported
    tool); without ``--publish`` such a folder imports as a hidden tool."""
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.import_tool(world.admin, package=_package(" Draft-X "), publish=True)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.message == PLACEHOLDER_SLUG_MESSAGE
    assert world.store.state.tools == {}
    assert world.audit_since(mark) == []
    outcome = await world.app.import_tool(world.admin, package=_package("draft-x"))
    assert (outcome.created, outcome.tool.is_published) == (True, False)
    with pytest.raises(DomainError):
        await world.app.import_tool(world.admin, package=_package("draft-x"), publish=True)
    assert not world.stored_tool(outcome.tool.id).is_published
