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
    assert user.password_hash is not None
    assert PASSWORD not in user.password_hash
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
    call = world.app.create_user(actor, email="ny@skolan.se", password=PASSWORD, role=target_role)
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
    assert isinstance(session.id, uuid.UUID)
    assert session.id.version == 4
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
    assert current.user.id == world.user.id
    assert current.session == session


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
    assert forced.role is Role.SUPERUSER
    assert forced.auth_provider is AuthProvider.LOCAL
    with pytest.raises(DomainError) as dup:
        await world.app.bootstrap_superuser(email="NY@skolan.se", password=PASSWORD, force=True)
    assert dup.value.code is ErrorCode.DUPLICATE_ENTRY
    assert dup.value.message == "User already exists for that email."


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
