"""The append-only audit log (GOV-06, ID-21, AMB-16, AMB-24, AMB-28) and the atomicity of
suggestion decisions (SUG-12)."""

from __future__ import annotations

import uuid

import pytest
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.suggestions import SuggestionDecisionType, SuggestionStatus
from skriptoteket.testing.fakes import FaultyUnitOfWorkFactory, InjectedFault, fail_when
from skriptoteket.testing.world import PASSWORD, World

ACCEPT, DENY = SuggestionDecisionType.ACCEPT, SuggestionDecisionType.DENY


async def test_bootstrap_and_provisioning_rows_system_actor_by_label_ID_22() -> None:
    world = await World.create()
    first = world.store.state.audit[0]
    assert first.action is AuditAction.USER_CREATED
    assert first.actor_user_id is None
    assert first.actor_label == "bootstrap"
    assert first.subject_id == world.superuser.id
    assert first.details["role"] == "superuser"
    mark = world.audit_count()
    created = await world.app.create_user(
        world.admin, email="ny@skolan.se", password=PASSWORD, role=Role.USER
    )
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action, row.subject_type, row.subject_id) == (
        world.admin.id,
        AuditAction.USER_CREATED,
        SubjectType.USER,
        created.id,
    )


async def test_suggestion_accept_writes_exactly_three_rows_SUG_12_SUG_14(world: World) -> None:
    s = await world.app.submit_suggestion(
        world.contributor,
        title="T",
        description="D",
        professions=["larare"],
        categories=["ovrigt"],
    )
    mark = world.audit_count()
    r = await world.app.decide_suggestion(
        world.admin, suggestion_id=s.id, decision=ACCEPT, rationale="Ja"
    )
    tool_id = r.suggestion.draft_tool_id
    assert [(e.actor_user_id, e.action.value, e.subject_id) for e in world.audit_since(mark)] == [
        (world.admin.id, "tool.created", tool_id),
        (world.admin.id, "maintainer.assigned", tool_id),
        (world.admin.id, "suggestion.accepted", s.id),
    ]


async def test_suggestion_deny_writes_one_row(world: World) -> None:
    s = await world.app.submit_suggestion(
        world.contributor,
        title="T",
        description="D",
        professions=["larare"],
        categories=["ovrigt"],
    )
    mark = world.audit_count()
    await world.app.decide_suggestion(world.admin, suggestion_id=s.id, decision=DENY, rationale="N")
    assert [(e.actor_user_id, e.action.value, e.subject_id) for e in world.audit_since(mark)] == [
        (world.admin.id, "suggestion.denied", s.id)
    ]


async def test_tool_governance_rows(world: World) -> None:
    mark = world.audit_count()
    tool = await world.tool(maintainers=[])
    result = await world.activate(tool, world.admin)
    await world.app.set_tool_published(world.admin, tool_id=tool.id, published=True)
    await world.app.set_tool_published(world.superuser, tool_id=tool.id, published=False)
    await world.app.update_tool(world.admin, tool_id=tool.id, professions=["rektor"])
    rows = [(e.actor_user_id, e.action.value, e.subject_id) for e in world.audit_since(mark)]
    draft_id = world.versions_of(tool)[0].id
    assert rows == [
        (world.admin.id, "tool.created", tool.id),
        (world.admin.id, "version.created", draft_id),
        (world.admin.id, "version.submitted", draft_id),
        (world.admin.id, "version.published", result.new_active_version_id),
        (world.admin.id, "tool.published", tool.id),
        (world.superuser.id, "tool.depublished", tool.id),
        (world.admin.id, "tool.tags_updated", tool.id),
    ]


async def test_list_audit_log_admin_only_newest_first_with_filters(world: World) -> None:
    tool = await world.tool()
    world.tick()
    await world.app.update_tool(world.admin, tool_id=tool.id, title="Ny")
    entries = await world.app.list_audit_log(world.admin)
    assert [e.occurred_at for e in entries] == sorted(
        (e.occurred_at for e in entries), reverse=True
    )
    assert entries[0].action is AuditAction.TOOL_METADATA_UPDATED
    about_tool = await world.app.list_audit_log(world.superuser, subject_id=tool.id)
    assert {e.action.value for e in about_tool} == {
        "tool.created",
        "maintainer.assigned",
        "tool.metadata_updated",
    }
    created = await world.app.list_audit_log(world.admin, action=AuditAction.USER_CREATED)
    assert len(created) == 5
    assert all(e.action is AuditAction.USER_CREATED for e in created)
    by_admin = await world.app.list_audit_log(world.admin, actor_user_id=world.admin.id, limit=2)
    assert len(by_admin) == 2
    assert all(e.actor_user_id == world.admin.id for e in by_admin)
    for actor in (world.contributor, world.user):
        with pytest.raises(DomainError) as info:
            await world.app.list_audit_log(actor)
        assert info.value.code is ErrorCode.FORBIDDEN


async def test_failed_actions_write_no_audit_rows_GOV_06(world: World) -> None:
    tool = await world.tool()
    mark = world.audit_count()
    failures = [
        world.app.set_tool_published(world.admin, tool_id=tool.id, published=True),
        world.app.update_tool(world.admin, tool_id=tool.id, title=" "),
        world.app.publish_version(world.admin, version_id=uuid.uuid4()),
        world.app.create_draft_version(world.user, tool_id=tool.id, source_code="x"),
    ]
    for call in failures:
        with pytest.raises(DomainError):
            await call
    assert world.audit_since(mark) == []


@pytest.mark.parametrize(
    "fault",
    ["tools.add_maintainer", "suggestions.update", "suggestions.add_decision", "audit.append"],
)
async def test_decide_suggestion_accept_is_atomic_SUG_12(world: World, fault: str) -> None:
    s = await world.app.submit_suggestion(
        world.contributor,
        title="T",
        description="D",
        professions=["larare"],
        categories=["ovrigt"],
    )
    repo_name, method = fault.split(".")
    mark = world.audit_count()

    def inject(uow: object) -> None:
        repo = getattr(uow, repo_name)
        if fault == "audit.append":
            # Fail on the last row (after the tool, maintainer and decision are written).
            fail_when(repo, method, lambda e, *a, **k: e.action is AuditAction.SUGGESTION_ACCEPTED)
        else:
            fail_when(repo, method)

    app = world.with_uow(FaultyUnitOfWorkFactory(world.store.unit_of_work, inject))
    with pytest.raises(InjectedFault):
        await app.decide_suggestion(
            world.admin, suggestion_id=s.id, decision=ACCEPT, rationale="Ja"
        )
    state = world.store.state
    assert state.tools == {}
    assert state.maintainers == set()
    assert state.suggestions[s.id].status is SuggestionStatus.PENDING_REVIEW
    assert state.suggestions[s.id] == s
    assert state.decisions == []
    assert world.audit_since(mark) == []
    done = await world.app.decide_suggestion(
        world.admin, suggestion_id=s.id, decision=ACCEPT, rationale="Ja"
    )
    assert done.suggestion.draft_tool_id in world.store.state.tools
