"""Fresh databases for the SQL backend's tests.

SQLite: the schema is migrated once per session into a template file, copied for every test.
PostgreSQL: the schema is migrated once per session into a template database, and every test gets
``CREATE DATABASE … TEMPLATE …`` under a unique name, dropped afterwards (``WITH (FORCE)``).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket.testing.services import postgres_url, service_missing
from skriptoteket_sql.engine import driver_url, open_sql
from skriptoteket_sql.migrations import AlembicMigrations


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    AlembicMigrations(sqlite_url(path)).upgrade()
    return path


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> str:
    """The URL of a migrated, seeded SQLite database of this test's own."""
    path = tmp_path / "db" / "skriptoteket.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return sqlite_url(path)


class PostgresServer:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = sa.create_engine(
            driver_url(url, use_async=False), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
        )
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        return sa.make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create(self, *, template: str | None = None) -> str:
        name = f"skt_t_{uuid.uuid4().hex[:16]}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}{clause}")
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    url = postgres_url()
    server = PostgresServer(url)
    try:
        with server.admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        server.admin.dispose()
        service_missing("postgres", f"cannot connect to {sa.make_url(url)!r}: {error.orig}")
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> str:
    name = pg_server.create()
    AlembicMigrations(pg_server.url_for(name)).upgrade()
    return name


@pytest.fixture
def pg_db(pg_server: PostgresServer, pg_template: str) -> Iterator[str]:
    """The URL of a migrated, seeded PostgreSQL database of this test's own."""
    name = pg_server.create(template=pg_template)
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def pg_empty_db(pg_server: PostgresServer) -> Iterator[str]:
    """The URL of an empty PostgreSQL database (no schema) of this test's own."""
    name = pg_server.create()
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """A migrated, seeded database on each engine (parametrized)."""
    return str(request.getfixturevalue("sqlite_db" if engine_name == "sqlite" else "pg_db"))


@pytest.fixture
def empty_db_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema) on each engine (parametrized)."""
    if engine_name == "sqlite":
        return sqlite_url(tmp_path / "empty" / "skriptoteket.db")
    return str(request.getfixturevalue("pg_empty_db"))


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    async with open_sql(Settings(database_url=db_url)) as uow_factory:
        yield uow_factory
