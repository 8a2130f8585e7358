"""Read-only units of work on SQLite run their statements inline, on the event loop's thread.

Through aiosqlite every DB-API call is handed to the connection's own thread and back: one
SELECT is four hand-offs (cursor, execute, fetchall, close), each dearer than the query itself
(a catalog page's primary-key reads take microseconds in SQLite). So read-only units of work on
SQLite use a second, synchronous engine on the same file and call it directly.

That is safe because of WAL mode: a reader never waits for a writer (it reads the last committed
snapshot), so an inline read costs what its query costs and no more. Writers still go through
aiosqlite, because ``BEGIN IMMEDIATE`` may wait up to the busy timeout for the write lock, which
must not stall the event loop. The inline engine's connections are opened with
``PRAGMA query_only`` so a read-only unit of work cannot write even by mistake, and its pool never
blocks (a checkout beyond the pool opens another connection): units of work interleave on one
thread, so a blocking checkout could wait for a connection only that same thread can give back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from skriptoteket_sql.engine import (
    READONLY_OPTION,
    SQLITE_READ_BUSY_TIMEOUT_MS,
    create_sync_engine_for,
    driver_url,
    is_sqlite,
)

INLINE_POOL_SIZE = 8


def reads_inline(url: str) -> bool:
    """Whether ``url`` is a SQLite database file (an in-memory database is one per connection,
    so a second engine would not see it)."""
    target = driver_url(url, use_async=False)
    database = target.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in str(target)
    return is_sqlite(target) and not in_memory


def create_inline_read_engine(url: str, *, echo: bool = False) -> sa.Engine:
    """A synchronous, query-only engine for the read-only units of work on a SQLite ``url``."""
    engine = create_sync_engine_for(
        url,
        echo=echo,
        poolclass=QueuePool,
        pool_size=INLINE_POOL_SIZE,
        max_overflow=-1,
        busy_timeout_ms=SQLITE_READ_BUSY_TIMEOUT_MS,
    )

    @event.listens_for(engine, "connect")
    def _query_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")

    return engine.execution_options(**{READONLY_OPTION: True})


def inline_connector(engine: sa.Engine) -> Callable[[], Awaitable[InlineReadConnection]]:
    """What a read-only unit of work calls to take its connection from ``engine``."""

    async def connect() -> InlineReadConnection:
        return InlineReadConnection(engine.connect())

    return connect


class InlineReadConnection:
    """The part of ``AsyncConnection`` that repositories use, over a synchronous connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    async def execute(
        self, statement: sa.Executable, parameters: Any = None, /
    ) -> sa.CursorResult[Any]:
        return self._connection.execute(statement, parameters)

    def in_transaction(self) -> bool:
        return self._connection.in_transaction()

    async def rollback(self) -> None:
        self._connection.rollback()

    async def close(self) -> None:
        self._connection.close()

    async def commit(self) -> None:
        raise DomainError(ErrorCode.INTERNAL_ERROR, "Cannot commit a read-only unit of work")

    def begin_nested(self) -> Any:
        raise DomainError(ErrorCode.INTERNAL_ERROR, "Cannot write in a read-only unit of work")
