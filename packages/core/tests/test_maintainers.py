"""Tool maintainers and contributor access (TOOL-12–TOOL-18, VER-24, VER-25)."""

from __future__ import annotations

import uuid

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.versions import VersionState
from skriptoteket.testing.world import World


async def test_assign_maintainer_is_audited_TOOL_13_TOOL_14(world: World) -> None:
    tool = await world.tool(maintainers=[])
    mark = world.audit_count()
    added = await world.app.assign_maintainer(
        world.admin, tool_id=tool.id, email=" BIDRAG@skolan.se ", reason=" Ansvarig "
    )
    assert added is True
    assert (tool.id, world.contributor.id) in world.store.state.maintainers
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "maintainer.assigned",
        tool.id,
    )
    assert row.details["user_id"] == str(world.contributor.id)
    assert row.details["reason"] == "Ansvarig"
    listed = await world.app.list_maintainers(world.admin, tool_id=tool.id)
    assert [(m.user_id, m.email, m.role) for m in listed] == [
        (world.contributor.id, world.contributor.email, Role.CONTRIBUTOR)
    ]


async def test_assigning_an_existing_maintainer_is_a_silent_no_op_TOOL_14(world: World) -> None:
    tool = await world.tool()
    mark = world.audit_count()
    again = await world.app.assign_maintainer(
        world.admin, tool_id=tool.id, email=world.contributor.email
    )
    assert again is False
    assert world.audit_since(mark) == []


async def test_assign_maintainer_errors_TOOL_14(world: World) -> None:
    tool = await world.tool(maintainers=[])
    with pytest.raises(DomainError) as no_tool:
        await world.app.assign_maintainer(
            world.admin, tool_id=uuid.uuid4(), email=world.contributor.email
        )
    assert no_tool.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as no_user:
        await world.app.assign_maintainer(world.admin, tool_id=tool.id, email="ingen@skolan.se")
    assert no_user.value.code in (ErrorCode.NOT_FOUND, ErrorCode.USER_NOT_FOUND)
    with pytest.raises(DomainError) as wrong_role:
        await world.app.assign_maintainer(world.admin, tool_id=tool.id, email=world.user.email)
    assert wrong_role.value.code is ErrorCode.VALIDATION_ERROR
    for actor in (world.contributor, world.user):
        with pytest.raises(DomainError) as forbidden:
            await world.app.assign_maintainer(actor, tool_id=tool.id, email=world.admin.email)
        assert forbidden.value.code is ErrorCode.FORBIDDEN
    assert world.store.state.maintainers == set()


async def test_remove_maintainer_is_audited_TOOL_13_TOOL_15(world: World) -> None:
    tool = await world.tool()
    mark = world.audit_count()
    await world.app.remove_maintainer(
        world.superuser, tool_id=tool.id, user_id=world.contributor.id, reason="Slutat"
    )
    assert world.store.state.maintainers == set()
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.superuser.id,
        "maintainer.removed",
        tool.id,
    )
    assert row.details["user_id"] == str(world.contributor.id)
    # The former maintainer loses access at once (TOOL-18).
    with pytest.raises(DomainError) as info:
        await world.app.get_tool(world.contributor, tool_id=tool.id)
    assert info.value.code is ErrorCode.FORBIDDEN


async def test_remove_maintainer_errors_TOOL_15(world: World) -> None:
    tool = await world.tool()
    mark = world.audit_count()
    with pytest.raises(DomainError) as not_one:
        await world.app.remove_maintainer(
            world.admin, tool_id=tool.id, user_id=world.other_contributor.id
        )
    assert not_one.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as forbidden:
        await world.app.remove_maintainer(
            world.contributor, tool_id=tool.id, user_id=world.contributor.id
        )
    assert forbidden.value.code is ErrorCode.FORBIDDEN
    assert (tool.id, world.contributor.id) in world.store.state.maintainers
    assert world.audit_since(mark) == []


async def test_my_tools_lists_maintained_tools_TOOL_17(world: World) -> None:
    mine_b = await world.tool(title="B")
    mine_a = await world.tool(title="A")
    await world.tool(title="C", maintainers=[world.other_contributor])
    assert [t.id for t in await world.app.list_my_tools(world.contributor)] == [
        mine_a.id,
        mine_b.id,
    ]
    assert await world.app.list_my_tools(world.admin) == []
    with pytest.raises(DomainError) as info:
        await world.app.list_my_tools(world.user)
    assert info.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize(
    ("actor_name", "allowed"),
    [
        ("superuser", True),
        ("admin", True),
        ("contributor", True),
        ("other_contributor", False),
        ("user", False),
    ],
)
async def test_tool_access_admins_implicit_contributors_only_if_maintainer_TOOL_18(
    world: World, actor_name: str, allowed: bool
) -> None:
    tool = await world.tool()
    actor: User = getattr(world, actor_name)
    if allowed:
        assert (await world.app.get_tool(actor, tool_id=tool.id)).id == tool.id
    else:
        with pytest.raises(DomainError) as info:
            await world.app.get_tool(actor, tool_id=tool.id)
        assert info.value.code is ErrorCode.FORBIDDEN


async def test_maintainer_sees_active_archived_and_own_versions_VER_25(world: World) -> None:
    tool = await world.tool(maintainers=[world.contributor, world.other_contributor])
    published = await world.activate(tool)  # v1 archived (consumed), v2 active
    own_draft = await world.draft(tool, world.contributor)  # v3
    theirs = await world.in_review(tool, world.other_contributor)  # v4
    admin_draft = await world.draft(tool, world.admin)  # v5
    all_ids = {v.id for v in world.versions_of(tool)}
    assert {v.id for v in await world.app.list_versions(world.admin, tool_id=tool.id)} == all_ids
    seen = await world.app.list_versions(world.contributor, tool_id=tool.id)
    assert [v.version_number for v in seen] == [3, 2, 1]  # newest first
    assert {v.state for v in seen} == {
        VersionState.DRAFT,
        VersionState.ACTIVE,
        VersionState.ARCHIVED,
    }
    assert own_draft.id in {v.id for v in seen}
    for hidden in (theirs, admin_draft):
        with pytest.raises(DomainError) as info:
            await world.app.get_version(world.contributor, version_id=hidden.id)
        assert info.value.code is ErrorCode.FORBIDDEN
    active = await world.app.get_version(
        world.contributor, version_id=published.new_active_version_id
    )
    assert active.state is VersionState.ACTIVE
    other_seen = {
        v.id for v in await world.app.list_versions(world.other_contributor, tool_id=tool.id)
    }
    assert theirs.id in other_seen
    assert own_draft.id not in other_seen


async def test_get_unknown_version_is_not_found_ED_03(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.get_version(world.admin, version_id=uuid.uuid4())
    assert info.value.code is ErrorCode.NOT_FOUND
