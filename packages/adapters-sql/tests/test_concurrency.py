"""Concurrent units of work: the database, not luck, keeps one active version per tool (VER-03,
VER-19, VER-22), and SQLite writers queue instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import uuid

import attrs
import pytest
import sqlalchemy as sa
from skriptoteket.application.login_throttle import address_key, pair_key
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import User
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import VersionState
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_audit, make_tool, make_user, make_version
from skriptoteket.testing.fakes import FakeClock
from skriptoteket.testing.world import make_app
from skriptoteket_sql.engine import create_sync_engine_for, open_sql


async def _setup(factory: UnitOfWorkFactory) -> tuple[User, Tool]:
    user, tool = make_user(), make_tool()
    async with factory() as uow:
        await uow.users.add(user)
        await uow.tools.add(tool)
        await uow.commit()
    return user, tool


@pytest.mark.postgres
@pytest.mark.parametrize("same_number", [True, False], ids=["same-number", "other-numbers"])
async def test_concurrent_activation_exactly_one_commits(pg_db: str, same_number: bool) -> None:
    """Two units of work both read "no active version", then both insert an active one: one
    commits, the other gets CONFLICT, and none of the loser's earlier writes survive."""
    async with open_sql(Settings(database_url=pg_db)) as factory:
        user, tool = await _setup(factory)
        arrived = 0
        both_read = asyncio.Event()

        async def activate(offset: int) -> uuid.UUID:
            nonlocal arrived
            async with factory() as uow:
                assert await uow.versions.get_active(tool.id) is None
                number = await uow.versions.next_version_number(tool.id)
                arrived += 1
                if arrived == 2:
                    both_read.set()
                await both_read.wait()
                # A write before the conflicting one: it must vanish with the loser.
                await uow.audit.append(make_audit(user, subject_id=tool.id))
                version = make_version(
                    tool,
                    user,
                    state=VersionState.ACTIVE,
                    number=number if same_number else number + offset,
                )
                await uow.versions.add(version)
                await uow.tools.update(attrs.evolve(tool, active_version_id=version.id))
                await uow.commit()
                return version.id

        results = await asyncio.wait_for(
            asyncio.gather(activate(0), activate(1), return_exceptions=True), timeout=30
        )
        winners = [r for r in results if isinstance(r, uuid.UUID)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert len(losers) == 1, results
        assert isinstance(losers[0], DomainError), repr(losers[0])
        assert losers[0].code is ErrorCode.CONFLICT

        async with factory(readonly=True) as uow:
            versions = await uow.versions.list_for_tool(tool.id)
            assert [v.id for v in versions] == winners
            active = await uow.versions.get_active(tool.id)
            assert active is not None
            assert active.id == winners[0]
            stored = await uow.tools.get(tool.id)
            assert stored is not None
            assert stored.active_version_id == winners[0]
            assert len(await uow.audit.list(subject_id=tool.id)) == 1


async def test_sqlite_writers_queue_instead_of_failing(sqlite_db: str) -> None:
    """BEGIN IMMEDIATE + busy_timeout: 12 concurrent read-then-write units of work all commit,
    one after the other, so each sees the previous one's version number (no lost update)."""
    async with open_sql(Settings(database_url=sqlite_db)) as factory:
        user, tool = await _setup(factory)

        async def save_draft() -> int:
            async with factory() as uow:
                number = await uow.versions.next_version_number(tool.id)
                await asyncio.sleep(0)  # let the others run between the read and the write
                await uow.versions.add(make_version(tool, user, number=number))
                await uow.commit()
                return number

        numbers = await asyncio.gather(*(save_draft() for _ in range(12)))
        assert sorted(numbers) == list(range(1, 13))


async def test_readers_do_not_block_a_writer_on_sqlite(sqlite_db: str) -> None:
    """WAL: an open read transaction neither blocks a writer nor sees its later commit."""
    async with open_sql(Settings(database_url=sqlite_db)) as factory:
        user = make_user()
        async with factory(readonly=True) as reader:
            assert await reader.users.get(user.id) is None
            async with factory() as writer:
                await writer.users.add(user)
                await writer.commit()
            assert await reader.users.get(user.id) is None  # snapshot of the read transaction
        async with factory(readonly=True) as reader:
            assert await reader.users.get(user.id) == user


async def test_failure_half_way_leaves_nothing(db_url: str) -> None:
    """ARCH-09: an exception after several writes (user, tool, version, audit) rolls all back."""
    async with open_sql(Settings(database_url=db_url)) as factory:
        user, tool = make_user(), make_tool()

        async def crash() -> None:
            async with factory() as uow:
                await uow.users.add(user)
                await uow.tools.add(tool)
                await uow.versions.add(make_version(tool, user, state=VersionState.ACTIVE))
                await uow.audit.append(make_audit(user, subject_id=tool.id))
                raise RuntimeError("boom")

        async def conflict() -> None:
            async with factory() as uow:
                await uow.users.add(user)
                await uow.tools.add(tool)
                await uow.versions.add(make_version(tool, user, state=VersionState.ACTIVE))
                second = make_version(tool, user, number=2, state=VersionState.ACTIVE)
                await uow.versions.add(second)
                await uow.commit()

        with pytest.raises(RuntimeError, match="boom"):
            await crash()
        with pytest.raises(DomainError) as info:
            await conflict()
        assert info.value.code is ErrorCode.CONFLICT
        assert info.value.message == "The tool already has an active version"

        engine = create_sync_engine_for(db_url)
        try:
            with engine.connect() as conn:
                for table in ("users", "tools", "tool_professions", "tool_versions", "audit_log"):
                    count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                    assert count == 0, table
        finally:
            engine.dispose()


async def test_a_failed_call_undoes_only_itself(db_url: str) -> None:
    """Each write runs in a savepoint: after a CONFLICT the unit of work is still usable (also
    on PostgreSQL, where an error would otherwise abort the whole transaction)."""
    async with open_sql(Settings(database_url=db_url)) as factory:
        user, tool = make_user(), make_tool()
        async with factory() as uow:
            await uow.users.add(user)
            await uow.tools.add(tool)
            with pytest.raises(DomainError) as info:
                await uow.tools.add(make_tool(slug=tool.slug, professions=("rektor",)))
            assert info.value.code is ErrorCode.CONFLICT
            with pytest.raises(DomainError) as info:
                await uow.tools.add(make_tool(professions=("okand",)))
            assert info.value.code is ErrorCode.VALIDATION_ERROR
            await uow.audit.append(make_audit(user, subject_id=tool.id))
            await uow.commit()
        async with factory(readonly=True) as uow:
            assert await uow.tools.list_all() == [tool]
            entries = await uow.audit.list(action=AuditAction.TOOL_CREATED)
            assert [e.subject_id for e in entries] == [tool.id]


async def test_concurrent_login_failures_are_all_counted(db_url: str) -> None:
    """Issue 10 (ID-12): web processes recording failures of one (account, address) at the
    same moment — two engines, as two processes have — never lose one: the pair's row is read
    ``FOR UPDATE`` and a duplicate first insert is retried."""
    policy = ThrottlePolicy(max_failures_per_address=100)
    clock = FakeClock()
    settings = Settings(database_url=db_url)
    async with open_sql(settings) as first, open_sql(settings) as second:
        apps = [make_app(MemoryStore(), clock, uow=f) for f in (first, second)]
        await asyncio.gather(
            *(
                apps[n % 2].record_login_failure(policy, account="a@skolan.se", address="10.0.0.1")
                for n in range(12)
            )
        )
        async with first(readonly=True) as uow:
            pair = await uow.login_failures.get(pair_key("a@skolan.se", "10.0.0.1"))
            by_address = await uow.login_failures.get(address_key("10.0.0.1"))
    assert pair is not None
    assert by_address is not None
    assert (pair.failures, by_address.failures) == (12, 12)
