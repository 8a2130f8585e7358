"""URL handling, ``open_sql`` start-up checks, error translation and the plugin record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.plugins.records import RepositoryBackend
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_tool, make_user, make_version
from skriptoteket_sql import plugin
from skriptoteket_sql.engine import (
    SCHEMA_OUT_OF_DATE,
    create_sync_engine_for,
    driver_url,
    mask_url,
    open_sql,
)
from skriptoteket_sql.migrations import AlembicMigrations


@pytest.mark.parametrize(
    ("url", "use_async", "driver"),
    [
        ("sqlite:///data/x.db", True, "sqlite+aiosqlite"),
        ("sqlite:///data/x.db", False, "sqlite+pysqlite"),
        ("sqlite+aiosqlite:///x.db", False, "sqlite+pysqlite"),
        ("postgresql://u:p@h/db", True, "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@h/db", False, "postgresql+psycopg"),
        ("postgres://u:p@h/db", True, "postgresql+psycopg"),
    ],
)
def test_driver_url(url: str, use_async: bool, driver: str) -> None:
    assert driver_url(url, use_async=use_async).drivername == driver


def test_mask_url_hides_the_password() -> None:
    assert mask_url("postgresql://skt:hemligt@127.0.0.1/db") == "postgresql://skt:***@127.0.0.1/db"


async def test_open_sql_refuses_a_database_that_is_not_migrated(empty_db_url: str) -> None:
    with pytest.raises(DomainError) as info:
        async with open_sql(Settings(database_url=empty_db_url)):
            pass
    assert info.value.code is ErrorCode.SERVICE_UNAVAILABLE
    assert info.value.message == SCHEMA_OUT_OF_DATE
    assert info.value.details["current"] is None


async def test_open_sql_creates_the_sqlite_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'a' / 'b' / 'skriptoteket.db').as_posix()}"
    with pytest.raises(DomainError):
        async with open_sql(Settings(database_url=url)):
            pass
    assert (tmp_path / "a" / "b").is_dir()
    AlembicMigrations(url).upgrade()
    async with open_sql(Settings(database_url=url)) as factory, factory(readonly=True) as uow:
        assert len(await uow.taxonomy.list_professions()) == 5


async def test_unreachable_postgres_gives_a_clear_message() -> None:
    url = "postgresql://skt:hemligt@127.0.0.1:1/skriptoteket"
    with pytest.raises(DomainError) as info:
        async with open_sql(Settings(database_url=url)):
            pass
    assert info.value.code is ErrorCode.DATABASE_ERROR
    assert "postgresql://skt:***@127.0.0.1:1/skriptoteket" in info.value.message
    assert "pg_ctlcluster" in info.value.message
    assert "hemligt" not in info.value.message + str(info.value.details)
    with pytest.raises(DomainError) as sync_info:
        AlembicMigrations(url).upgrade()
    assert sync_info.value.code is ErrorCode.DATABASE_ERROR
    assert "hemligt" not in sync_info.value.message


async def test_read_only_unit_of_work_cannot_commit(factory: UnitOfWorkFactory) -> None:
    async with factory(readonly=True) as uow:
        with pytest.raises(DomainError) as info:
            await uow.commit()
    assert info.value.code is ErrorCode.INTERNAL_ERROR


async def test_datetimes_come_back_as_the_same_instant_in_utc(db_url: str) -> None:
    stockholm = timezone(timedelta(hours=2))
    created = datetime(2026, 9, 1, 10, 30, 15, 123456, tzinfo=stockholm)
    user = make_user(created_at=created)
    async with open_sql(Settings(database_url=db_url)) as factory:
        async with factory() as uow:
            await uow.users.add(user)
            await uow.commit()
        async with factory(readonly=True) as uow:
            stored = await uow.users.get(user.id)
    assert stored is not None
    assert stored.created_at == created
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at.hour == 8


async def test_driver_errors_never_escape(db_url: str) -> None:
    """A broken schema surfaces as DomainError(DATABASE_ERROR), not as a driver exception."""
    async with open_sql(Settings(database_url=db_url)) as factory:
        engine = create_sync_engine_for(db_url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE run_inputs")  # it references tool_runs
                conn.exec_driver_sql("DROP TABLE tool_runs")
        finally:
            engine.dispose()
        async with factory() as uow:
            with pytest.raises(DomainError) as info:
                await uow.runs.list_unfinished()
        assert info.value.code is ErrorCode.DATABASE_ERROR


async def test_error_codes_of_constraint_violations(db_url: str) -> None:
    """ID-08 duplicate email; FK violation → VALIDATION_ERROR; VER-21 missing row → NOT_FOUND."""
    async with open_sql(Settings(database_url=db_url)) as factory:
        user = make_user()
        async with factory() as uow:
            await uow.users.add(user)
            with pytest.raises(DomainError) as info:
                await uow.users.add(make_user(email=user.email))
            assert (info.value.code, info.value.message) == (
                ErrorCode.DUPLICATE_ENTRY,
                "Email already exists",
            )
            tool = make_tool()
            with pytest.raises(DomainError) as info:
                await uow.versions.add(make_version(tool, user))  # tool not stored
            assert info.value.code is ErrorCode.VALIDATION_ERROR
            await uow.tools.add(tool)
            version = make_version(tool, user)
            with pytest.raises(DomainError) as info:
                await uow.versions.update(version, expected_state=version.state)
            assert info.value.code is ErrorCode.NOT_FOUND
            await uow.commit()


def test_keyset_query_uses_the_runs_index(db_url: str) -> None:
    """DESIGN §9: "my runs" pages come from ix_tool_runs_requested_by_created_at_id."""
    engine = create_sync_engine_for(db_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT * FROM tool_runs WHERE requested_by_user_id = ? "
                    "AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 50",
                    ("0" * 32, "2026-09-01 08:00:00.000000", "f" * 32),
                ).all()
                plan = " ".join(str(r[-1]) for r in rows)
                assert "ix_tool_runs_requested_by_created_at_id" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")
                rows = conn.execute(
                    sa.text(
                        "EXPLAIN SELECT * FROM tool_runs WHERE requested_by_user_id = "
                        "'00000000-0000-0000-0000-000000000000' AND (created_at, id) < "
                        "('2026-09-01 08:00:00+00', 'ffffffff-ffff-ffff-ffff-ffffffffffff') "
                        "ORDER BY created_at DESC, id DESC LIMIT 50"
                    )
                ).all()
                plan = " ".join(str(r[0]) for r in rows)
                assert "ix_tool_runs_requested_by_created_at_id" in plan, plan
                assert "Sort" not in plan, plan
    finally:
        engine.dispose()


def test_plugin_registers_the_sql_backend() -> None:
    (backend,) = list(plugin.skriptoteket_register_repositories())
    assert isinstance(backend, RepositoryBackend)
    assert backend.name == "sql"
    assert backend.schemes == ("sqlite", "postgresql")
    assert callable(backend.open)
    assert backend.migrations is not None
    migrations = backend.migrations(Settings(database_url="sqlite:///x.db"))
    assert isinstance(migrations, AlembicMigrations)


def test_plugin_discovery_does_not_import_sqlalchemy() -> None:
    """Listing plugins (every CLI start) must stay fast: the heavy imports wait until use."""
    import subprocess
    import sys

    code = (
        "import sys, skriptoteket_sql.plugin as p; list(p.skriptoteket_register_repositories());"
        " print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("url", ["sqlite:///x.db", "postgresql://u@h/db"])
def test_plugin_is_found_through_its_entry_point(url: str) -> None:
    plugins = Plugins(make_plugin_manager(environ={}))
    assert plugins.select_repository(Settings(database_url=url)).name == "sql"
