"""The scripting permission matrix of SPEC §6.3 (VER-24, VER-25, TOOL-02, TOOL-18, GOV-01,
GOV-04, GOV-05, ED-10, EXE-07), driven through the use cases: every role × every action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.runs import ToolRun
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion
from skriptoteket.testing.world import SOURCE, World

ROLES = ["user", "contributor_maintainer", "contributor_non_maintainer", "admin", "superuser"]
ALL = frozenset(ROLES)
MAINTAINERS = frozenset({"contributor_maintainer", "admin", "superuser"})
ADMINS = frozenset({"admin", "superuser"})
SUPERUSERS = frozenset({"superuser"})


@attrs.frozen
class Scene:
    world: World
    tool: Tool
    archived: ToolVersion  # v1, consumed by the publish of v2
    active: ToolVersion  # v2
    draft: ToolVersion  # v3, the maintainer's draft (the draft head)
    in_review: ToolVersion  # v4, the maintainer's, in review
    stranger_run: ToolRun
    own_runs: dict[str, ToolRun]

    def actor(self, role: str) -> User:
        w = self.world
        return {
            "user": w.user,
            "contributor_maintainer": w.contributor,
            "contributor_non_maintainer": w.other_contributor,
            "admin": w.admin,
            "superuser": w.superuser,
        }[role]


@pytest.fixture
async def scene(world: World) -> Scene:
    tool, published = await world.published_tool()
    draft = await world.draft(tool, world.contributor)
    in_review = await world.in_review(tool, world.contributor)
    stranger = await world.add_user(Role.USER, "okand@skolan.se")
    stranger_run = await world.add_run(published.new_active, stranger)
    scene = Scene(
        world=world,
        tool=tool,
        archived=world.versions_of(tool)[0],
        active=published.new_active,
        draft=draft,
        in_review=in_review,
        stranger_run=stranger_run,
        own_runs={},
    )
    for role in ROLES:
        scene.own_runs[role] = await world.add_run(published.new_active, scene.actor(role))
    return scene


Action = Callable[[Scene, User], Awaitable[object]]


ACTIONS: dict[str, tuple[Action, frozenset[str]]] = {
    "browse_catalog": (
        lambda s, a: s.world.app.list_tools_by_tags(
            a, profession_slug="larare", category_slug="administration"
        ),
        ALL,
    ),
    "open_editor": (lambda s, a: s.world.app.get_tool(a, tool_id=s.tool.id), MAINTAINERS),
    "list_versions": (lambda s, a: s.world.app.list_versions(a, tool_id=s.tool.id), MAINTAINERS),
    "view_active_version": (
        lambda s, a: s.world.app.get_version(a, version_id=s.active.id),
        MAINTAINERS,
    ),
    "view_archived_version": (
        lambda s, a: s.world.app.get_version(a, version_id=s.archived.id),
        MAINTAINERS,
    ),
    "view_maintainers_draft": (
        lambda s, a: s.world.app.get_version(a, version_id=s.draft.id),
        MAINTAINERS,
    ),
    "create_draft": (
        lambda s, a: s.world.app.create_draft_version(
            a, tool_id=s.tool.id, source_code=SOURCE, derived_from_version_id=s.active.id
        ),
        MAINTAINERS,
    ),
    "save_draft": (
        lambda s, a: s.world.app.save_draft_version(
            a, version_id=s.draft.id, expected_parent_version_id=s.draft.id, source_code=SOURCE
        ),
        MAINTAINERS,
    ),
    "submit_for_review": (
        lambda s, a: s.world.app.submit_for_review(a, version_id=s.draft.id),
        MAINTAINERS,
    ),
    "request_changes": (
        lambda s, a: s.world.app.request_changes(a, version_id=s.in_review.id),
        ADMINS,
    ),
    "publish_version": (
        lambda s, a: s.world.app.publish_version(a, version_id=s.in_review.id),
        ADMINS,
    ),
    "rollback": (
        lambda s, a: s.world.app.rollback_version(
            a, tool_id=s.tool.id, from_version_id=s.archived.id
        ),
        SUPERUSERS,
    ),
    "view_own_run": (
        lambda s, a: s.world.app.get_run(
            a, run_id=next(r.id for r in s.own_runs.values() if r.requested_by_user_id == a.id)
        ),
        ALL,
    ),
    "view_any_run": (lambda s, a: s.world.app.get_run(a, run_id=s.stranger_run.id), ADMINS),
    "depublish_tool": (
        lambda s, a: s.world.app.set_tool_published(a, tool_id=s.tool.id, published=False),
        ADMINS,
    ),
    "publish_tool": (
        lambda s, a: s.world.app.set_tool_published(a, tool_id=s.tool.id, published=True),
        ADMINS,
    ),
    "edit_metadata": (
        lambda s, a: s.world.app.update_tool(a, tool_id=s.tool.id, title="Ny titel"),
        ADMINS,
    ),
    "list_maintainers": (lambda s, a: s.world.app.list_maintainers(a, tool_id=s.tool.id), ADMINS),
    "assign_maintainer": (
        lambda s, a: s.world.app.assign_maintainer(
            a, tool_id=s.tool.id, email=s.world.other_contributor.email
        ),
        ADMINS,
    ),
    "remove_maintainer": (
        lambda s, a: s.world.app.remove_maintainer(
            a, tool_id=s.tool.id, user_id=s.world.contributor.id
        ),
        ADMINS,
    ),
}

# Runs owned by someone else are hidden, not forbidden (ERR-06).
DENIAL_CODE = {"view_any_run": ErrorCode.NOT_FOUND}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_permission_matrix_6_3_VER_24_TOOL_02_TOOL_18(
    scene: Scene, action: str, role: str
) -> None:
    call, allowed = ACTIONS[action]
    actor = scene.actor(role)
    state = scene.world.store.state
    if role in allowed:
        await call(scene, actor)
        return
    audit_before, versions_before = list(state.audit), dict(state.versions)
    tools_before, maint_before = dict(state.tools), set(state.maintainers)
    with pytest.raises(DomainError) as info:
        await call(scene, actor)
    assert info.value.code is DENIAL_CODE.get(action, ErrorCode.FORBIDDEN), info.value
    state = scene.world.store.state
    assert state.audit == audit_before
    assert state.versions == versions_before
    assert state.tools == tools_before
    assert state.maintainers == maint_before


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_forged_superuser_object_is_re_read_ID_05(scene: Scene, action: str) -> None:
    """A ``User`` claiming superuser but carrying a stored ``user``'s id gets what a user gets."""
    call, allowed = ACTIONS[action]
    if "user" in allowed:
        return
    forged = attrs.evolve(scene.world.user, role=Role.SUPERUSER)
    with pytest.raises(DomainError) as info:
        await call(scene, forged)
    assert info.value.code is DENIAL_CODE.get(action, ErrorCode.FORBIDDEN)


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_deactivated_actor_is_unauthorized_ID_05(scene: Scene, action: str) -> None:
    call, _ = ACTIONS[action]
    w = scene.world
    await w.app.deactivate_user(w.operator, email=w.admin.email)
    with pytest.raises(DomainError) as info:
        await call(scene, w.admin)
    assert info.value.code is ErrorCode.UNAUTHORIZED


