"""The SQL unit of work: one connection and one transaction at a time (ARCH-09).

The connection is taken on ``async with`` and returned on exit. A transaction begins with the
first statement (``BEGIN IMMEDIATE`` on SQLite for a writer, see ``engine``); ``commit`` ends it
and the next statement begins another, as the in-memory unit of work allows. Leaving the block
without ``commit`` rolls back. Read-only units of work on SQLite read inline (``inline``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.repositories import (
    ApiTokenRepository,
    AuditLogRepository,
    LoginFailureRepository,
    NominationRepository,
    SessionRepository,
    SuggestionRepository,
    TaxonomyRepository,
    ToolRepository,
    ToolRunRepository,
    ToolVersionRepository,
    UserRepository,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from skriptoteket_sql.engine import READONLY_OPTION
from skriptoteket_sql.errors import DRIVER_ERRORS, translated
from skriptoteket_sql.inline import inline_connector
from skriptoteket_sql.repositories.audit import SqlAuditLogRepository
from skriptoteket_sql.repositories.base import Connection, SqlDatabase
from skriptoteket_sql.repositories.catalog import SqlTaxonomyRepository, SqlToolRepository
from skriptoteket_sql.repositories.identity import (
    SqlApiTokenRepository,
    SqlNominationRepository,
    SqlSessionRepository,
    SqlUserRepository,
)
from skriptoteket_sql.repositories.login_failures import SqlLoginFailureRepository
from skriptoteket_sql.repositories.runs import SqlToolRunRepository
from skriptoteket_sql.repositories.suggestions import SqlSuggestionRepository
from skriptoteket_sql.repositories.versions import SqlToolVersionRepository

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    def __init__(self, connect: Callable[[], Awaitable[Connection]], *, readonly: bool) -> None:
        self._connect = connect
        self._readonly = readonly
        self._db = SqlDatabase()
        self.users: UserRepository = SqlUserRepository(self._db)
        self.sessions: SessionRepository = SqlSessionRepository(self._db)
        self.tokens: ApiTokenRepository = SqlApiTokenRepository(self._db)
        self.nominations: NominationRepository = SqlNominationRepository(self._db)
        self.taxonomy: TaxonomyRepository = SqlTaxonomyRepository(self._db)
        self.tools: ToolRepository = SqlToolRepository(self._db)
        self.suggestions: SuggestionRepository = SqlSuggestionRepository(self._db)
        self.versions: ToolVersionRepository = SqlToolVersionRepository(self._db)
        self.runs: ToolRunRepository = SqlToolRunRepository(self._db)
        self.audit: AuditLogRepository = SqlAuditLogRepository(self._db)
        self.login_failures: LoginFailureRepository = SqlLoginFailureRepository(self._db)

    async def __aenter__(self) -> Self:
        if self._db.connection is not None:
            raise DomainError(ErrorCode.INTERNAL_ERROR, "The unit of work is already in use")
        with translated():
            self._db.connection = await self._connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._db.connection = self._db.connection, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                await conn.rollback()
        except DRIVER_ERRORS as error:
            if exc is None:
                raise DomainError(
                    ErrorCode.DATABASE_ERROR, "Rollback failed", {"reason": str(error)[:300]}
                ) from error
            log.warning("Rollback after an error failed", exc_info=True)
        finally:
            try:
                await conn.close()
            except DRIVER_ERRORS:
                log.warning("Closing a database connection failed", exc_info=True)

    async def commit(self) -> None:
        if self._readonly:
            raise DomainError(ErrorCode.INTERNAL_ERROR, "Cannot commit a read-only unit of work")
        conn = self._db.conn
        if not conn.in_transaction():
            return
        try:
            with translated():
                await conn.commit()
        except DomainError:
            await self._quiet_rollback()
            raise

    async def rollback(self) -> None:
        conn = self._db.conn
        if conn.in_transaction():
            with translated():
                await conn.rollback()

    async def _quiet_rollback(self) -> None:
        conn = self._db.connection
        if conn is not None and conn.in_transaction():
            try:
                await conn.rollback()
            except DRIVER_ERRORS:
                log.warning("Rollback after a failed commit failed", exc_info=True)


class SqlUnitOfWorkFactory:
    """``UnitOfWorkFactory`` over one engine; read-only units use a plain ``BEGIN``, on
    ``inline_reads`` when given (a query-only synchronous engine on the same SQLite file)."""

    def __init__(self, engine: AsyncEngine, *, inline_reads: sa.Engine | None = None) -> None:
        self.engine = engine
        self.inline_reads = inline_reads
        self._connect_readonly: Callable[[], Awaitable[Connection]] = (
            engine.execution_options(**{READONLY_OPTION: True}).connect
            if inline_reads is None
            else inline_connector(inline_reads)
        )

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        connect = self._connect_readonly if readonly else self.engine.connect
        return SqlUnitOfWork(connect, readonly=readonly)
