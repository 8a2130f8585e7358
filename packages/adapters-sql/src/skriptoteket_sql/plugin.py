"""Registers the ``sql`` repository backend (SQLite and PostgreSQL) with Skriptoteket."""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import RepositoryBackend
from skriptoteket.ports.schema import SchemaMigrations
from skriptoteket.settings import Settings

from skriptoteket_sql.engine import open_sql
from skriptoteket_sql.migrations import AlembicMigrations


def _migrations(settings: Settings) -> SchemaMigrations:
    return AlembicMigrations(settings.database_url)


@hookimpl
def skriptoteket_register_repositories() -> Iterable[RepositoryBackend]:
    yield RepositoryBackend(
        name="sql",
        schemes=("sqlite", "postgresql"),
        open=open_sql,
        migrations=_migrations,
        description="SQLAlchemy Core + Alembic on SQLite (WAL) or PostgreSQL (psycopg 3)",
    )
