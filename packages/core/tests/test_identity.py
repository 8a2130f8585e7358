"""Accounts, provisioning, login, sessions and logout (SPEC §2: ID-01–ID-23, AMB-16, AMB-17)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import attrs
import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import (
    AuthProvider,
    Role,
    User,
    has_any_role,
    has_at_least_role,
    normalize_email,
    require_at_least_role,
)
from skriptoteket.testing.factories import make_user
from skriptoteket.testing.world import PASSWORD, World

ROLES = [Role.USER, Role.CONTRIBUTOR, Role.ADMIN, Role.SUPERUSER]


def test_roles_are_exactly_four_ranked_ID_01() -> None:
    assert [r.value for r in Role] == ["user", "contributor", "admin", "superuser"]
    assert [r.rank for r in ROLES] == [0, 1, 2, 3]
    assert Role.parse(" Admin ") is Role.ADMIN
    with pytest.raises(DomainError) as info:
        Role.parse("owner")
    assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("actual", ROLES)
@pytest.mark.parametrize("required", ROLES)
def test_role_guards_compare_ranks_ID_02(actual: Role, required: Role) -> None:
    user = make_user(role=actual)
    assert has_at_least_role(user, required) is (actual.rank >= required.rank)
    assert has_any_role(user, {required}) is (actual is required)
    if actual.rank >= required.rank:
        require_at_least_role(user, required)
    else:
        with pytest.raises(DomainError) as info:
            require_at_least_role(user, required)
        assert info.value.code is ErrorCode.FORBIDDEN
        assert info.value.message == "Insufficient permissions"
        assert info.value.details == {"required": required.value, "actual": actual.value}


def test_inactive_user_passes_no_guard_ID_02() -> None:
    user = make_user(role=Role.SUPERUSER, is_active=False)
    assert not has_at_least_role(user, Role.USER)
    assert not has_any_role(user, {Role.SUPERUSER})


async def test_new_local_user_fields_ID_03_ID_07_ID_11(world: World) -> None:
    world.tick()
    user = await world.app.create_user(
        world.admin, email="  Anna.Berg@Skolan.SE ", password=PASSWORD, role=Role.CONTRIBUTOR
    )
    assert user.email == "anna.berg@skolan.se"
    assert user.role is Role.CONTRIBUTOR
    assert user.auth_provider is AuthProvider.LOCAL
    assert user.external_id is None
    assert user.is_active is True
    assert user.password_hash is not None and PASSWORD not in user.password_hash
    assert user.created_at == user.updated_at == world.clock.now()
    assert world.stored_user(user) == user


def test_email_over_255_characters_is_rejected_ID_03() -> None:
    with pytest.raises(DomainError) as info:
        normalize_email("a" * 251 + "@x.se")
    assert info.value.code is ErrorCode.VALIDATION_ERROR


async def test_duplicate_normalized_email_is_duplicate_entry_ID_08(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.create_user(
            world.admin, email=" LARARE@skolan.se", password=PASSWORD, role=Role.USER
        )
    assert info.value.code is ErrorCode.DUPLICATE_ENTRY
    assert info.value.message == "Email already exists"


@pytest.mark.parametrize("actor_role", ROLES)
@pytest.mark.parametrize("target_role", ROLES)
async def test_provisioning_policy_ID_06_ID_10_ID_23(
    world: World, actor_role: Role, target_role: Role
) -> None:
    actor = await world.add_user(actor_role)
    allowed = actor_role is Role.SUPERUSER or (
        actor_role is Role.ADMIN and target_role in (Role.USER, Role.CONTRIBUTOR)
    )
    before = len(world.store.state.users)
    call = world.app.create_user(
        actor, email="ny@skolan.se", password=PASSWORD, role=target_role
    )
    if allowed:
        created = await call
        assert created.role is target_role
        assert len(world.store.state.users) == before + 1
    else:
        with pytest.raises(DomainError) as info:
            await call
        assert info.value.code is ErrorCode.FORBIDDEN
        assert info.value.message == "Insufficient permissions to provision that user"
        assert len(world.store.state.users) == before


async def test_login_normalizes_email_and_creates_session_ID_07_ID_14(world: World) -> None:
    world.tick()
    result = await world.app.login(email="  LARARE@Skolan.se ", password=PASSWORD)
    session = result.session
    assert result.user.id == world.user.id
    assert isinstance(session.id, uuid.UUID) and session.id.version == 4
    assert session.user_id == world.user.id
    assert len(session.csrf_token) >= 43  # token_urlsafe(32)
    assert session.created_at == world.clock.now()
    assert session.expires_at == world.clock.now() + timedelta(seconds=604800)
    assert session.revoked_at is None
    assert world.store.state.sessions[session.id] == session


async def _store_user(world: World, user: User) -> None:
    async with world.store.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()


@pytest.mark.parametrize(
    "case", ["unknown", "inactive", "huleedu", "no_hash", "wrong_password", "bad_email"]
)
async def test_every_login_failure_is_the_same_error_ID_12(world: World, case: str) -> None:
    email, password = world.user.email, PASSWORD
    if case == "unknown":
        email = "ingen@skolan.se"
    elif case == "inactive":
        await world.app.deactivate_user(world.admin, email=world.user.email)
    elif case == "huleedu":
        sso = attrs.evolve(
            make_user(email="sso@skolan.se"),
            auth_provider=AuthProvider.HULEEDU,
            external_id="ext-1",
            password_hash=world.app.deps.hasher.hash(PASSWORD),
        )
        await _store_user(world, sso)
        email = sso.email
    elif case == "no_hash":
        nohash = attrs.evolve(make_user(email="nohash@skolan.se"), password_hash=None)
        await _store_user(world, nohash)
        email = nohash.email
    elif case == "wrong_password":
        password = PASSWORD + "x"
    else:
        email = "inte en adress"
    sessions_before = len(world.store.state.sessions)
    with pytest.raises(DomainError) as info:
        await world.app.login(email=email, password=password)
    assert info.value.code is ErrorCode.INVALID_CREDENTIALS
    assert info.value.message == "Invalid credentials"
    assert info.value.details == {}
    assert len(world.store.state.sessions) == sessions_before


@pytest.mark.parametrize(
    "case", ["none", "unknown", "revoked", "expired", "expires_now", "missing_user", "inactive"]
)
async def test_session_resolution_anonymous_cases_ID_16(world: World, case: str) -> None:
    session = (await world.app.login(email=world.user.email, password=PASSWORD)).session
    assert await world.app.resolve_session(session.id) is not None
    session_id: uuid.UUID | None = session.id
    if case == "none":
        session_id = None
    elif case == "unknown":
        session_id = uuid.uuid4()
    elif case == "revoked":
        await world.app.logout(session_id=session.id, csrf_token=session.csrf_token)
    elif case == "expired":
        world.clock.set(session.expires_at + timedelta(seconds=1))
    elif case == "expires_now":
        world.clock.set(session.expires_at)
    elif case == "missing_user":
        del world.store.state.users[world.user.id]
    else:
        await world.app.deactivate_user(world.admin, email=world.user.email)
    assert await world.app.resolve_session(session_id) is None


async def test_session_valid_until_just_before_expiry_ID_16(world: World) -> None:
    session = (await world.app.login(email=world.user.email, password=PASSWORD)).session
    world.clock.set(session.expires_at - timedelta(microseconds=1))
    current = await world.app.resolve_session(session.id)
    assert current is not None
    assert current.user.id == world.user.id and current.session == session


async def test_logout_revokes_session_ID_18(world: World) -> None:
    session = (await world.app.login(email=world.user.email, password=PASSWORD)).session
    world.tick()
    await world.app.logout(session_id=session.id, csrf_token=session.csrf_token)
    assert world.store.state.sessions[session.id].revoked_at == world.clock.now()
    assert await world.app.resolve_session(session.id) is None


@pytest.mark.parametrize("case", ["wrong_token", "empty_token", "missing_session"])
async def test_logout_csrf_failure_is_forbidden_and_keeps_session_ID_18(
    world: World, case: str
) -> None:
    session = (await world.app.login(email=world.user.email, password=PASSWORD)).session
    session_id, token = session.id, session.csrf_token + "x"
    if case == "empty_token":
        token = ""
    elif case == "missing_session":
        session_id, token = uuid.uuid4(), session.csrf_token
    with pytest.raises(DomainError) as info:
        await world.app.logout(session_id=session_id, csrf_token=token)
    assert info.value.code is ErrorCode.FORBIDDEN
    assert info.value.message == "CSRF validation failed"
    assert world.store.state.sessions[session.id].revoked_at is None
    assert await world.app.resolve_session(session.id) is not None


async def test_bootstrap_superuser_ID_22_AMB_17(world: World) -> None:
    with pytest.raises(DomainError) as info:
        await world.app.bootstrap_superuser(email="ny@skolan.se", password=PASSWORD)
    assert info.value.code is ErrorCode.CONFLICT
    assert "ny@skolan.se" not in {u.email for u in world.store.state.users.values()}
    forced = await world.app.bootstrap_superuser(
        email="ny@skolan.se", password=PASSWORD, force=True
    )
    assert forced.role is Role.SUPERUSER and forced.auth_provider is AuthProvider.LOCAL
    with pytest.raises(DomainError) as dup:
        await world.app.bootstrap_superuser(email="NY@skolan.se", password=PASSWORD, force=True)
    assert dup.value.code is ErrorCode.DUPLICATE_ENTRY
    assert dup.value.message == "User already exists for that email."


async def test_role_change_is_audited_with_from_and_to_ID_21_AMB_16(world: World) -> None:
    mark = world.audit_count()
    world.tick()
    promoted = await world.app.change_user_role(
        world.admin, email=world.user.email, role=Role.CONTRIBUTOR
    )
    assert promoted.role is Role.CONTRIBUTOR and promoted.updated_at == world.clock.now()
    assert world.stored_user(world.user).role is Role.CONTRIBUTOR
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.admin.id,
        "user.role_changed",
        world.user.id,
    )
    assert row.details["from_role"] == "user" and row.details["to_role"] == "contributor"
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
    demoted = await world.app.change_user_role(
        second, email=world.superuser.email, role=Role.ADMIN
    )
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


async def test_real_argon2_hasher_end_to_end_ID_09() -> None:
    from skriptoteket.builtin.system import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    world = await World.create(hasher=hasher)
    stored = world.stored_user(world.user)
    assert stored.password_hash is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert hasher.verify(stored.password_hash, PASSWORD)
    assert not hasher.verify(stored.password_hash, "fel-lösenord-123")
    assert not hasher.verify("not-a-hash", PASSWORD)
    assert not hasher.verify("", PASSWORD)
    assert (await world.app.login(email=world.user.email, password=PASSWORD)).user == stored
    with pytest.raises(DomainError) as info:
        await world.app.login(email=world.user.email, password="fel-lösenord-123")
    assert info.value.code is ErrorCode.INVALID_CREDENTIALS
