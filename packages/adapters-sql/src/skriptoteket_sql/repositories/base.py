"""What every SQL repository shares: the unit of work's connection and error translation.

Each write runs in a SAVEPOINT, so a failed statement (say a unique violation) undoes only that
repository call and leaves the surrounding transaction usable, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode

from skriptoteket_sql.errors import translated


class Connection(Protocol):
    """What a unit of work needs of its connection: SQLAlchemy's ``AsyncConnection``, or the
    inline one of read-only units of work on SQLite (``skriptoteket_sql.inline``)."""

    async def execute(
        self, statement: sa.Executable, parameters: Any = None, /
    ) -> sa.CursorResult[Any]: ...
    def in_transaction(self) -> bool: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def close(self) -> None: ...
    def begin_nested(self) -> AbstractAsyncContextManager[Any]: ...


class SqlDatabase:
    """The connection of one unit of work; set while inside ``async with uow``."""

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.changed_runs: set[UUID] = set()
        """Runs added or updated in this transaction, announced with its commit."""

    @property
    def conn(self) -> Connection:
        if self.connection is None:
            raise DomainError(
                ErrorCode.INTERNAL_ERROR, "The unit of work is used outside its 'async with' block"
            )
        return self.connection

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Connection]:
        conn = self.conn
        with translated():
            async with conn.begin_nested():
                yield conn


class SqlRepository:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def _first(self, stmt: sa.Executable) -> sa.Row[Any] | None:
        with translated():
            return (await self._db.conn.execute(stmt)).first()

    async def _rows(self, stmt: sa.Executable) -> Sequence[sa.Row[Any]]:
        with translated():
            return (await self._db.conn.execute(stmt)).all()

    async def _scalar(self, stmt: sa.Executable) -> Any:
        with translated():
            return (await self._db.conn.execute(stmt)).scalar()

    async def _exists(self, stmt: sa.Select[Any]) -> bool:
        return bool(await self._scalar(sa.select(stmt.exists())))

    async def _insert(self, table: sa.Table, values: dict[str, Any]) -> None:
        async with self._db.writing() as conn:
            await conn.execute(table.insert().values(**values))

    async def _update_by_id(
        self,
        table: sa.Table,
        row_id: Any,
        values: dict[str, Any],
        *extra: sa.ColumnElement[bool],
    ) -> int:
        """UPDATE … WHERE id = :id [AND extra]; returns the number of rows changed."""
        async with self._db.writing() as conn:
            result = await conn.execute(
                table.update().where(table.c.id == row_id, *extra).values(**values)
            )
            return int(result.rowcount)
