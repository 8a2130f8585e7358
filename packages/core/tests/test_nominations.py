"""Admin nomination with superuser approval (NOM-01–NOM-07, AMB-29)."""

from __future__ import annotations

import uuid

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.nominations import NominationDecision, NominationStatus
from skriptoteket.testing.world import World


async def test_admin_nominates_a_user_NOM_01(world: World) -> None:
    mark = world.audit_count()
    world.tick()
    nom = await world.app.nominate_admin(
        world.admin, nominee_email=world.contributor.email, rationale="  Erfaren  "
    )
    assert nom.nominee_user_id == world.contributor.id
    assert nom.nominated_by_user_id == world.admin.id
    assert nom.rationale == "Erfaren"
    assert nom.created_at == world.clock.now()
    assert nom.status is NominationStatus.PENDING
    assert nom.decided_by_user_id is None
    assert nom.decided_at is None
    assert world.store.state.nominations[nom.id] == nom
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "nomination.created",
        nom.id,
    )


@pytest.mark.parametrize("actor_name", ["user", "contributor"])
async def test_only_admins_nominate_NOM_01(world: World, actor_name: str) -> None:
    actor: User = getattr(world, actor_name)
    with pytest.raises(DomainError) as info:
        await world.app.nominate_admin(actor, nominee_email=world.user.email, rationale="x")
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.store.state.nominations == {}


@pytest.mark.parametrize(
    ("nominee", "rationale"),
    [("user", "   "), ("admin", "ok"), ("superuser", "ok")],
)
async def test_nomination_validation_NOM_01(world: World, nominee: str, rationale: str) -> None:
    target: User = getattr(world, nominee)
    with pytest.raises(DomainError) as info:
        await world.app.nominate_admin(
            world.superuser, nominee_email=target.email, rationale=rationale
        )
    assert info.value.code is ErrorCode.VALIDATION_ERROR


async def test_one_pending_nomination_per_user_NOM_06(world: World) -> None:
    await world.app.nominate_admin(world.admin, nominee_email=world.user.email, rationale="a")
    with pytest.raises(DomainError) as info:
        await world.app.nominate_admin(
            world.superuser, nominee_email=world.user.email, rationale="b"
        )
    assert info.value.code is ErrorCode.CONFLICT


async def test_superuser_lists_pending_nominations_NOM_02(world: World) -> None:
    first = await world.app.nominate_admin(
        world.admin, nominee_email=world.user.email, rationale="a"
    )
    world.tick()
    second = await world.app.nominate_admin(
        world.admin, nominee_email=world.contributor.email, rationale="b"
    )
    await world.app.decide_nomination(
        world.superuser, nomination_id=first.id, decision=NominationDecision.DENY
    )
    pending = await world.app.list_nominations(world.superuser, status=NominationStatus.PENDING)
    assert [(n.id, n.nominee_user_id, n.nominated_by_user_id, n.rationale) for n in pending] == [
        (second.id, world.contributor.id, world.admin.id, "b")
    ]
    assert pending[0].created_at == second.created_at
    everything = await world.app.list_nominations(world.superuser)
    assert [n.id for n in everything] == [second.id, first.id]  # newest first
    with pytest.raises(DomainError) as info:
        await world.app.list_nominations(world.contributor)
    assert info.value.code is ErrorCode.FORBIDDEN


async def test_approval_makes_the_nominee_admin_and_is_audited_NOM_03_ID_21(
    world: World,
) -> None:
    nom = await world.app.nominate_admin(world.admin, nominee_email=world.user.email, rationale="a")
    mark = world.audit_count()
    world.tick()
    decided = await world.app.decide_nomination(
        world.superuser, nomination_id=nom.id, decision=NominationDecision.APPROVE, rationale="Ja"
    )
    assert decided.status is NominationStatus.APPROVED
    assert decided.decided_by_user_id == world.superuser.id
    assert decided.decided_at == world.clock.now()
    assert decided.decision_rationale == "Ja"
    assert world.stored_user(world.user).role is Role.ADMIN
    rows = world.audit_since(mark)
    assert [(r.actor_user_id, r.action.value, r.subject_id) for r in rows] == [
        (world.superuser.id, "user.role_changed", world.user.id),
        (world.superuser.id, "nomination.approved", nom.id),
    ]
    assert rows[0].details["from_role"] == "user"
    assert rows[0].details["to_role"] == "admin"


async def test_a_deactivated_nominee_is_not_promoted_NOM_03(world: World) -> None:
    nom = await world.app.nominate_admin(world.admin, nominee_email=world.user.email, rationale="a")
    await world.app.deactivate_user(world.superuser, email=world.user.email)
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.decide_nomination(
            world.superuser, nomination_id=nom.id, decision=NominationDecision.APPROVE
        )
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert world.stored_user(world.user).role is Role.USER
    assert world.audit_since(mark) == []
    denied = await world.app.decide_nomination(
        world.superuser, nomination_id=nom.id, decision=NominationDecision.DENY
    )
    assert denied.status is NominationStatus.DENIED


async def test_denial_leaves_the_role_unchanged_NOM_04(world: World) -> None:
    nom = await world.app.nominate_admin(
        world.admin, nominee_email=world.contributor.email, rationale="a"
    )
    mark = world.audit_count()
    world.tick()
    decided = await world.app.decide_nomination(
        world.superuser, nomination_id=nom.id, decision=NominationDecision.DENY
    )
    assert decided.status is NominationStatus.DENIED
    assert decided.decided_by_user_id == world.superuser.id
    assert decided.decided_at == world.clock.now()
    assert world.stored_user(world.contributor).role is Role.CONTRIBUTOR
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.superuser.id,
        "nomination.denied",
        nom.id,
    )


@pytest.mark.parametrize("actor_name", ["admin", "contributor", "user"])
@pytest.mark.parametrize("decision", list(NominationDecision))
async def test_non_superuser_cannot_decide_NOM_05(
    world: World, actor_name: str, decision: NominationDecision
) -> None:
    nom = await world.app.nominate_admin(
        world.admin, nominee_email=world.other_contributor.email, rationale="a"
    )
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.decide_nomination(
            getattr(world, actor_name), nomination_id=nom.id, decision=decision
        )
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.store.state.nominations[nom.id].status is NominationStatus.PENDING
    assert world.stored_user(world.other_contributor).role is Role.CONTRIBUTOR
    assert world.audit_since(mark) == []


async def test_only_pending_nominations_can_be_decided_NOM_06(world: World) -> None:
    nom = await world.app.nominate_admin(world.admin, nominee_email=world.user.email, rationale="a")
    await world.app.decide_nomination(
        world.superuser, nomination_id=nom.id, decision=NominationDecision.DENY
    )
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.decide_nomination(
            world.superuser, nomination_id=nom.id, decision=NominationDecision.APPROVE
        )
    assert info.value.code is ErrorCode.CONFLICT
    assert world.stored_user(world.user).role is Role.USER
    assert world.audit_since(mark) == []
    with pytest.raises(DomainError) as missing:
        await world.app.decide_nomination(
            world.superuser, nomination_id=uuid.uuid4(), decision=NominationDecision.DENY
        )
    assert missing.value.code is ErrorCode.NOT_FOUND


@pytest.mark.parametrize("raw", ["maybe", "", "accept"])
def test_unknown_nomination_decision_is_validation_error_NOM_06_AMB_12(raw: str) -> None:
    with pytest.raises(DomainError) as info:
        NominationDecision.parse(raw)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert NominationDecision.parse(" Approve ") is NominationDecision.APPROVE
