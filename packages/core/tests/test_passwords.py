"""Changing one's own password, an admin or superuser setting one, and reactivating a
deactivated account (issue 9 item 8; ID-09, ID-10 rule via can_manage_user, ID-16, AMB-16)."""

from __future__ import annotations

from uuid import UUID

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.testing.world import PASSWORD, World

NEW = "Blåbärspaj-2027"


async def _login(world: World, user: User, password: str = PASSWORD) -> UUID:
    return (await world.app.login(email=user.email, password=password)).session.id


async def test_change_own_password_keeps_this_session_ends_the_others(world: World) -> None:
    here = await _login(world, world.user)
    elsewhere = await _login(world, world.user)
    admin_session = await _login(world, world.admin)
    mark = world.audit_count()
    world.tick()
    updated = await world.app.change_own_password(
        world.user, current_password=PASSWORD, new_password=NEW, keep_session_id=here
    )
    assert updated.updated_at == world.clock.now()
    assert world.stored_user(world.user).password_hash == world.app.deps.hasher.hash(NEW)
    assert await world.app.resolve_session(here) is not None
    assert await world.app.resolve_session(elsewhere) is None
    assert await world.app.resolve_session(admin_session) is not None
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.user.id,
        "user.password_changed",
        world.user.id,
    )
    assert dict(row.details) == {"email": world.user.email, "sessions_ended": 1}
    assert PASSWORD not in repr(row)
    assert NEW not in repr(row)
    await _login(world, world.user, NEW)
    with pytest.raises(DomainError) as old:
        await _login(world, world.user, PASSWORD)
    assert old.value.code is ErrorCode.INVALID_CREDENTIALS


async def test_change_without_a_session_ends_every_session(world: World) -> None:
    """From the API with a bearer token there is no session to keep."""
    first = await _login(world, world.user)
    await world.app.change_own_password(world.user, current_password=PASSWORD, new_password=NEW)
    assert await world.app.resolve_session(first) is None


@pytest.mark.parametrize(
    ("current", "new", "reason", "field"),
    [
        ("fel-lösenord-1", NEW, "current_password_wrong", "current_password"),
        (PASSWORD, PASSWORD, "password_unchanged", "new_password"),
        (PASSWORD, "kort", "password_too_short", "password"),  # validate_password's policy
        (PASSWORD, "larare@skolan.se", "password_too_easy", "password"),
    ],
)
async def test_change_refused_changes_nothing(
    world: World, current: str, new: str, reason: str | None, field: str
) -> None:
    before = world.stored_user(world.user)
    session = await _login(world, world.user)
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.change_own_password(world.user, current_password=current, new_password=new)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.reason == reason
    assert info.value.details["field"] == field
    assert world.stored_user(world.user) == before
    assert world.audit_since(mark) == []
    assert await world.app.resolve_session(session) is not None


async def test_operator_has_no_own_password(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.change_own_password(
            world.operator, current_password=PASSWORD, new_password=NEW
        )
    assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize(
    ("actor_name", "target_role", "allowed"),
    [
        ("admin", Role.USER, True),
        ("admin", Role.CONTRIBUTOR, True),
        ("admin", Role.ADMIN, False),
        ("admin", Role.SUPERUSER, False),
        ("superuser", Role.USER, True),
        ("superuser", Role.ADMIN, True),
        ("superuser", Role.SUPERUSER, True),
        ("operator", Role.SUPERUSER, True),
        ("contributor", Role.USER, False),
        ("user", Role.USER, False),
    ],
)
async def test_set_password_role_rules(
    world: World, actor_name: str, target_role: Role, allowed: bool
) -> None:
    actor: User = getattr(world, actor_name)
    target = await world.add_user(target_role)
    session = await _login(world, target)
    before = world.stored_user(target)
    mark = world.audit_count()
    if not allowed:
        with pytest.raises(DomainError) as info:
            await world.app.set_user_password(actor, email=target.email, password=NEW)
        assert info.value.code is ErrorCode.FORBIDDEN
        assert world.stored_user(target) == before
        assert world.audit_since(mark) == []
        return
    await world.app.set_user_password(actor, email=target.email, password=NEW)
    assert await world.app.resolve_session(session) is None
    [row] = world.audit_since(mark)
    assert row.action.value == "user.password_set"
    assert row.subject_id == target.id
    assert row.actor_user_id == (None if actor.is_system else actor.id)
    assert row.actor_label == actor.email
    assert dict(row.details) == {"email": target.email, "sessions_ended": 1}
    await _login(world, target, NEW)


async def test_set_password_refusals(world: World) -> None:
    mark = world.audit_count()
    with pytest.raises(DomainError) as own:
        await world.app.set_user_password(world.admin, email=world.admin.email, password=NEW)
    assert own.value.reason == "set_own_password"
    with pytest.raises(DomainError) as weak:
        await world.app.set_user_password(world.admin, email=world.user.email, password="password")
    assert weak.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as unknown:
        await world.app.set_user_password(world.admin, email="ingen@skolan.se", password=NEW)
    assert unknown.value.code is ErrorCode.USER_NOT_FOUND
    assert world.audit_since(mark) == []


async def test_reactivate_is_audited_and_allows_login_again(world: World) -> None:
    await world.app.deactivate_user(world.admin, email=world.user.email)
    with pytest.raises(DomainError):
        await _login(world, world.user)
    mark = world.audit_count()
    world.tick()
    back = await world.app.reactivate_user(world.admin, email=world.user.email)
    assert back.is_active
    assert back.updated_at == world.clock.now()
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "user.reactivated",
        world.user.id,
    )
    await _login(world, world.user)
    again = world.audit_count()
    await world.app.reactivate_user(world.admin, email=world.user.email)  # idempotent
    assert world.audit_since(again) == []


async def test_reactivate_follows_the_management_rule(world: World) -> None:
    admin2 = await world.add_user(Role.ADMIN)
    await world.app.deactivate_user(world.superuser, email=admin2.email)
    for actor in (world.admin, world.contributor, world.user):
        with pytest.raises(DomainError) as info:
            await world.app.reactivate_user(actor, email=admin2.email)
        assert info.value.code is ErrorCode.FORBIDDEN
    assert not world.stored_user(admin2).is_active
    assert (await world.app.reactivate_user(world.superuser, email=admin2.email)).is_active
