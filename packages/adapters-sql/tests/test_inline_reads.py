"""Read-only units of work on SQLite read inline on the event loop's thread (``inline``): they
cannot write, never wait for a writer that holds the lock, see only committed data, and any
number of them may be open at once without the pool blocking the loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_user
from skriptoteket_sql.engine import open_sql
from skriptoteket_sql.inline import INLINE_POOL_SIZE, InlineReadConnection, reads_inline
from skriptoteket_sql.uow import SqlUnitOfWorkFactory


@pytest.fixture
async def sqlite_factory(sqlite_db: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    async with open_sql(Settings(database_url=sqlite_db)) as factory:
        assert isinstance(factory, SqlUnitOfWorkFactory)
        yield factory


async def test_read_only_units_of_work_on_sqlite_read_inline(
    sqlite_factory: SqlUnitOfWorkFactory,
) -> None:
    async with sqlite_factory(readonly=True) as uow:
        assert await uow.users.get_by_email("nobody@example.se") is None
        assert isinstance(uow._db.connection, InlineReadConnection)
    async with sqlite_factory() as uow:
        assert not isinstance(uow._db.connection, InlineReadConnection)


@pytest.mark.postgres
async def test_postgres_read_only_units_of_work_stay_async(pg_db: str) -> None:
    async with open_sql(Settings(database_url=pg_db)) as factory:
        assert isinstance(factory, SqlUnitOfWorkFactory)
        assert factory.inline_reads is None


async def test_an_inline_read_cannot_write(sqlite_factory: SqlUnitOfWorkFactory) -> None:
    async with sqlite_factory(readonly=True) as uow:
        with pytest.raises(DomainError, match="read-only"):
            await uow.users.add(make_user())
        with pytest.raises(DomainError, match="read-only"):
            await uow.commit()
    # Even a statement sent past the repositories is refused by SQLite (PRAGMA query_only).
    assert sqlite_factory.inline_reads is not None
    with (
        sqlite_factory.inline_reads.connect() as conn,
        pytest.raises(sa.exc.OperationalError, match="readonly"),
    ):
        conn.execute(sa.text("DELETE FROM users"))


async def test_an_inline_read_neither_waits_for_a_writer_nor_sees_its_uncommitted_rows(
    sqlite_factory: SqlUnitOfWorkFactory,
) -> None:
    user = make_user()
    async with sqlite_factory() as writer:
        await writer.users.add(user)  # holds SQLite's write lock (BEGIN IMMEDIATE) from here
        started = time.monotonic()
        async with sqlite_factory(readonly=True) as reader:
            assert await reader.users.get(user.id) is None
        assert time.monotonic() - started < 1.0  # the busy timeout is 5 s
        await writer.commit()
    async with sqlite_factory(readonly=True) as reader:
        assert await reader.users.get(user.id) == user


async def test_more_open_readers_than_the_pool_holds_do_not_block(
    sqlite_factory: SqlUnitOfWorkFactory,
) -> None:
    """Units of work interleave on one thread: a pool that blocked at its size would wait for a
    connection that only this thread can return (the checkout would time out after 30 s)."""
    count = INLINE_POOL_SIZE * 3
    all_open, release = asyncio.Event(), asyncio.Event()
    opened = 0

    async def reader() -> None:
        nonlocal opened
        async with sqlite_factory(readonly=True) as uow:
            await uow.users.get_by_email("nobody@example.se")
            opened += 1
            if opened == count:
                all_open.set()
            await release.wait()

    readers = [asyncio.create_task(reader()) for _ in range(count)]
    await asyncio.wait_for(all_open.wait(), timeout=10)
    release.set()
    await asyncio.gather(*readers)


@pytest.mark.parametrize(
    ("url", "inline"),
    [
        ("sqlite:///data/skriptoteket.db", True),
        ("sqlite+aiosqlite:////abs/skriptoteket.db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///file:x?mode=memory&cache=shared&uri=true", False),
        ("postgresql://u:p@127.0.0.1/db", False),
    ],
)
def test_only_sqlite_files_read_inline(url: str, inline: bool) -> None:
    assert reads_inline(url) is inline
