"""The in-memory backend passes the repository contract suite."""

from __future__ import annotations

import pytest
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.testing.repository_contract import RepositoryContract


class TestMemoryRepositories(RepositoryContract):
    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        return MemoryStore.seeded().unit_of_work
