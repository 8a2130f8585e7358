"""Publish, request changes, rollback (VER-14, VER-17–VER-19, VER-23, GOV-01–GOV-06,
AMB-01, AMB-02), with their audit rows and their atomicity."""

from __future__ import annotations

import uuid

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.versions import ToolVersion, VersionState, publish_version
from skriptoteket.testing.factories import T0, make_tool, make_user, make_version
from skriptoteket.testing.world import World

A, ARCH, D, R = (
    VersionState.ACTIVE,
    VersionState.ARCHIVED,
    VersionState.DRAFT,
    VersionState.IN_REVIEW,
)


async def test_first_publish_copies_on_activate_VER_17_GOV_01_GOV_02(world: World) -> None:
    tool = await world.tool()
    reviewed = await world.in_review(tool)
    mark = world.audit_count()
    world.tick()
    result = await world.app.publish_version(world.admin, version_id=reviewed.id)
    now = world.clock.now()
    new = result.new_active
    assert result.tool_id == tool.id
    assert result.previous_active_version_id is None
    assert result.new_active_version_id == new.id
    assert result.archived_version_ids == (reviewed.id,)
    consumed = world.stored_version(reviewed.id)
    assert consumed.state is ARCH
    assert (consumed.published_by_user_id, consumed.published_at) == (world.admin.id, now)
    assert (new.state, new.version_number, new.tool_id) == (A, 2, tool.id)
    assert (new.source_code, new.entrypoint, new.content_hash) == (
        reviewed.source_code,
        reviewed.entrypoint,
        reviewed.content_hash,
    )
    assert new.derived_from_version_id == reviewed.id
    assert new.created_by_user_id == new.published_by_user_id == world.admin.id
    assert new.created_at == new.published_at == now
    assert world.stored_version(new.id) == new
    assert world.stored_tool(tool.id).active_version_id == new.id
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "version.published",
        new.id,
    )
    assert row.details["from_version_id"] == str(reviewed.id)


async def test_republish_archives_previous_active_VER_17_GOV_02(world: World) -> None:
    tool = await world.tool()
    first = await world.activate(tool)  # v1 consumed, v2 active
    reviewed = await world.in_review(tool)  # v3
    world.tick()
    result = await world.app.publish_version(
        world.superuser, version_id=reviewed.id, change_summary="  Ny version "
    )
    assert result.previous_active_version_id == first.new_active_version_id
    assert set(result.archived_version_ids) == {reviewed.id, first.new_active_version_id}
    assert result.new_active.version_number == 4
    assert result.new_active.change_summary == "Ny version"
    assert [v.state for v in world.versions_of(tool)] == [ARCH, ARCH, ARCH, A]


async def test_publish_keeps_reviewed_change_summary_if_none_given_VER_17(world: World) -> None:
    tool = await world.tool()
    draft = await world.app.create_draft_version(
        world.contributor, tool_id=tool.id, source_code="x = 1\n", change_summary="Första"
    )
    await world.app.submit_for_review(world.contributor, version_id=draft.id)
    result = await world.app.publish_version(world.admin, version_id=draft.id, change_summary=" ")
    assert result.new_active.change_summary == "Första"


@pytest.mark.parametrize("state", [D, A, ARCH])
async def test_only_in_review_can_be_published_VER_17(world: World, state: VersionState) -> None:
    tool = await world.tool()
    if state is D:
        target = await world.draft(tool)
    else:
        result = await world.activate(tool)
        target = result.new_active if state is A else world.versions_of(tool)[0]
    before, mark = dict(world.store.state.versions), world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.publish_version(world.admin, version_id=target.id)
    assert info.value.code is ErrorCode.CONFLICT
    assert info.value.message == "Only in_review versions can be published"
    assert world.store.state.versions == before
    assert world.audit_since(mark) == []


def test_previous_active_must_be_this_tools_active_VER_17() -> None:
    author = make_user()
    tool = make_tool()
    reviewed = make_version(tool, author, state=R)
    for previous in (
        make_version(make_tool(), author, state=A),
        make_version(tool, author, number=2, state=ARCH),
    ):
        with pytest.raises(DomainError) as info:
            publish_version(
                reviewed,
                previous_active=previous,
                new_id=uuid.uuid4(),
                new_version_number=3,
                publisher=author.id,
                now=T0,
                change_summary=None,
            )
        assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("published", [True, False])
async def test_publishing_a_version_never_changes_catalog_visibility_AMB_02_GOV_03(
    world: World, published: bool
) -> None:
    tool, _ = await world.published_tool()
    if not published:
        await world.app.set_tool_published(world.admin, tool_id=tool.id, published=False)
    reviewed = await world.in_review(tool)
    result = await world.app.publish_version(world.admin, version_id=reviewed.id)
    stored = world.stored_tool(tool.id)
    assert stored.is_published is published
    assert stored.active_version_id == result.new_active_version_id
    listed = await world.app.list_tools_by_tags(
        world.user, profession_slug="larare", category_slug="administration"
    )
    assert [(e.tool.id, e.runnable) for e in listed.tools] == (
        [(tool.id, True)] if published else []
    )


