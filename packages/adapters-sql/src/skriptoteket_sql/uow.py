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
from skriptoteket.builtin.run_events import InProcessRunEvents
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.repositories import (
    ApiTokenRepository,
    AuditLogRepository,
    LoginFailureRepository,
    NominationRepository,
    RunInputRepository,
    SessionRepository,
    SuggestionRepository,
    TaxonomyRepository,
    ToolRepository,
    ToolRunRepository,
    ToolVersionRepository,
    UserRepository,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
from skriptoteket_sql.repositories.runs import SqlRunInputRepository, SqlToolRunRepository
from skriptoteket_sql.repositories.suggestions import SqlSuggestionRepository
from skriptoteket_sql.repositories.versions import SqlToolVersionRepository
from skriptoteket_sql.run_events import (
    InProcessAnnouncer,
    PostgresAnnouncer,
    PostgresRunEvents,
    RunAnnouncer,
    SqliteRunEvents,
)

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    def __init__(
        self,
        connect: Callable[[], Awaitable[Connection]],
        *,
        readonly: bool,
        announcer: RunAnnouncer | None = None,
    ) -> None:
        self._connect = connect
        self._readonly = readonly
        self._announcer = announcer
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
        self.run_inputs: RunInputRepository = SqlRunInputRepository(self._db)
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
        self._db.changed_runs.clear()
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
        changed, self._db.changed_runs = self._db.changed_runs, set()
        try:
            with translated():
                if changed and self._announcer is not None:
                    await self._announcer.before_commit(conn, changed)
                await conn.commit()
        except DomainError:
            await self._quiet_rollback()
            raise
        if changed and self._announcer is not None:
            self._announcer.after_commit(changed)

    async def rollback(self) -> None:
        conn = self._db.conn
        self._db.changed_runs.clear()
        if conn.in_transaction():
            with translated():
                await conn.rollback()

    async def driver_connection(self) -> object | None:
        """The driver's connection under SQLAlchemy's (psycopg's ``AsyncConnection`` on
        PostgreSQL), in the transaction this unit of work has open; None when read-only."""
        if self._readonly:
            return None
        conn = self._db.conn
        if not isinstance(conn, AsyncConnection):
            return None
        with translated():
            if not conn.in_transaction():  # so that commit() commits what the caller writes
                await conn.begin()
            raw = await conn.get_raw_connection()
        driver: object | None = raw.driver_connection
        return driver

    async def _quiet_rollback(self) -> None:
        conn = self._db.connection
        if conn is not None and conn.in_transaction():
            try:
                await conn.rollback()
            except DRIVER_ERRORS:
                log.warning("Rollback after a failed commit failed", exc_info=True)


def sqlite_file(url: sa.URL) -> str | None:
    """The database file of a SQLite URL; None for an in-memory database."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


class SqlUnitOfWorkFactory:
    """``UnitOfWorkFactory`` over one engine; read-only units use a plain ``BEGIN``, on
    ``inline_reads`` when given (a query-only synchronous engine on the same SQLite file).

    Writers announce the runs they change (``skriptoteket_sql.run_events``); ``run_events``
    watches them: LISTEN/NOTIFY on PostgreSQL; on SQLite this process's broadcast and, for other
    processes' commits, ``PRAGMA data_version``."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        inline_reads: sa.Engine | None = None,
        run_events: PostgresRunEvents | SqliteRunEvents | InProcessRunEvents | None = None,
    ) -> None:
        self.engine = engine
        self.inline_reads = inline_reads
        if run_events is None:
            run_events = (
                SqliteRunEvents(sqlite_file(engine.url))
                if engine.dialect.name == "sqlite"
                else PostgresRunEvents(engine)
            )
        self.run_events = run_events
        self._announcer: RunAnnouncer = (
            PostgresAnnouncer()
            if isinstance(run_events, PostgresRunEvents)
            else InProcessAnnouncer(run_events)
        )
        self._connect_readonly: Callable[[], Awaitable[Connection]] = (
            engine.execution_options(**{READONLY_OPTION: True}).connect
            if inline_reads is None
            else inline_connector(inline_reads)
        )

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        if readonly:
            return SqlUnitOfWork(self._connect_readonly, readonly=True)
        return SqlUnitOfWork(self.engine.connect, readonly=False, announcer=self._announcer)