async def test_maintainer_on_another_maintainers_draft_messages_VER_24(world: World) -> None:
    tool = await world.tool(maintainers=[world.contributor, world.other_contributor])
    draft = await world.draft(tool, world.contributor)
    with pytest.raises(DomainError) as save:
        await world.app.save_draft_version(
            world.other_contributor,
            version_id=draft.id,
            expected_parent_version_id=draft.id,
            source_code=SOURCE,
        )
    assert save.value.code is ErrorCode.FORBIDDEN
    assert save.value.message == "Cannot edit another user's draft"
    with pytest.raises(DomainError) as submit:
        await world.app.submit_for_review(world.other_contributor, version_id=draft.id)
    assert submit.value.code is ErrorCode.FORBIDDEN
    assert submit.value.message == "Cannot submit another user's draft for review"
    assert world.versions_of(tool) == [draft]


async def test_non_maintainer_contributor_is_forbidden_on_every_scripting_action_VER_24(
    world: World,
) -> None:
    tool = await world.tool()
    draft = await world.draft(tool)
    nm = world.other_contributor
    calls = [
        world.app.get_tool(nm, tool_id=tool.id),
        world.app.list_versions(nm, tool_id=tool.id),
        world.app.get_version(nm, version_id=draft.id),
        world.app.create_draft_version(nm, tool_id=tool.id, source_code=SOURCE),
        world.app.save_draft_version(
            nm, version_id=draft.id, expected_parent_version_id=draft.id, source_code=SOURCE
        ),
        world.app.submit_for_review(nm, version_id=draft.id),
    ]
    for call in calls:
        with pytest.raises(DomainError) as info:
            await call
        assert info.value.code is ErrorCode.FORBIDDEN
        assert info.value.message == "You are not a maintainer of this tool" or (
            info.value.message == "You may not view this version"
        )