async def test_request_changes_GOV_04_VER_14(world: World) -> None:
    tool = await world.tool()
    reviewed = await world.in_review(tool)
    mark = world.audit_count()
    world.tick()
    draft = await world.app.request_changes(
        world.admin, version_id=reviewed.id, message="  Lägg till rubriker "
    )
    now = world.clock.now()
    archived = world.stored_version(reviewed.id)
    assert archived.state is ARCH
    assert (archived.reviewed_by_user_id, archived.reviewed_at) == (world.admin.id, now)
    assert archived.published_by_user_id is None
    assert (draft.state, draft.version_number) == (D, 2)
    assert (draft.source_code, draft.entrypoint) == (reviewed.source_code, reviewed.entrypoint)
    assert draft.derived_from_version_id == reviewed.id
    assert draft.created_by_user_id == world.contributor.id  # the original author keeps it
    assert draft.change_summary == "Lägg till rubriker"
    assert world.stored_tool(tool.id).active_version_id is None
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "version.changes_requested",
        reviewed.id,
    )
    # The author can carry on with the new draft.
    saved = await world.app.save_draft_version(
        world.contributor,
        version_id=draft.id,
        expected_parent_version_id=draft.id,
        source_code="y = 2\n",
    )
    assert saved.version_number == 3
    with pytest.raises(DomainError) as again:
        await world.app.request_changes(world.admin, version_id=reviewed.id)
    assert again.value.code is ErrorCode.CONFLICT


async def test_rollback_VER_18_GOV_05(world: World) -> None:
    tool, first = await world.published_tool()  # v1 archived, v2 active
    v1 = world.versions_of(tool)[0]
    second = await world.activate(tool, source="def run_tool(a, b):\n    return 'v4'\n")
    mark = world.audit_count()
    world.tick()
    result = await world.app.rollback_version(
        world.superuser, tool_id=tool.id, from_version_id=v1.id
    )
    now, new = world.clock.now(), result.new_active
    assert result.previous_active_version_id == second.new_active_version_id
    assert result.archived_version_ids == (second.new_active_version_id,)
    assert (new.state, new.version_number) == (A, 5)
    assert (new.source_code, new.entrypoint, new.content_hash) == (
        v1.source_code,
        v1.entrypoint,
        v1.content_hash,
    )
    assert new.derived_from_version_id == v1.id
    assert new.created_by_user_id == new.published_by_user_id == world.superuser.id
    assert new.published_at == now
    assert new.change_summary == "Rollback from v1"
    assert world.stored_version(v1.id) == v1  # the source row is not modified
    assert world.stored_version(second.new_active_version_id).state is ARCH
    stored = world.stored_tool(tool.id)
    assert stored.active_version_id == new.id
    assert stored.is_published is True
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.superuser.id,
        "version.rolled_back",
        new.id,
    )
    assert first.new_active_version_id != new.id


async def test_rollback_does_not_publish_a_hidden_tool_GOV_05(world: World) -> None:
    tool = await world.tool()
    await world.activate(tool)
    v1 = world.versions_of(tool)[0]
    await world.app.rollback_version(world.superuser, tool_id=tool.id, from_version_id=v1.id)
    assert world.stored_tool(tool.id).is_published is False


@pytest.mark.parametrize("state", [D, R, A])
async def test_rollback_needs_an_archived_source_VER_18(world: World, state: VersionState) -> None:
    tool = await world.tool()
    result = await world.activate(tool)
    source: ToolVersion = {
        D: await world.draft(tool),
        R: await world.in_review(tool),
        A: result.new_active,
    }[state]
    before = dict(world.store.state.versions)
    with pytest.raises(DomainError) as info:
        await world.app.rollback_version(
            world.superuser, tool_id=tool.id, from_version_id=source.id
        )
    assert info.value.code is ErrorCode.CONFLICT
    assert info.value.message == "Only archived versions can be rolled back to"
    assert world.store.state.versions == before


async def test_rollback_is_tool_scoped_AMB_01(world: World) -> None:
    tool = await world.tool()
    other = await world.tool()
    await world.activate(tool)
    await world.activate(other)
    foreign_archived = world.versions_of(other)[0]
    assert foreign_archived.state is ARCH
    before, mark = dict(world.store.state.versions), world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.rollback_version(
            world.superuser, tool_id=tool.id, from_version_id=foreign_archived.id
        )
    assert info.value.code is ErrorCode.CONFLICT
    assert world.store.state.versions == before
    assert world.audit_since(mark) == []
    for tool_id, version_id in [(uuid.uuid4(), foreign_archived.id), (tool.id, uuid.uuid4())]:
        with pytest.raises(DomainError) as missing:
            await world.app.rollback_version(
                world.superuser, tool_id=tool_id, from_version_id=version_id
            )
        assert missing.value.code is ErrorCode.NOT_FOUND


async def test_versions_are_append_only_through_a_full_lifecycle_VER_13_GOV_06_VER_23(
    world: World,
) -> None:
    tool = await world.tool()
    seen: dict[uuid.UUID, ToolVersion] = {}
    r1 = await world.in_review(tool)
    await world.app.request_changes(world.admin, version_id=r1.id)
    pub = await world.activate(tool)
    await world.activate(tool)
    await world.app.rollback_version(
        world.superuser, tool_id=tool.id, from_version_id=pub.new_active_version_id
    )
    for v in world.versions_of(tool):
        seen[v.id] = v
        assert v.created_by_user_id is not None
        assert v.created_at is not None
        if v.submitted_for_review_at is not None:
            assert v.submitted_for_review_by_user_id is not None
        if v.reviewed_at is not None:
            assert v.reviewed_by_user_id is not None
        if v.published_at is not None:
            assert v.published_by_user_id is not None
    assert [v.version_number for v in world.versions_of(tool)] == list(range(1, 8))
    assert sum(v.state is A for v in world.versions_of(tool)) == 1
    assert (
        world.stored_tool(tool.id).active_version_id
        == max(seen.values(), key=lambda v: v.version_number).id
    )
