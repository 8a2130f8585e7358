"""Contract: users, sessions, API tokens, nominations (ID-03, ID-08, ID-19, NOM-06)."""

from __future__ import annotations

import uuid

import attrs

from skriptoteket.domain.errors import ErrorCode
from skriptoteket.domain.identity import Role
from skriptoteket.domain.nominations import Nomination, NominationStatus
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.testing.contract.support import expect_error, write
from skriptoteket.testing.factories import T0, at, make_session, make_token, make_user


class IdentityContract:
    async def test_user_round_trip(self, uow_factory: UnitOfWorkFactory) -> None:
        """ID-03: every field survives storage, datetimes stay timezone-aware."""
        user = make_user(email="anna.larsson@skolan.se", role=Role.CONTRIBUTOR)
        await write(uow_factory, lambda uow: uow.users.add(user))
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(user.id) == user
            assert await uow.users.get_by_email("anna.larsson@skolan.se") == user
            assert await uow.users.get(uuid.uuid4()) is None
            got = await uow.users.get(user.id)
        assert got is not None
        assert got.created_at.tzinfo is not None

    async def test_duplicate_email_is_duplicate_entry(self, uow_factory: UnitOfWorkFactory) -> None:
        """ID-08: the database rejects a second account with the same email."""
        await write(uow_factory, lambda uow: uow.users.add(make_user(email="dup@skolan.se")))
        error = await expect_error(
            {ErrorCode.DUPLICATE_ENTRY},
            uow_factory,
            lambda uow: uow.users.add(make_user(email="dup@skolan.se")),
        )
        assert error.message == "Email already exists"

    async def test_update_user_and_missing_user(self, uow_factory: UnitOfWorkFactory) -> None:
        user = make_user()
        await write(uow_factory, lambda uow: uow.users.add(user))
        changed = attrs.evolve(user, role=Role.ADMIN, is_active=False, updated_at=at(5))
        await write(uow_factory, lambda uow: uow.users.update(changed))
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(user.id) == changed
        # Issue 11: the chosen UI language is stored, and cleared again.
        english = attrs.evolve(changed, preferred_language="en")
        await write(uow_factory, lambda uow: uow.users.update(english))
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(user.id) == english
            assert await uow.users.get_by_email(user.email) == english
        await write(uow_factory, lambda uow: uow.users.update(changed))
        async with uow_factory(readonly=True) as uow:
            assert (await uow.users.get(user.id)) == changed
        await expect_error(
            {ErrorCode.NOT_FOUND}, uow_factory, lambda uow: uow.users.update(make_user())
        )

    async def test_list_users_by_email_and_count(self, uow_factory: UnitOfWorkFactory) -> None:
        users = [make_user(email=f"{n}@skolan.se", role=Role.SUPERUSER) for n in "cab"]
        users.append(make_user(email="d@skolan.se", role=Role.SUPERUSER, is_active=False))

        async def add_all(uow: UnitOfWork) -> None:
            for u in users:
                await uow.users.add(u)

        await write(uow_factory, add_all)
        async with uow_factory(readonly=True) as uow:
            listed = await uow.users.list()
            assert [u.email for u in listed] == [
                "a@skolan.se",
                "b@skolan.se",
                "c@skolan.se",
                "d@skolan.se",
            ]
            page = await uow.users.list(limit=2, offset=1)
            assert [u.email for u in page] == ["b@skolan.se", "c@skolan.se"]
            assert await uow.users.count_active(Role.SUPERUSER) == 3
            assert await uow.users.count_active(Role.ADMIN) == 0

    async def test_sessions(self, uow_factory: UnitOfWorkFactory) -> None:
        """ID-14, ID-18, ID-19."""
        user = make_user()
        live, old = make_session(user), make_session(user, expires_at=at(-1))
        await write(uow_factory, lambda uow: uow.users.add(user))

        async def add_sessions(uow: UnitOfWork) -> None:
            await uow.sessions.add(live)
            await uow.sessions.add(old)

        await write(uow_factory, add_sessions)
        revoked = attrs.evolve(live, revoked_at=at(10))
        await write(uow_factory, lambda uow: uow.sessions.update(revoked))
        async with uow_factory() as uow:
            assert await uow.sessions.get(live.id) == revoked
            assert await uow.sessions.delete_expired(T0) == 1
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            assert await uow.sessions.get(old.id) is None
        await expect_error(
            {ErrorCode.VALIDATION_ERROR},
            uow_factory,
            lambda uow: uow.sessions.add(make_session(make_user())),
        )

    async def test_revoke_sessions_for_user(self, uow_factory: UnitOfWorkFactory) -> None:
        """A password change ends the user's other sessions: every live session of that user
        but ``keep`` is revoked at ``now``; revoked ones keep their time; others' are untouched."""
        user, other = make_user(), make_user()
        kept, first, second = make_session(user), make_session(user), make_session(user)
        earlier = attrs.evolve(make_session(user), revoked_at=at(5))
        theirs = make_session(other)

        async def add_all(uow: UnitOfWork) -> None:
            await uow.users.add(user)
            await uow.users.add(other)
            for session in (kept, first, second, earlier, theirs):
                await uow.sessions.add(session)

        await write(uow_factory, add_all)
        async with uow_factory() as uow:
            assert await uow.sessions.revoke_for_user(user.id, at(20), keep=kept.id) == 2
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            assert await uow.sessions.get(kept.id) == kept
            assert await uow.sessions.get(first.id) == attrs.evolve(first, revoked_at=at(20))
            assert await uow.sessions.get(second.id) == attrs.evolve(second, revoked_at=at(20))
            assert await uow.sessions.get(earlier.id) == earlier
            assert await uow.sessions.get(theirs.id) == theirs
        async with uow_factory() as uow:
            assert await uow.sessions.revoke_for_user(user.id, at(30)) == 1
            assert await uow.sessions.revoke_for_user(uuid.uuid4(), at(40)) == 0
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            assert await uow.sessions.get(kept.id) == attrs.evolve(kept, revoked_at=at(30))
            assert await uow.sessions.get(theirs.id) == theirs

    async def test_api_tokens(self, uow_factory: UnitOfWorkFactory) -> None:
        user = make_user()
        first, second = make_token(user, created_at=at(1)), make_token(user, created_at=at(2))
        await write(uow_factory, lambda uow: uow.users.add(user))

        async def add_tokens(uow: UnitOfWork) -> None:
            await uow.tokens.add(first)
            await uow.tokens.add(second)

        await write(uow_factory, add_tokens)
        used = attrs.evolve(first, last_used_at=at(9), revoked_at=at(10))
        await write(uow_factory, lambda uow: uow.tokens.update(used))
        async with uow_factory(readonly=True) as uow:
            assert await uow.tokens.get_by_hash(first.token_hash) == used
            assert await uow.tokens.get(second.id) == second
            assert [t.id for t in await uow.tokens.list_for_user(user.id)] == [second.id, first.id]
            assert await uow.tokens.get_by_hash("nope") is None
        await expect_error(
            {ErrorCode.CONFLICT, ErrorCode.DUPLICATE_ENTRY},
            uow_factory,
            lambda uow: uow.tokens.add(attrs.evolve(first, id=uuid.uuid4())),
        )

    async def test_nominations(self, uow_factory: UnitOfWorkFactory) -> None:
        """NOM-01–NOM-06: one pending nomination per nominee; decisions guard the status."""
        admin, nominee = make_user(role=Role.ADMIN), make_user()

        def nomination(created: int) -> Nomination:
            return Nomination(
                id=uuid.uuid4(),
                nominee_user_id=nominee.id,
                nominated_by_user_id=admin.id,
                rationale="Driven",
                status=NominationStatus.PENDING,
                created_at=at(created),
            )

        first = nomination(1)

        async def setup(uow: UnitOfWork) -> None:
            await uow.users.add(admin)
            await uow.users.add(nominee)
            await uow.nominations.add(first)

        await write(uow_factory, setup)
        await expect_error(
            {ErrorCode.CONFLICT}, uow_factory, lambda uow: uow.nominations.add(nomination(2))
        )
        denied = attrs.evolve(
            first,
            status=NominationStatus.DENIED,
            decided_by_user_id=admin.id,
            decided_at=at(3),
            decision_rationale="Inte än",
        )
        await write(
            uow_factory,
            lambda uow: uow.nominations.update(denied, expected_status=NominationStatus.PENDING),
        )
        await expect_error(
            {ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.nominations.update(denied, expected_status=NominationStatus.PENDING),
        )
        second = nomination(4)
        await write(uow_factory, lambda uow: uow.nominations.add(second))
        async with uow_factory(readonly=True) as uow:
            assert await uow.nominations.get(first.id) == denied
            assert [n.id for n in await uow.nominations.list()] == [second.id, first.id]
            pending = await uow.nominations.list(status=NominationStatus.PENDING)
            assert [n.id for n in pending] == [second.id]
