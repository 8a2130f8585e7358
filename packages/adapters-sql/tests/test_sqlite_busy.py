"""SQLite writers wait for the write lock instead of answering "The database is busy" (issue 9
item 8): a long busy timeout, and BEGIN IMMEDIATE — where nothing has happened yet — retried a
bounded number of times when SQLite still says "database is locked"."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import AsyncExitStack

import pytest
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_audit, make_user
from skriptoteket_sql.engine import create_async_engine_for, open_sql
from skriptoteket_sql.uow import SqlUnitOfWorkFactory

WRITERS = 200
ENGINES = 4  # as if four server processes shared the file


async def test_200_concurrent_writers_on_four_engines_none_busy(sqlite_db: str) -> None:
    """200 writing units of work at once, each holding the write lock ~30 ms (6 s in all, more
    than SQLite's old 5 s busy timeout), from four engines on one file: every one commits."""
    async with AsyncExitStack() as stack:
        factories: list[UnitOfWorkFactory] = [
            await stack.enter_async_context(open_sql(Settings(database_url=sqlite_db)))
            for _ in range(ENGINES)
        ]
        user = make_user()
        async with factories[0]() as uow:
            await uow.users.add(user)
            await uow.commit()

        async def write(n: int) -> None:
            async with factories[n % ENGINES]() as uow:
                await uow.audit.list(limit=1)  # a read first: the lock is taken at BEGIN
                await uow.audit.append(make_audit(user, action=AuditAction.USER_CREATED))
                await asyncio.sleep(0.03)
                await uow.commit()

        results = await asyncio.gather(*(write(n) for n in range(WRITERS)), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == [], failures[:3]
        async with factories[1](readonly=True) as uow:
            rows = await uow.audit.list(action=AuditAction.USER_CREATED, limit=1000)
        assert len(rows) == WRITERS


def _hold_write_lock(url: str) -> sqlite3.Connection:
    """Another process's writer, in the middle of a transaction."""
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize(("attempts", "commits"), [(1, False), (4, True)])
async def test_begin_immediate_is_retried_while_still_locked(
    sqlite_db: str, attempts: int, commits: bool
) -> None:
    """A 100 ms busy timeout against a lock held 250 ms: one attempt answers "busy" and leaves
    nothing behind; retried BEGINs wait it out and the unit of work commits."""
    engine = create_async_engine_for(sqlite_db, busy_timeout_ms=100, begin_attempts=attempts)
    factory = SqlUnitOfWorkFactory(engine)
    user = make_user()
    holder = _hold_write_lock(sqlite_db)
    asyncio.get_running_loop().call_later(0.25, holder.commit)
    try:

        async def add_user() -> None:
            async with factory() as uow:
                await uow.users.add(user)
                await uow.commit()

        if commits:
            await add_user()
        else:
            with pytest.raises(DomainError) as info:
                await add_user()
            assert info.value.code is ErrorCode.SERVICE_UNAVAILABLE
            assert info.value.reason == "database_busy"
        await asyncio.sleep(0.3)
        async with factory(readonly=True) as uow:
            assert (await uow.users.get(user.id) is not None) is commits
    finally:
        holder.close()
        await engine.dispose()


async def test_settings_set_the_busy_timeout(sqlite_db: str) -> None:
    """SKRIPTOTEKET_DATABASE_BUSY_TIMEOUT_SECONDS reaches every writer connection."""
    settings = Settings.from_env(
        {
            "SKRIPTOTEKET_DATABASE_URL": sqlite_db,
            "SKRIPTOTEKET_DATABASE_BUSY_TIMEOUT_SECONDS": "7.5",
        }
    )
    assert Settings(database_url=sqlite_db).database_busy_timeout_seconds == 30.0
    async with open_sql(settings) as factory:
        assert isinstance(factory, SqlUnitOfWorkFactory)
        async with factory.engine.connect() as conn:
            timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        assert timeout == 7500
