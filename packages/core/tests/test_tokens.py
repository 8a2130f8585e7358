"""Personal API tokens: stored hashed, authenticate active owners only, own tokens only."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.testing.world import World


async def test_token_secret_is_never_stored_only_its_hash(world: World) -> None:
    world.tick()
    issued = await world.app.create_api_token(world.user, owner_email=world.user.email, name="ci")
    secret = issued.secret
    assert secret.startswith("skt_")
    assert len(secret) >= 40
    stored = world.store.state.tokens[issued.token.id]
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:12]
    assert stored.user_id == world.user.id
    assert stored.name == "ci"
    assert stored.created_at == world.clock.now()
    assert stored.last_used_at is None
    assert stored.revoked_at is None
    # The secret appears nowhere in the stored state (tokens, audit, anything).
    assert secret not in repr(world.store.state)
    assert secret[len("skt_") :] not in repr(world.store.state)


async def test_token_authenticates_its_owner_and_records_last_use(world: World) -> None:
    issued = await world.app.create_api_token(world.user, owner_email=world.user.email)
    world.tick(5)
    assert await world.app.authenticate_api_token(issued.secret) == world.stored_user(world.user)
    first_use = world.clock.now()
    assert world.store.state.tokens[issued.token.id].last_used_at == first_use
    world.tick(30)  # within the one-minute resolution: not rewritten
    assert await world.app.authenticate_api_token(issued.secret) is not None
    assert world.store.state.tokens[issued.token.id].last_used_at == first_use
    world.tick(60)
    assert await world.app.authenticate_api_token(issued.secret) is not None
    assert world.store.state.tokens[issued.token.id].last_used_at == world.clock.now()


@pytest.mark.parametrize("secret", ["", "skt_", "skt_wrong", "Bearer x", "abc"])
async def test_unknown_or_malformed_token_does_not_authenticate(world: World, secret: str) -> None:
    await world.app.create_api_token(world.user, owner_email=world.user.email)
    assert await world.app.authenticate_api_token(secret) is None


async def test_revoked_token_does_not_authenticate_and_revocation_is_audited(
    world: World,
) -> None:
    issued = await world.app.create_api_token(world.user, owner_email=world.user.email)
    mark = world.audit_count()
    world.tick()
    revoked = await world.app.revoke_api_token(world.user, token_id=issued.token.id)
    assert revoked.revoked_at == world.clock.now()
    assert await world.app.authenticate_api_token(issued.secret) is None
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.user.id,
        "token.revoked",
        issued.token.id,
    )
    again = world.audit_count()
    await world.app.revoke_api_token(world.user, token_id=issued.token.id)  # idempotent
    assert world.audit_since(again) == []


async def test_token_of_deactivated_owner_does_not_authenticate_ID_16(world: World) -> None:
    issued = await world.app.create_api_token(world.user, owner_email=world.user.email)
    await world.app.deactivate_user(world.admin, email=world.user.email)
    assert await world.app.authenticate_api_token(issued.secret) is None
    with pytest.raises(DomainError) as info:
        await world.app.create_api_token(world.superuser, owner_email=world.user.email)
    assert info.value.code is ErrorCode.CONFLICT


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, "cli"), ("", "cli"), ("   ", "cli"), ("  ci-bot ", "ci-bot")]
)
async def test_token_name_is_normalized(world: World, raw: str | None, expected: str) -> None:
    issued = await world.app.create_api_token(world.user, owner_email=world.user.email, name=raw)
    assert issued.token.name == expected


async def test_token_name_longer_than_100_is_rejected(world: World) -> None:
    ok = await world.app.create_api_token(world.user, owner_email=world.user.email, name="n" * 100)
    assert ok.token.name == "n" * 100
    with pytest.raises(DomainError) as info:
        await world.app.create_api_token(world.user, owner_email=world.user.email, name="n" * 101)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert len(world.store.state.tokens) == 1


async def test_only_own_tokens_unless_superuser(world: World) -> None:
    mark = world.audit_count()
    with pytest.raises(DomainError) as info:
        await world.app.create_api_token(world.admin, owner_email=world.user.email)
    assert info.value.code is ErrorCode.FORBIDDEN
    assert world.store.state.tokens == {}
    assert world.audit_since(mark) == []
    for_user = await world.app.create_api_token(world.superuser, owner_email=world.user.email)
    assert for_user.token.user_id == world.user.id
    [row] = world.audit_since(mark)
    assert (row.actor_user_id, row.action.value, row.subject_id) == (
        world.superuser.id,
        "token.created",
        for_user.token.id,
    )
    own = await world.app.create_api_token(world.admin, owner_email=world.admin.email)
    # Listing shows only the actor's own tokens.
    assert [t.id for t in await world.app.list_api_tokens(world.user)] == [for_user.token.id]
    assert [t.id for t in await world.app.list_api_tokens(world.admin)] == [own.token.id]
    # Someone else's token cannot be revoked (and its existence is not revealed).
    with pytest.raises(DomainError) as other:
        await world.app.revoke_api_token(world.admin, token_id=for_user.token.id)
    assert other.value.code is ErrorCode.NOT_FOUND
    assert world.store.state.tokens[for_user.token.id].revoked_at is None
    await world.app.revoke_api_token(world.superuser, token_id=for_user.token.id)
    assert world.store.state.tokens[for_user.token.id].revoked_at is not None
    with pytest.raises(DomainError) as unknown:
        await world.app.revoke_api_token(world.user, token_id=uuid.uuid4())
    assert unknown.value.code is ErrorCode.NOT_FOUND
