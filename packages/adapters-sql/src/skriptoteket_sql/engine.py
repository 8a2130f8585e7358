"""Engines and the ``sql`` backend's ``open``: URL handling, SQLite pragmas and transaction modes.

SQLite runs in WAL mode with foreign keys on. The driver's own transaction handling is switched
off (``isolation_level=None``) and SQLAlchemy's ``begin`` event emits ``BEGIN IMMEDIATE`` for
units of work that may write and a plain ``BEGIN`` for read-only ones, so writers queue for the
lock at the start of a transaction (``busy_timeout``, 30 s by default:
``SKRIPTOTEKET_DATABASE_BUSY_TIMEOUT_SECONDS``) instead of failing with "database is locked"
half-way through it. A ``BEGIN IMMEDIATE`` that still finds the database locked after the
timeout is issued again, up to ``SQLITE_BEGIN_ATTEMPTS`` times in all: nothing of the unit of
work has run yet, so that retry is always safe. In WAL mode a transaction that holds the write
lock from its BEGIN is not refused later (no SQLITE_BUSY at COMMIT), so BEGIN is the one place
a writer can be told "busy". The pool's checkout wait is as long as the busy timeout, since
writers wait there too (a burst of 200 needs more than its 15 connections).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

READONLY_OPTION = "skriptoteket_readonly"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Inline reads run on the event loop's thread: a reader in WAL mode practically never waits,
# and when it does (WAL recovery) it must not stall the loop for long.
SQLITE_READ_BUSY_TIMEOUT_MS = 5000
SQLITE_BEGIN_ATTEMPTS = 3
SCHEMA_OUT_OF_DATE = "The database schema is not up to date; run: skriptoteket db upgrade"
POSTGRES_HINT = (
    "Is PostgreSQL running and the URL right? Start it with e.g. "
    "`pg_ctlcluster 15 main start` or `systemctl start postgresql` (or "
    "`docker run -p 5432:5432 -e POSTGRES_PASSWORD=… postgres:16`), or use a SQLite file: "
    "SKRIPTOTEKET_DATABASE_URL=sqlite:///.skriptoteket/skriptoteket.db"
)


def _parse(url: str) -> sa.URL:
    if not url or not url.strip():
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, "No database URL configured; set SKRIPTOTEKET_DATABASE_URL"
        )
    try:
        return sa.make_url(url.strip())
    except sa_exc.ArgumentError:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "The database URL cannot be parsed",
            {"url": "<unparseable>"},
        ) from None


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for messages and logs."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "<unparseable URL>"


def driver_url(url: str, *, use_async: bool) -> sa.URL:
    """``sqlite:///p`` → ``sqlite+aiosqlite`` / ``sqlite+pysqlite``; PostgreSQL → psycopg 3."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite" if use_async else "sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    raise DomainError(
        ErrorCode.VALIDATION_ERROR,
        f"The sql backend supports sqlite:// and postgresql:// URLs, not {backend}://",
        {"url": mask_url(url)},
    )


