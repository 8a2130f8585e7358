"""The SQL backend passes the repository contract suite on SQLite and PostgreSQL (DESIGN §8)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket.testing.repository_contract import RepositoryContract
from skriptoteket_sql.engine import open_sql


class TestSqliteContract(RepositoryContract):
    @pytest.fixture
    async def uow_factory(self, sqlite_db: str) -> AsyncIterator[UnitOfWorkFactory]:
        async with open_sql(Settings(database_url=sqlite_db)) as factory:
            yield factory


@pytest.mark.postgres
class TestPostgresContract(RepositoryContract):
    @pytest.fixture
    async def uow_factory(self, pg_db: str) -> AsyncIterator[UnitOfWorkFactory]:
        async with open_sql(Settings(database_url=pg_db)) as factory:
            yield factory
