"""Registers the ``sql`` repository backend (SQLite and PostgreSQL) with Skriptoteket."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager

from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import MigrationBranch, RepositoryBackend
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.ports.schema import SchemaMigrations
from skriptoteket.settings import Settings

# SQLAlchemy and Alembic are imported only when the backend is used, so that discovering
# plugins (every CLI start, `skriptoteket --help`) stays fast.


def _open(settings: Settings) -> AbstractAsyncContextManager[UnitOfWorkFactory]:
    from skriptoteket_sql.engine import open_sql

    return open_sql(settings)


def _migrations(settings: Settings, branches: Sequence[MigrationBranch] = ()) -> SchemaMigrations:
    from skriptoteket_sql.migrations import AlembicMigrations

    return AlembicMigrations(settings.database_url, branches)


@hookimpl
def skriptoteket_register_repositories() -> Iterable[RepositoryBackend]:
    yield RepositoryBackend(
        name="sql",
        schemes=("sqlite", "postgresql"),
        open=_open,
        migrations=_migrations,
        description="SQLAlchemy Core + Alembic on SQLite (WAL) or PostgreSQL (psycopg 3)",
    )