def is_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: sa.URL) -> None:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def is_sqlite_busy(error: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED, as the driver words them."""
    text = str(getattr(error, "orig", None) or error)
    return "database is locked" in text or "database table is locked" in text


def configure_sqlite(
    sync_engine: sa.Engine,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    begin_attempts: int = SQLITE_BEGIN_ATTEMPTS,
) -> None:
    """Pragmas on every new connection, and our own BEGIN (see the module docstring)."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        readonly = bool(conn.get_execution_options().get(READONLY_OPTION, False))
        statement = "BEGIN" if readonly else "BEGIN IMMEDIATE"
        for attempt in range(1, max(1, begin_attempts) + 1):
            try:
                conn.exec_driver_sql(statement)
                return
            except sa_exc.OperationalError as error:
                if attempt >= begin_attempts or not is_sqlite_busy(error):
                    raise
                log.warning(
                    "SQLite was still locked after %d ms at %s; trying again (%d of %d)",
                    busy_timeout_ms,
                    statement,
                    attempt + 1,
                    begin_attempts,
                )


def create_async_engine_for(
    url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    begin_attempts: int = SQLITE_BEGIN_ATTEMPTS,
) -> AsyncEngine:
    """``busy_timeout_ms`` and ``begin_attempts`` apply to SQLite only (module docstring)."""
    target = driver_url(url, use_async=True)
    if not is_sqlite(target):
        return create_async_engine(target, echo=echo)
    _prepare_sqlite_file(target)
    options: dict[str, Any] = {}
    database = target.database or ""
    if database and database != ":memory:":  # a file: a queue pool, whose wait we set
        options["pool_timeout"] = max(1.0, busy_timeout_ms / 1000)
    engine = create_async_engine(target, echo=echo, **options)
    configure_sqlite(
        engine.sync_engine, busy_timeout_ms=busy_timeout_ms, begin_attempts=begin_attempts
    )
    return engine


def create_sync_engine_for(url: str, *, echo: bool = False, **options: Any) -> sa.Engine:
    """A synchronous engine; ``options`` go to ``sqlalchemy.create_engine`` (pool settings)."""
    target = driver_url(url, use_async=False)
    if is_sqlite(target):
        _prepare_sqlite_file(target)
    busy_timeout_ms = int(options.pop("busy_timeout_ms", SQLITE_BUSY_TIMEOUT_MS))
    engine = sa.create_engine(target, echo=echo, **options)
    if is_sqlite(target):
        configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms)
    return engine


def connection_error(url: str, error: BaseException) -> DomainError:
    """A clear message naming the (masked) URL and how to start the server."""
    masked = mask_url(url)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    first = reason[0] if reason else type(error).__name__
    hint = POSTGRES_HINT if masked.startswith("postgres") else "Check the path and permissions."
    return DomainError(
        ErrorCode.DATABASE_ERROR,
        f"Cannot connect to the database at {masked}: {first}. {hint}",
        {"url": masked},
    )


async def current_revision(engine: AsyncEngine) -> str | None:
    readonly = engine.execution_options(**{READONLY_OPTION: True})
    async with readonly.connect() as conn:

        def _current(sync_conn: sa.Connection) -> str | None:
            from skriptoteket_sql.migrations import own_current

            # one row per branch when plugins add branches (``skriptoteket_register_migrations``)
            return own_current(MigrationContext.configure(sync_conn).get_current_heads())

        return await conn.run_sync(_current)


async def require_schema_at_head(engine: AsyncEngine, url: str) -> None:
    from skriptoteket_sql.migrations import head_revision

    try:
        current = await current_revision(engine)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, OSError) as error:
        raise connection_error(url, error) from error
    except sa_exc.SQLAlchemyError as error:
        raise DomainError(
            ErrorCode.DATABASE_ERROR,
            "Cannot read the schema version",
            {"url": mask_url(url), "reason": str(error)[:300]},
        ) from error
    head = head_revision()
    if current != head:
        raise DomainError(
            ErrorCode.SERVICE_UNAVAILABLE,
            SCHEMA_OUT_OF_DATE,
            {"current": current, "head": head, "url": mask_url(url)},
        )


@asynccontextmanager
async def open_sql(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
    """The ``open`` of the ``sql`` backend: one engine for the app's lifetime."""
    from skriptoteket_sql.inline import create_inline_read_engine, reads_inline
    from skriptoteket_sql.run_events import PostgresRunEvents, SqliteRunEvents
    from skriptoteket_sql.uow import SqlUnitOfWorkFactory

    url, echo = settings.database_url, settings.database_echo
    busy_ms = max(1, round(settings.database_busy_timeout_seconds * 1000))
    engine = create_async_engine_for(url, echo=echo, busy_timeout_ms=busy_ms)
    inline = create_inline_read_engine(url, echo=echo) if reads_inline(url) else None
    factory: SqlUnitOfWorkFactory | None = None
    try:
        await require_schema_at_head(engine, url)
        factory = SqlUnitOfWorkFactory(engine, inline_reads=inline)
        yield factory
    finally:
        if factory is not None and isinstance(
            factory.run_events, PostgresRunEvents | SqliteRunEvents
        ):
            await factory.run_events.close()
        if inline is not None:
            inline.dispose()
        await engine.dispose()
