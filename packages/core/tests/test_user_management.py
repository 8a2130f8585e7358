"""User management: role changes, deactivation, the last superuser, re-reading the actor
(ID-05, ID-21, NOM-07, AMB-16, AMB-24)."""

from __future__ import annotations

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import (
    Role,
    User,
)
from skriptoteket.testing.factories import make_user
from skriptoteket.testing.world import PASSWORD, World

ROLES = [Role.USER, Role.CONTRIBUTOR, Role.ADMIN, Role.SUPERUSER]


async def test_role_change_is_audited_with_from_and_to_ID_21_AMB_16(world: World) -> None:
    mark = world.audit_count()
    world.tick()
    promoted = await world.app.change_user_role(
        world.admin, email=world.user.email, role=Role.CONTRIBUTOR
    )
    assert promoted.role is Role.CONTRIBUTOR
    assert promoted.updated_at == world.clock.now()
    assert world.stored_user(world.user).role is Role.CONTRIBUTOR
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "user.role_changed",
        world.user.id,
    )
    assert row.details["from_role"] == "user"
    assert row.details["to_role"] == "contributor"
    assert row.occurred_at == world.clock.now()


async def test_role_change_to_same_role_is_a_silent_no_op_AMB_16(world: World) -> None:
    mark = world.audit_count()
    same = await world.app.change_user_role(world.admin, email=world.user.email, role=Role.USER)
    assert same == world.stored_user(world.user)
    assert world.audit_since(mark) == []


@pytest.mark.parametrize(
    ("actor_name", "target_name", "new_role"),
    [
        ("admin", "user", Role.ADMIN),  # admin may not grant admin (ID-10)
        ("admin", "superuser", Role.USER),  # admin may not touch a superuser (NOM-07)
        ("contributor", "user", Role.CONTRIBUTOR),
        ("user", "user", Role.CONTRIBUTOR),
    ],
)
async def test_role_change_forbidden_cases_NOM_07_AMB_16(
    world: World, actor_name: str, target_name: str, new_role: Role
) -> None:
    actor: User = getattr(world, actor_name)
    target: User = getattr(world, target_name)
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.change_user_role(actor, email=target.email, role=new_role)
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.stored_user(target).role is target.role
    assert world.audit_since(mark) == []


async def test_superuser_demotes_admin_NOM_07(world: World) -> None:
    demoted = await world.app.change_user_role(
        world.superuser, email=world.admin.email, role=Role.CONTRIBUTOR
    )
    assert demoted.role is Role.CONTRIBUTOR


async def test_deactivation_is_audited_and_ends_sessions_ID_16_AMB_16_AMB_24(
    world: World,
) -> None:
    session = (await world.app.login(email=world.user.email, password=PASSWORD)).session
    mark = world.audit_count()
    gone = await world.app.deactivate_user(world.admin, email=world.user.email)
    assert gone.is_active is False
    assert world.user.id in world.store.state.users  # deactivated, never deleted
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "user.deactivated",
        world.user.id,
    )
    assert await world.app.resolve_session(session.id) is None
    again_mark = world.audit_count()
    await world.app.deactivate_user(world.admin, email=world.user.email)  # idempotent
    assert world.audit_since(again_mark) == []


async def test_cannot_deactivate_self_or_above_own_rank_AMB_16(world: World) -> None:
    with pytest.raises(DomainError) as own:
        await world.app.deactivate_user(world.admin, email=world.admin.email)
    assert own.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as higher:
        await world.app.deactivate_user(world.admin, email=world.superuser.email)
    assert higher.value.code is ErrorCode.FORBIDDEN
    assert world.stored_user(world.superuser).is_active


async def test_last_active_superuser_cannot_be_demoted_or_deactivated_AMB_16(
    world: World,
) -> None:
    mark = world.audit_count()
    for attempt in (
        world.app.change_user_role(world.operator, email=world.superuser.email, role=Role.ADMIN),
        world.app.deactivate_user(world.operator, email=world.superuser.email),
    ):
        with pytest.raises(DomainError) as info:
            await attempt
        assert info.value.code is ErrorCode.CONFLICT
        assert info.value.message == "Cannot remove the last active superuser"
    assert world.stored_user(world.superuser).role is Role.SUPERUSER
    assert world.stored_user(world.superuser).is_active
    assert world.audit_since(mark) == []
    second = await world.app.bootstrap_superuser(
        email="su2@skolan.se", password=PASSWORD, force=True
    )
    demoted = await world.app.change_user_role(second, email=world.superuser.email, role=Role.ADMIN)
    assert demoted.role is Role.ADMIN
    with pytest.raises(DomainError) as last:
        await world.app.change_user_role(world.operator, email=second.email, role=Role.ADMIN)
    assert last.value.code is ErrorCode.CONFLICT


async def test_forged_actor_is_re_read_ID_05(world: World) -> None:
    forged = attrs.evolve(world.user, role=Role.SUPERUSER)
    calls = [
        world.app.create_user(forged, email="x@skolan.se", password=PASSWORD, role=Role.ADMIN),
        world.app.change_user_role(forged, email=world.user.email, role=Role.SUPERUSER),
        world.app.list_users(forged),
        world.app.list_audit_log(forged),
    ]
    for call in calls:
        with pytest.raises(DomainError) as info:
            await call
        assert info.value.code is ErrorCode.FORBIDDEN
    assert world.stored_user(world.user).role is Role.USER


async def test_deactivated_or_unknown_actor_is_unauthorized_ID_05(world: World) -> None:
    await world.app.deactivate_user(world.superuser, email=world.admin.email)
    stale_admin = world.admin  # the caller still holds the old, active object
    ghost = make_user(role=Role.SUPERUSER)
    for actor in (stale_admin, ghost):
        with pytest.raises(DomainError) as info:
            await world.app.list_users(actor)
        assert info.value.code is ErrorCode.UNAUTHORIZED
